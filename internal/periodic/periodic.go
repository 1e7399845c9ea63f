// Package periodic runs background sweeps that every replica schedules but
// only one performs at a time: each tick takes a PostgreSQL advisory lock
// for the sweep, and a replica that does not get it skips the tick. No
// state lives in process memory, so any replica can stop at any moment.
package periodic

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Job is one sweep.
type Job struct {
	// Name appears in logs.
	Name string
	// LockKey is the advisory lock taken for the sweep; each job has its own.
	LockKey int64
	// Every is the time between ticks.
	Every time.Duration
	// Run does the sweep's work. It runs only while the lock is held.
	Run func(ctx context.Context) error
}

// Run ticks until ctx is done.
func Run(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, job Job) {
	t := time.NewTicker(job.Every)
	defer t.Stop()
	for {
		if _, err := Once(ctx, pool, job); err != nil && ctx.Err() == nil {
			log.Error("sweep failed", "sweep", job.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once runs the job if no other replica is running it, and reports whether
// it ran. The lock is a session lock held on one pooled connection for the
// length of the run, so the job's own statements may use other connections
// and commit as they go.
func Once(ctx context.Context, pool *pgxpool.Pool, job Job) (ran bool, err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Release()
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, job.LockKey).Scan(&ran); err != nil || !ran {
		return false, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, job.LockKey)
	return true, job.Run(ctx)
}
