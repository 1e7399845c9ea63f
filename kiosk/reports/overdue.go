package reports

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/jobs"
)

// SweepOverdue announces on the live feed, once each, the reports that have
// just missed their SLA: not acknowledged in time, or not closed in time.
// It records an "overdue" step in each report's history.
func (s *Service) SweepOverdue(ctx context.Context) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One replica sweeps at a time; the lock ends with the transaction,
		// so the sweep holds one connection, never two.
		var mine bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, overdueLock).Scan(&mine); err != nil || !mine {
			return err
		}
		rows, err := tx.Query(ctx, `
			UPDATE reports r SET
				ack_overdue_at = CASE WHEN r.acknowledged_at IS NULL AND now() > r.acknowledge_due
					THEN coalesce(r.ack_overdue_at, now()) ELSE r.ack_overdue_at END,
				resolve_overdue_at = CASE WHEN now() > r.resolve_due
					THEN coalesce(r.resolve_overdue_at, now()) ELSE r.resolve_overdue_at END
			WHERE r.closed_at IS NULL AND r.acknowledge_due < now()
			  AND r.spam_at IS NULL AND r.status <> 'transferred'
			  AND ((r.acknowledged_at IS NULL AND r.ack_overdue_at IS NULL)
			       OR (now() > r.resolve_due AND r.resolve_overdue_at IS NULL))
			RETURNING r.id, r.code, coalesce(r.ward_code, ''), r.category, r.urgency, r.status,
				CASE WHEN now() > r.resolve_due THEN 'resolve' ELSE 'acknowledge' END`)
		if err != nil {
			return err
		}
		type late struct {
			ev  FeedEvent
			sla string
		}
		var list []late
		for rows.Next() {
			var l late
			if err := rows.Scan(&l.ev.ReportID, &l.ev.Code, &l.ev.Ward, &l.ev.Category, &l.ev.Urgency, &l.ev.Status, &l.sla); err != nil {
				return err
			}
			list = append(list, l)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, l := range list {
			if _, err := tx.Exec(ctx, `INSERT INTO report_events (report_id, action, note, actor_id, actor_name)
				VALUES ($1, 'overdue', $2, 'system', 'Hệ thống')`, l.ev.ReportID, "Quá hạn "+map[string]string{
				"acknowledge": "tiếp nhận", "resolve": "xử lý"}[l.sla]); err != nil {
				return err
			}
			l.ev.Action, l.ev.At = "overdue", time.Now()
			if err := notify(ctx, tx, l.ev); err != nil {
				return err
			}
		}
		n = len(list)
		return nil
	})
	return n, err
}

// overdueLock is the advisory lock of the overdue sweep.
const overdueLock = 7_000_601

// OverdueJob is the sweep that announces overdue reports every interval,
// a River periodic job run by one worker at a time.
func (s *Service) OverdueJob(every time.Duration) jobs.Sweep {
	return jobs.Sweep{Name: "reports-overdue", Every: every, Run: func(ctx context.Context) error {
		_, err := s.SweepOverdue(ctx)
		return err
	}}
}
