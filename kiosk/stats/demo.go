package stats

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/kiosk"
)

// SeedDemoWeek records n invented, ended visits at a station over the
// seven days before now, shaped like a week of a ward's station (mornings
// and early afternoons busier, weekends quieter, elderly residents often
// with a helper, some visits given up), so that a demonstration installation
// has figures to chart. The same seed gives the same week. It is for
// demonstrations only: the visits are marked with end reason "finish" or
// "idle" like real ones.
func SeedDemoWeek(ctx context.Context, pool *pgxpool.Pool, stationID string, n int, seed uint64, now time.Time) (int64, error) {
	r := rand.New(rand.NewPCG(seed, 2026))
	services := []string{"procedures", "procedures", "procedures", "bills", "bills", "tracking", "reports", "tourism", "health", "partners"}
	// The steps a visit stops at, in the keys the kiosk and the assistant
	// record (kiosk.StepName).
	steps := map[string][]string{
		"procedures": {"identify", "explain", "f-scan", "collect", "review"},
		"bills":      {"bills", "payment_qr", "pay"},
		"tracking":   {"track_not_found"}, "reports": {"collect", "review"},
		"tourism": {"places"}, "health": {"h-menu"}, "partners": {"p-menu"},
	}
	outcomes := map[string]string{"procedures": kiosk.OutcomeDossierFiled, "bills": kiosk.OutcomePaymentMade, "reports": kiosk.OutcomeReportSent}
	hours := []int{7, 8, 8, 9, 9, 9, 10, 10, 10, 11, 11, 13, 14, 14, 15, 15, 16, 16, 17, 18, 19, 20}
	today := now.In(vietnamese.Zone)
	rows := make([][]any, 0, n)
	for range n {
		day := today.AddDate(0, 0, -r.IntN(7))
		if wd := day.Weekday(); (wd == time.Saturday || wd == time.Sunday) && r.IntN(2) == 0 {
			day = today.AddDate(0, 0, -r.IntN(7)) // weekends less busy: half draw again
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), hours[r.IntN(len(hours))], r.IntN(60), r.IntN(60), 0, vietnamese.Zone)
		if start.After(now) { // later today: on one of the six days before
			start = start.AddDate(0, 0, -1-r.IntN(6))
		}
		svc := services[r.IntN(len(services))]
		var band any
		if svc != "tourism" && r.IntN(10) < 7 { // a card scanned in most visits
			band = kiosk.AgeBands[r.IntN(len(kiosk.AgeBands)-1)]
		}
		helper := band != nil && kiosk.Elderly(band.(string)) && r.IntN(10) < 4
		seconds := 60 + r.IntN(600)
		end, reason := start.Add(time.Duration(seconds)*time.Second), kiosk.EndFinish
		step := steps[svc][r.IntN(len(steps[svc]))]
		done := []string{}
		var abandoned any
		if o, ok := outcomes[svc]; ok && r.IntN(100) >= 18 {
			done = []string{o}
		} else if ok {
			abandoned, reason = step, kiosk.EndIdle
		}
		rows = append(rows, []any{stationID, start, end, end, reason, []string{svc}, done, step, abandoned, band, helper})
	}
	count, err := pool.CopyFrom(ctx, pgx.Identifier{"kiosk_sessions"},
		[]string{"station_id", "started_at", "last_activity_at", "ended_at", "end_reason", "services", "outcomes", "step", "abandoned_step", "age_band", "with_helper"},
		pgx.CopyFromRows(rows))
	if err != nil {
		return 0, fmt.Errorf("seed demo week: %w", err)
	}
	return count, nil
}
