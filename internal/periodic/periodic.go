// Package periodic runs background sweeps that every replica schedules but
// only one performs at a time. Before each run a replica takes the sweep's
// lease, a row of sweep_leases that expires; a replica that does not get it
// skips the tick. Taking and returning the lease are single statements, so
// no pooled connection is held while the sweep works (holding one deadlocked
// small pools, each sweep waiting for a connection another sweep held), and
// a replica that dies mid-sweep frees the lease when it expires.
package periodic

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Job is one sweep.
type Job struct {
	// Name identifies the sweep's lease and appears in logs.
	Name string
	// Every is the time between ticks.
	Every time.Duration
	// Lease bounds how long one run may keep others out; 5 minutes when
	// zero. A run longer than its lease may overlap another replica's, so
	// sweeps are written to be safe to repeat.
	Lease time.Duration
	// Run does the sweep's work.
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

// Once runs the job if no other replica holds its lease, and reports whether
// it ran.
func Once(ctx context.Context, pool *pgxpool.Pool, job Job) (ran bool, err error) {
	lease := job.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	holder := newHolder()
	err = pool.QueryRow(ctx, `
		INSERT INTO sweep_leases (name, holder, expires_at)
		VALUES ($1, $2, now() + $3::interval)
		ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
		WHERE sweep_leases.expires_at < now()
		RETURNING true`, job.Name, holder, lease.String()).Scan(&ran)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer pool.Exec(context.WithoutCancel(ctx),
		`DELETE FROM sweep_leases WHERE name = $1 AND holder = $2`, job.Name, holder)
	return true, job.Run(ctx)
}

func newHolder() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
