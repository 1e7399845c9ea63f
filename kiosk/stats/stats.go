// Package stats answers the demand statistics the city asked for, to plan
// new stations: visits per service × hour of day × day of week ×
// beneficiary group (age band from a scanned card, elderly, with a helper,
// anonymous — never the person), where residents gave up, and payments by
// kind. The fleet console shows them as charts drawn on the server (SVG)
// and exports them as CSV for any period and station.
package stats

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/kiosk"
)

// Filter selects the visits counted: started on the days [From, To] in
// Vietnam, at one station when StationID is set.
type Filter struct {
	From, To  time.Time // dates, Vietnam time; To is included
	StationID string
}

// Cell is one cell of the demand cube: the visits that used Service,
// started at Hour on Weekday (1 Monday … 7 Sunday), of a resident in Group,
// with or without a helper. A visit that used two services counts in both.
type Cell struct {
	Service    string `json:"service"`
	Weekday    int    `json:"weekday"`
	Hour       int    `json:"hour"`
	Group      string `json:"group"`
	WithHelper bool   `json:"with_helper"`
	Visits     int64  `json:"visits"`
	Abandoned  int64  `json:"abandoned"`
}

// Abandonment counts the visits of a service that ended at Step with
// nothing filed, paid or sent.
type Abandonment struct {
	Service string `json:"service"`
	Step    string `json:"step"`
	Visits  int64  `json:"visits"`
}

// Payments are the paid orders of one kind (fee, bill, …).
type Payments struct {
	Kind   string `json:"kind"`
	Count  int64  `json:"count"`
	Amount int64  `json:"amount"` // VND
}

// Report is the figures of a period.
type Report struct {
	Filter      Filter        `json:"-"`
	Visits      int64         `json:"visits"`
	Elderly     int64         `json:"elderly"`
	WithHelper  int64         `json:"with_helper"`
	Anonymous   int64         `json:"anonymous"`
	Cube        []Cell        `json:"cube"`
	Abandonment []Abandonment `json:"abandonment"`
	Payments    []Payments    `json:"payments"`
	// Help is what became of the calls for a person in the period.
	Help kiosk.HelpUsage `json:"help"`

	names kiosk.Names // the words for the services' keys
}

// Service reads the statistics.
type Service struct {
	pool *pgxpool.Pool
}

// NewService returns the statistics of the database behind pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// MaxDays is the longest period one report covers.
const MaxDays = 366

var errRange = apperr.New(apperr.Invalid, "stats_range_invalid", "Khoảng thời gian không hợp lệ: ngày bắt đầu phải trước ngày kết thúc, tối đa một năm.")

// bounds are the instants of a filter's days.
func (f Filter) bounds() (time.Time, time.Time, error) {
	day := func(t time.Time) time.Time {
		t = t.In(vietnamese.Zone)
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, vietnamese.Zone)
	}
	from, to := day(f.From), day(f.To).AddDate(0, 0, 1)
	if !from.Before(to) || to.Sub(from) > MaxDays*24*time.Hour {
		return from, to, errRange
	}
	return from, to, nil
}

// visits selects the filter's visits with their weekday, hour and group.
const visits = `WITH v AS (
	SELECT k.services, k.abandoned_step, k.with_helper, coalesce(k.age_band, 'anonymous') AS grp,
		extract(isodow FROM k.started_at AT TIME ZONE '` + vietnamese.ZoneName + `')::int AS dow,
		extract(hour FROM k.started_at AT TIME ZONE '` + vietnamese.ZoneName + `')::int AS hour
	FROM kiosk_sessions k
	WHERE k.started_at >= $1 AND k.started_at < $2 AND ($3 = '' OR k.station_id::text = $3)) `

