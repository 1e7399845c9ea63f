package kiosk

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// UsageFilter selects the visits counted: started in [From, To), at one
// station or in one ward when set.
type UsageFilter struct {
	From      time.Time
	To        time.Time
	StationID string
	WardCode  string
}

// Usage is what the city asked for: demand per station, service, hour of
// day and day, how long visits last, and where residents give up.
type Usage struct {
	From                 time.Time      `json:"from"`
	To                   time.Time      `json:"to"`
	Sessions             int64          `json:"sessions"`
	Ended                int64          `json:"ended"`
	MedianSessionSeconds float64        `json:"median_session_seconds"`
	ByStation            []StationCount `json:"by_station"`
	ByService            []Count        `json:"by_service"`
	ByHour               []Count        `json:"by_hour"` // hour of day 0–23, Vietnam time
	ByDay                []Count        `json:"by_day"`  // YYYY-MM-DD, Vietnam time
	Outcomes             []Count        `json:"outcomes"`
	AbandonedAt          []Count        `json:"abandoned_at"` // step where abandoned visits stopped
	Help                 HelpUsage      `json:"help"`

	names Names // the words for the services' keys
}

// HelpUsage is what became of residents' calls for a person ("Gọi cán
// bộ", package kiosk/help) made in the period: how many, how they ended,
// and how long residents waited for someone to acknowledge.
type HelpUsage struct {
	Requests          int64   `json:"requests"`
	Acknowledged      int64   `json:"acknowledged"`
	Escalated         int64   `json:"escalated"` // climbed past the ward at least once
	Cancelled         int64   `json:"cancelled"`
	Waiting           int64   `json:"waiting"`
	MedianWaitSeconds float64 `json:"median_wait_seconds"` // of acknowledged requests
	MaxWaitSeconds    float64 `json:"max_wait_seconds"`
}

// Count is one bucket.
type Count struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// StationCount is one station's visits.
type StationCount struct {
	StationID string `json:"station_id"`
	Name      string `json:"name"`
	WardCode  string `json:"ward_code"`
	Sessions  int64  `json:"sessions"`
}

// A visit lasts from its start to its end, except that one ended for
// inactivity lasts only until its last activity.
const sessionSeconds = `extract(epoch FROM (CASE WHEN end_reason = 'idle' THEN last_activity_at ELSE ended_at END) - started_at)`

// Usage answers the usage figures for the visits f selects.
func (s *Service) Usage(ctx context.Context, f UsageFilter) (*Usage, error) {
	if f.To.IsZero() {
		f.To = time.Now()
	}
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, 0, -30)
	}
	if !f.From.Before(f.To) {
		return nil, apperr.New(apperr.Invalid, "usage_range_invalid", "Ngày bắt đầu phải trước ngày kết thúc.")
	}
	if f.StationID != "" && !database.IsUUID(f.StationID) {
		return nil, errStationNotFound
	}
	u := &Usage{From: f.From, To: f.To}
	// Every query reads the same selection through this CTE.
	sel := `WITH v AS (SELECT k.*, st.name, st.ward_code FROM kiosk_sessions k JOIN stations st ON st.id = k.station_id
		WHERE k.started_at >= $1 AND k.started_at < $2
		AND ($3 = '' OR k.station_id::text = $3) AND ($4 = '' OR st.ward_code = $4)) `
	args := []any{f.From, f.To, f.StationID, f.WardCode}

	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if err := tx.QueryRow(ctx, sel+`SELECT count(*), count(ended_at),
			coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY `+sessionSeconds+`) FILTER (WHERE ended_at IS NOT NULL), 0)
		FROM v`, args...).Scan(&u.Sessions, &u.Ended, &u.MedianSessionSeconds); err != nil {
		return nil, fmt.Errorf("usage totals: %w", err)
	}
	rows, err := tx.Query(ctx, sel+`SELECT station_id::text, name, ward_code, count(*) FROM v
		GROUP BY station_id, name, ward_code ORDER BY count(*) DESC, name`, args...)
	if err != nil {
		return nil, err
	}
	if u.ByStation, err = pgx.CollectRows(rows, pgx.RowToStructByPos[StationCount]); err != nil {
		return nil, fmt.Errorf("usage by station: %w", err)
	}
	buckets := []struct {
		into  *[]Count
		query string
	}{
		{&u.ByService, `SELECT s, count(*) FROM v, unnest(services) s GROUP BY s ORDER BY count(*) DESC, s`},
		{&u.ByHour, `SELECT lpad(extract(hour FROM started_at AT TIME ZONE '` + vietnamese.ZoneName + `')::text, 2, '0') h, count(*) FROM v GROUP BY h ORDER BY h`},
		{&u.ByDay, `SELECT to_char(started_at AT TIME ZONE '` + vietnamese.ZoneName + `', 'YYYY-MM-DD') d, count(*) FROM v GROUP BY d ORDER BY d`},
		{&u.Outcomes, `SELECT o, count(*) FROM (
				SELECT unnest(outcomes) o FROM v
				UNION ALL SELECT 'abandoned' FROM v WHERE ended_at IS NOT NULL AND cardinality(outcomes) = 0
			) x GROUP BY o ORDER BY count(*) DESC, o`},
		{&u.AbandonedAt, `SELECT abandoned_step, count(*) FROM v WHERE abandoned_step IS NOT NULL
			GROUP BY abandoned_step ORDER BY count(*) DESC, abandoned_step`},
	}
	if u.Help, err = HelpUsageOf(ctx, tx, f); err != nil {
		return nil, err
	}
	for _, b := range buckets {
		rows, err := tx.Query(ctx, sel+b.query, args...)
		if err != nil {
			return nil, err
		}
		if *b.into, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Count]); err != nil {
			return nil, fmt.Errorf("usage: %w", err)
		}
	}
	if u.names, err = LoadNames(ctx, tx); err != nil {
		return nil, err
	}
	return u, nil
}

// HelpUsageOf answers what became of the calls for a person ("Gọi cán
// bộ") made in the period f selects: how many, how they ended, and how
// long residents waited for someone to take them.
func HelpUsageOf(ctx context.Context, db Querier, f UsageFilter) (HelpUsage, error) {
	var h HelpUsage
	err := db.QueryRow(ctx, `WITH h AS (SELECT h.*, extract(epoch FROM h.acknowledged_at - h.created_at) AS wait
			FROM help_requests h JOIN stations st ON st.id = h.station_id
			WHERE h.created_at >= $1 AND h.created_at < $2
			AND ($3 = '' OR h.station_id::text = $3) AND ($4 = '' OR st.ward_code = $4))
		SELECT count(*), count(acknowledged_at), count(*) FILTER (WHERE level > 0), count(cancelled_at),
			count(*) FILTER (WHERE acknowledged_at IS NULL AND cancelled_at IS NULL),
			coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY wait), 0), coalesce(max(wait), 0)
		FROM h`, f.From, f.To, f.StationID, f.WardCode).Scan(&h.Requests, &h.Acknowledged, &h.Escalated, &h.Cancelled,
		&h.Waiting, &h.MedianWaitSeconds, &h.MaxWaitSeconds)
	if err != nil {
		return h, fmt.Errorf("usage of help requests: %w", err)
	}
	return h, nil
}
