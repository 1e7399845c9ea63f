package reports

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/live"
)

// TestFeedAcrossReplicas runs two hubs, as two replicas of the service
// would, with many clients each: a report stored through one reaches the
// clients of both, and each replica holds one listening connection however
// many clients it serves.
func TestFeedAcrossReplicas(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var hubs []*Hub
	for range 2 {
		h, _ := startHub(t, ctx, pool)
		hubs = append(hubs, h)
	}
	var subs []*Subscription
	for i := 0; i < 50; i++ {
		subs = append(subs, hubs[i%2].Subscribe(Officer{CommandCentre: true}))
	}
	ward := hubs[1].Subscribe(Officer{Wards: []string{benThanh}})

	var listeners int
	pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&listeners)
	if listeners != 2 {
		t.Errorf("%d listening connections for 2 replicas and 51 clients", listeners)
	}

	r, err := svc.Submit(ctx, submission("theft", inSaiGon))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range subs {
		select {
		case ev := <-s.C:
			if ev.ReportID != r.ID || ev.Action != "received" || ev.Ward != saiGon {
				t.Errorf("client %d: %+v", i, ev)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("client %d (replica %d) got nothing", i, i%2)
		}
	}
	select {
	case ev := <-ward.C:
		t.Errorf("Bến Thành client got a Sài Gòn report: %+v", ev)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestFeedReconnects cuts the listening connection: the hub reconnects,
// tells its clients to reload (events may have been missed meanwhile) and
// carries on.
func TestFeedReconnects(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h, _ := startHub(t, ctx, pool)
	sub := h.Subscribe(Officer{CommandCentre: true})
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-sub.C:
		if ev.Action != "resync" {
			t.Fatalf("first event after the cut: %+v", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no resync after the listener was cut")
	}
	r, err := svc.Submit(ctx, submission("theft", inSaiGon))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-sub.C:
		if ev.ReportID != r.ID {
			t.Errorf("event = %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event after reconnecting")
	}
}

// startHub starts a replica's listener and the feed's hub on it until ctx
// ends; done is closed when both stopped.
func startHub(t testing.TB, ctx context.Context, pool *pgxpool.Pool) (*Hub, <-chan struct{}) {
	t.Helper()
	l := live.New(pool, nil, FeedChannel)
	h, err := NewHub(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); l.Run(ctx) }()
		go func() { defer wg.Done(); h.Run(ctx) }()
		wg.Wait()
		close(done)
	}()
	<-h.Ready()
	return h, done
}
