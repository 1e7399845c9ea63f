package reports

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/citizenstation/citizenstation/internal/jobs"
)

// dispatch is the city's dispatch endpoint: it fails the first failures
// requests, then takes notifications.
type dispatch struct {
	mu       sync.Mutex
	failures int
	calls    int
	got      []Notification
}

func (d *dispatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	if d.calls <= d.failures {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var n Notification
	if err := json.NewDecoder(r.Body).Decode(&n); err != nil || r.Header.Get("Idempotency-Key") == "" {
		http.Error(w, "bad notification", http.StatusBadRequest)
		return
	}
	d.got = append(d.got, n)
}

func (d *dispatch) received() []Notification {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Notification(nil), d.got...)
}

// notifyEnv is a report service whose departments are notified through a
// River queue working in the test, retrying every 50 ms.
func notifyEnv(t *testing.T, d *dispatch) (*Service, *jobs.Queue) {
	svc, pool := newTestService(t, nil)
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	w := &NotifyWorker{Pool: pool, URL: srv.URL, RetryAfter: 50 * time.Millisecond}
	q, err := jobs.New(pool, slog.New(slog.DiscardHandler), jobs.Config{Work: true, MaxWorkers: 2,
		Register: []func(*river.Workers){func(ws *river.Workers) { river.AddWorker(ws, w) }}})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
	svc.SetNotifier(q)
	return svc, q
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s", what)
		}
	}
}

// A fire with someone hurt goes to the fire police and the ambulance
// centre: each is notified once, after the dispatch endpoint's failures,
// with identifiers and no word of what the resident wrote.
func TestDepartmentsAreNotifiedWithRetries(t *testing.T) {
	d := &dispatch{failures: 2}
	svc, _ := notifyEnv(t, d)
	sub := submission("fire", inTanDinh)
	sub.Injury, sub.Description = true, "Cháy bếp tầng 3, ông Nguyễn Văn A bị bỏng"
	r, err := svc.Submit(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "two notifications", func() bool { return len(d.received()) == 2 })
	time.Sleep(200 * time.Millisecond) // a duplicate would come now
	got := d.received()
	depts := map[string]bool{}
	for _, n := range got {
		depts[n.Department] = true
		if n.ReportID != r.ID || n.Code != r.Code || n.Category != "fire" || n.Urgency != "critical" || n.WardCode != tanDinh {
			t.Errorf("notification %+v of report %+v", n, r)
		}
	}
	if len(got) != 2 || !depts["PC07"] || !depts["CC115"] {
		t.Errorf("notified %v, want PC07 and CC115 once each", got)
	}
	raw, _ := json.Marshal(got)
	for _, word := range []string{"Nguyễn", "bỏng", "Cháy"} {
		if strings.Contains(string(raw), word) {
			t.Errorf("a notification carries the resident's words: %s", raw)
		}
	}
}

// A notification the endpoint never takes ends discarded, for staff to see
// and run again.
func TestUndeliveredNotificationIsDiscarded(t *testing.T) {
	d := &dispatch{failures: 1 << 30}
	svc, q := notifyEnv(t, d)
	if _, err := svc.Submit(context.Background(), submission("drugs", inSaiGon)); err != nil {
		t.Fatal(err)
	}
	var failed []jobs.Failed
	waitUntil(t, "the notification discarded", func() bool {
		failed, _ = q.Discarded(context.Background(), 10)
		return len(failed) == 1
	})
	if f := failed[0]; f.Kind != "report-notify" || f.Attempts != jobs.DefaultAttempts || !strings.Contains(f.LastError, "503") {
		t.Errorf("discarded %+v", f)
	}
}
