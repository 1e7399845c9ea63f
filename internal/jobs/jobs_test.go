package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/jobs"
)

// Two replicas schedule the same sweep: it runs, never twice at once.
func TestSweepRunsOnOneWorkerAtATime(t *testing.T) {
	pool := dbtest.New(t)
	var running, ran, overlapped atomic.Int32
	sweep := jobs.Sweep{Name: "test-sweep", Every: time.Hour, Run: func(context.Context) error {
		if running.Add(1) > 1 {
			overlapped.Add(1)
		}
		ran.Add(1)
		time.Sleep(200 * time.Millisecond)
		running.Add(-1)
		return nil
	}}
	for range 2 {
		q, err := jobs.New(pool, slog.Default(), jobs.Config{Work: true, MaxWorkers: 2, Sweeps: []jobs.Sweep{sweep}})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stop(t, q) })
	}
	waitFor(t, 30*time.Second, func() bool { return ran.Load() >= 1 })
	time.Sleep(time.Second) // a second replica's copy would run now
	if ran.Load() != 1 || overlapped.Load() != 0 {
		t.Fatalf("ran %d times, %d overlapping; want once", ran.Load(), overlapped.Load())
	}
}

type flakyArgs struct {
	Ref string `json:"ref"`
}

func (flakyArgs) Kind() string { return "test-flaky" }

type flakyWorker struct {
	river.WorkerDefaults[flakyArgs]
	fail  atomic.Bool
	calls atomic.Int32
}

func (w *flakyWorker) Work(ctx context.Context, job *river.Job[flakyArgs]) error {
	w.calls.Add(1)
	if w.fail.Load() {
		return errors.New("gateway unreachable")
	}
	return nil
}

// A job that fails its last attempt is kept as discarded with its error,
// listed for staff, and runs again when retried.
func TestFailedJobIsDiscardedAndRetried(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	w := &flakyWorker{}
	w.fail.Store(true)
	q, err := jobs.New(pool, slog.Default(), jobs.Config{Work: true, MaxWorkers: 2,
		Register: []func(*river.Workers){func(ws *river.Workers) { river.AddWorker(ws, w) }}})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(t, q) })

	if err := q.Insert(ctx, flakyArgs{Ref: "ORDER-1"}, &river.InsertOpts{MaxAttempts: 1}); err != nil {
		t.Fatal(err)
	}
	var failed []jobs.Failed
	waitFor(t, 20*time.Second, func() bool {
		failed, err = q.Discarded(ctx, 10)
		return err == nil && len(failed) == 1
	})
	f := failed[0]
	if f.Kind != "test-flaky" || f.LastError != "gateway unreachable" || f.Args != `{"ref": "ORDER-1"}` || f.Attempts != 1 {
		t.Fatalf("discarded = %+v", f)
	}

	if err := q.Retry(ctx, f.ID+1000); !errors.Is(err, jobs.ErrNotDiscarded) {
		t.Fatalf("Retry(unknown) = %v, want ErrNotDiscarded", err)
	}
	w.fail.Store(false)
	if err := q.Retry(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, func() bool {
		var state string
		err := pool.QueryRow(ctx, `SELECT state FROM river_job WHERE id = $1`, f.ID).Scan(&state)
		return err == nil && state == "completed"
	})
	if failed, err = q.Discarded(ctx, 10); err != nil || len(failed) != 0 || w.calls.Load() != 2 {
		t.Fatalf("after retry: discarded %v (%v), worked %d times", failed, err, w.calls.Load())
	}
	if err := q.Retry(ctx, f.ID); !errors.Is(err, jobs.ErrNotDiscarded) {
		t.Fatalf("Retry(completed) = %v, want ErrNotDiscarded", err)
	}
}

func stop(t *testing.T, q *jobs.Queue) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Stop(ctx); err != nil {
		t.Error(err)
	}
}

func waitFor(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not done within %s", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
