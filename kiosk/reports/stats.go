package reports

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Stats summarise the reports an officer sees in a period. Spam is left out.
type Stats struct {
	From        time.Time  `json:"from"`
	To          time.Time  `json:"to"`
	Total       int        `json:"total"`
	ByWard      []Count    `json:"by_ward"`
	ByCategory  []Count    `json:"by_category"`
	ByHour      [24]int    `json:"by_hour"` // hour of day in Ho Chi Minh City
	Acknowledge Percentile `json:"time_to_acknowledge"`
	Resolve     Percentile `json:"time_to_resolve"`
}

// Count is a number of reports under a key.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Percentile is a duration distribution, in seconds.
type Percentile struct {
	N      int      `json:"n"`
	Median *float64 `json:"median_seconds"`
	P90    *float64 `json:"p90_seconds"`
}

// Stats counts reports per ward, category and hour of day, and measures the
// time to acknowledge and to close them.
func (s *Service) Stats(ctx context.Context, o Officer, from, to time.Time) (*Stats, error) {
	st := &Stats{From: from, To: to}
	const scope = ` FROM reports r WHERE ($1 OR r.ward_code = ANY($2)) AND r.spam_at IS NULL AND r.created_at >= $3 AND r.created_at < $4`
	args := []any{o.CommandCentre, o.Wards, from, to}
	counts := func(key string) ([]Count, error) {
		rows, err := s.pool.Query(ctx, `SELECT `+key+`, count(*)::int`+scope+` GROUP BY 1 ORDER BY 2 DESC, 1`, args...)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowToStructByPos[Count])
	}
	var err error
	if st.ByWard, err = counts(`coalesce(r.ward_code, '')`); err != nil {
		return nil, err
	}
	if st.ByCategory, err = counts(`r.category`); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT extract(hour FROM r.created_at AT TIME ZONE '`+vietnamese.ZoneName+`')::int, count(*)::int`+scope+` GROUP BY 1`, args...)
	if err != nil {
		return nil, err
	}
	var hour, n int
	_, err = pgx.ForEachRow(rows, []any{&hour, &n}, func() error {
		st.ByHour[hour] = n
		st.Total += n
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.pool.QueryRow(ctx, `SELECT
		count(r.acknowledged_at)::int,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.acknowledged_at - r.created_at)),
		percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r.acknowledged_at - r.created_at)),
		count(r.closed_at)::int,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.created_at)),
		percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.created_at))`+scope, args...).
		Scan(&st.Acknowledge.N, &st.Acknowledge.Median, &st.Acknowledge.P90, &st.Resolve.N, &st.Resolve.Median, &st.Resolve.P90)
	if err != nil {
		return nil, err
	}
	if st.ByWard == nil {
		st.ByWard = []Count{}
	}
	if st.ByCategory == nil {
		st.ByCategory = []Count{}
	}
	return st, nil
}
