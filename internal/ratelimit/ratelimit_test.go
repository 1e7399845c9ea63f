package ratelimit

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/seal"
)

func TestLimiterSharesOneCountAcrossCallers(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 10, 0, time.UTC)
	// Two limiters stand for two replicas of the service.
	a, b := New(pool, 5, time.Minute), New(pool, 5, time.Minute)
	a.now = func() time.Time { return now }
	b.now = a.now

	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(l *Limiter) {
			defer wg.Done()
			errs <- l.Allow(ctx, "track:ABC")
		}(map[bool]*Limiter{true: a, false: b}[i%2 == 0])
	}
	wg.Wait()
	close(errs)
	var allowed, limited int
	for err := range errs {
		switch {
		case err == nil:
			allowed++
		case apperr.IsKind(err, apperr.RateLimited):
			limited++
			if e := apperr.From(err); e.RetryAfter != 50*time.Second {
				t.Errorf("RetryAfter = %v, want 50s", e.RetryAfter)
			}
		default:
			t.Fatal(err)
		}
	}
	if allowed != 5 || limited != 5 {
		t.Fatalf("allowed %d, limited %d; want 5 and 5", allowed, limited)
	}
	// Another key and the next window start afresh.
	if err := a.Allow(ctx, "track:XYZ"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if err := a.Allow(ctx, "track:ABC"); err != nil {
		t.Fatalf("next window: %v", err)
	}
	n, err := Purge(ctx, pool, now.Truncate(time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("Purge = %d, %v; want 2 old windows", n, err)
	}
}

// TestLookupsShareOneAddressCount: every kind of look-up by code counts
// against one count per client address, and per code per kind; the keys
// hold the codes and addresses only as keyed digests.
func TestLookupsShareOneAddressCount(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	l := NewLookups(pool, seal.MustTest("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="), 2, 3)
	for i, kind := range []string{"dossier", "payment", "report"} {
		if err := l.Address(ctx, "station:kiosk-1"); err != nil {
			t.Fatalf("look-up %d (%s): %v", i, kind, err)
		}
		if err := l.Code(ctx, kind, "ABCDEFGHK"); err != nil {
			t.Fatalf("code of kind %s: %v", kind, err)
		}
	}
	if err := l.Address(ctx, "station:kiosk-1"); !apperr.IsKind(err, apperr.RateLimited) {
		t.Errorf("a fourth look-up from the address, whatever its kind: %v", err)
	}
	if err := l.Address(ctx, "station:kiosk-2"); err != nil {
		t.Errorf("another address: %v", err)
	}
	l.Code(ctx, "dossier", "ABCDEFGHK")
	if err := l.Code(ctx, "dossier", "ABCDEFGHK"); !apperr.IsKind(err, apperr.RateLimited) {
		t.Errorf("a third look-up of the code: %v", err)
	}
	var plain int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM rate_limits WHERE key LIKE '%kiosk%' OR key LIKE '%ABCDEFGHK%'
		OR subject_sealed IS NULL`).Scan(&plain); err != nil || plain != 0 {
		t.Errorf("%d keys hold a code or an address in the clear (%v)", plain, err)
	}
}