// Report answers the figures for f, read in one snapshot.
func (s *Service) Report(ctx context.Context, f Filter) (*Report, error) {
	from, to, err := f.bounds()
	if err != nil {
		return nil, err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	args := []any{from, to, f.StationID}
	r := &Report{Filter: f}
	if err := tx.QueryRow(ctx, visits+`SELECT count(*),
			count(*) FILTER (WHERE grp IN ('60_74', '75_plus')),
			count(*) FILTER (WHERE with_helper), count(*) FILTER (WHERE grp = 'anonymous') FROM v`, args...).
		Scan(&r.Visits, &r.Elderly, &r.WithHelper, &r.Anonymous); err != nil {
		return nil, fmt.Errorf("stats totals: %w", err)
	}
	rows, err := tx.Query(ctx, visits+`SELECT coalesce(s, '`+kiosk.NoService+`'), dow, hour, grp, with_helper,
			count(*), count(*) FILTER (WHERE abandoned_step IS NOT NULL)
		FROM v LEFT JOIN LATERAL unnest(v.services) s ON true
		GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`, args...)
	if err != nil {
		return nil, err
	}
	if r.Cube, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Cell]); err != nil {
		return nil, fmt.Errorf("stats cube: %w", err)
	}
	rows, err = tx.Query(ctx, visits+`SELECT coalesce(s, '`+kiosk.NoService+`'), abandoned_step, count(*)
		FROM v LEFT JOIN LATERAL unnest(v.services) s ON true WHERE abandoned_step IS NOT NULL
		GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`, args...)
	if err != nil {
		return nil, err
	}
	if r.Abandonment, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Abandonment]); err != nil {
		return nil, fmt.Errorf("stats abandonment: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT purpose, count(*), coalesce(sum(amount), 0)::bigint FROM payments
		WHERE state = 'paid' AND paid_at >= $1 AND paid_at < $2 AND ($3 = '' OR station_id::text = $3)
		GROUP BY purpose ORDER BY purpose`, args...)
	if err != nil {
		return nil, err
	}
	if r.Payments, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Payments]); err != nil {
		return nil, fmt.Errorf("stats payments: %w", err)
	}
	if r.Help, err = kiosk.HelpUsageOf(ctx, tx, kiosk.UsageFilter{From: from, To: to, StationID: f.StationID}); err != nil {
		return nil, err
	}
	if r.names, err = kiosk.LoadNames(ctx, tx); err != nil {
		return nil, err
	}
	return r, nil
}

// Count is one bar of a chart.
type Count struct {
	Key   string
	Value int64
}

// By sums the cube's visits along one dimension, in the dimension's order.
func (r *Report) By(dim func(Cell) string, order []string) []Count {
	sums := map[string]int64{}
	for _, c := range r.Cube {
		sums[dim(c)] += c.Visits
	}
	keys := slices.Clone(order)
	for k := range sums {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if order == nil {
		slices.SortFunc(keys, func(a, b string) int { return int(sums[b] - sums[a]) })
	}
	out := make([]Count, 0, len(keys))
	for _, k := range keys {
		out = append(out, Count{Key: k, Value: sums[k]})
	}
	return out
}

// Heat is the visits per weekday (rows, Monday first) and hour (columns).
func (r *Report) Heat() [7][24]int64 {
	var h [7][24]int64
	for _, c := range r.Cube {
		if c.Weekday >= 1 && c.Weekday <= 7 && c.Hour >= 0 && c.Hour < 24 {
			h[c.Weekday-1][c.Hour] += c.Visits
		}
	}
	return h
}

// GroupOf is a cube cell's beneficiary group.
func GroupOf(c Cell) string { return c.Group }

// ServiceOf is a cube cell's service.
func ServiceOf(c Cell) string { return c.Service }

// HelperOf is whether a cube cell's visits had a helper.
func HelperOf(c Cell) string {
	if c.WithHelper {
		return "with_helper"
	}
	return "alone"
}

// ServiceName is a service's key in words.
func (r *Report) ServiceName(key string) string { return r.names.Service(key) }
