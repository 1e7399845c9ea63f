package periodic_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/periodic"
)

// Replicas tick at the same moment: only one runs the sweep.
func TestOnlyOneReplicaRunsASweep(t *testing.T) {
	pool := dbtest.New(t)
	var running, ran, overlapped atomic.Int32
	job := periodic.Job{Name: "test", LockKey: 42, Every: time.Hour, Run: func(context.Context) error {
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
