package reports

import (
	"context"
	"testing"
	"time"
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
		h := NewHub(pool, nil)
		go h.Run(ctx)
		<-h.Ready()
		hubs = append(hubs, h)
	}
	var subs []*Subscription
	for i := 0; i < 50; i++ {
		subs = append(subs, hubs[i%2].Subscribe(Officer{CommandCentre: true}))
	}
	ward := hubs[1].Subscribe(Officer{Wards: []string{benThanh}})

	var listeners int
	pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN `+feedChannel+`'`).Scan(&listeners)
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
	h := NewHub(pool, nil)
	go h.Run(ctx)
	<-h.Ready()
	sub := h.Subscribe(Officer{CommandCentre: true})
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+feedChannel+`'`); err != nil {
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
