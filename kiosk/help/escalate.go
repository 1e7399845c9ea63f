package help

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// EscalateArgs is the job that climbs a request to Level if nobody has
// acknowledged it by the time it runs.
type EscalateArgs struct {
	ID    string `json:"id"`
	Level int    `json:"level"`
}

// Kind is River's name for the job.
func (EscalateArgs) Kind() string { return "help-escalate" }

// RegisterWorkers adds the escalation worker (for jobs.Config.Register).
func (s *Service) RegisterWorkers(w *river.Workers) {
	river.AddWorker(w, &escalateWorker{svc: s})
}

type escalateWorker struct {
	river.WorkerDefaults[EscalateArgs]
	svc *Service
}

// Work climbs the request and, below the top level, schedules the next
// climb in the same transaction. A request acknowledged or closed
// meanwhile is left alone; running the job twice climbs once.
func (w *escalateWorker) Work(ctx context.Context, job *river.Job[EscalateArgs]) error {
	return pgx.BeginFunc(ctx, w.svc.pool, func(tx pgx.Tx) error {
		var ward string
		err := tx.QueryRow(ctx, `UPDATE help_requests SET level = $2, escalated_at = now()
			WHERE id::text = $1 AND level < $2 AND acknowledged_at IS NULL AND cancelled_at IS NULL
			RETURNING ward_code`, job.Args.ID, job.Args.Level).Scan(&ward)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("escalate help request: %w", err)
		}
		if job.Args.Level < LevelCommandCentre {
			client := river.ClientFromContext[pgx.Tx](ctx)
			if _, err := client.InsertTx(ctx, tx, EscalateArgs{ID: job.Args.ID, Level: job.Args.Level + 1},
				&river.InsertOpts{ScheduledAt: time.Now().Add(w.svc.cfg.EscalateAfter)}); err != nil {
				return err
			}
		}
		return notify(ctx, tx, event{ID: job.Args.ID, Ward: ward, Level: job.Args.Level, Action: "escalated"})
	})
}
