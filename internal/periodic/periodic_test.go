package periodic_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/periodic"
)

// Replicas tick at the same moment: only one runs the sweep.
func TestOnlyOneReplicaRunsASweep(t *testing.T) {
	pool := dbtest.New(t)
	var running, ran, overlapped atomic.Int32
	job := periodic.Job{Name: "test", Every: time.Hour, Run: func(context.Context) error {
		if running.Add(1) > 1 {
			overlapped.Add(1)
		}
		ran.Add(1)
		time.Sleep(200 * time.Millisecond)
		running.Add(-1)
		return nil
	}}
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := periodic.Once(context.Background(), pool, job); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ran.Load() != 1 || overlapped.Load() != 0 {
		t.Errorf("ran %d times, %d overlapping; want once", ran.Load(), overlapped.Load())
	}
	// The lock is released: the next tick runs.
	if ok, err := periodic.Once(context.Background(), pool, job); !ok || err != nil {
		t.Errorf("next tick ran %v, %v", ok, err)
	}
}

// A replica that died mid-sweep holds its lease only until it expires, and
// a sweep holds no pooled connection while it works.
func TestLeaseExpiresAndSweepsHoldNoConnection(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO sweep_leases VALUES ('dead', 'gone', now() + interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	job := periodic.Job{Name: "dead", Every: time.Hour, Run: func(context.Context) error { return nil }}
	if ran, err := periodic.Once(ctx, pool, job); ran || err != nil {
		t.Fatalf("ran under a live lease: %v, %v", ran, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE sweep_leases SET expires_at = now() - interval '1 second' WHERE name = 'dead'`); err != nil {
		t.Fatal(err)
	}
	if ran, err := periodic.Once(ctx, pool, job); !ran || err != nil {
		t.Fatalf("did not run after the lease expired: %v, %v", ran, err)
	}

	// With a pool of one connection, a sweep can still use the database.
	small, err := pgxpoolWithMax(ctx, pool, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	job = periodic.Job{Name: "small", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := small.Exec(ctx, `SELECT 1`)
		return err
	}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if ran, err := periodic.Once(ctx, small, job); !ran || err != nil {
		t.Fatalf("sweep on a one-connection pool: %v, %v", ran, err)
	}
}

func pgxpoolWithMax(ctx context.Context, pool *pgxpool.Pool, n int32) (*pgxpool.Pool, error) {
	cfg := pool.Config().Copy()
	cfg.MaxConns = n
	return pgxpool.NewWithConfig(ctx, cfg)
}
