package flows_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
)

// BenchmarkStreams500 holds 500 kiosk payment streams open on one replica
// whose pool has 10 connections, and meanwhile times the API a kiosk uses
// (open a guide session, one turn, read the session back) from 8 clients
// over real HTTP. Halfway an order is paid at the gateway: its 100 streams
// must each get the "paid" event. Target: API p95 < 50 ms, one listening
// connection in the database.
//
//	go test ./assistant/flows -run '^$' -bench Streams500 -benchtime 1x
func BenchmarkStreams500(b *testing.B) {
	const streams, poolSize, clients, rounds = 500, 10, 8, 40
	e := newEnvPool(b, dbtest.NewSized(b, poolSize))
	e.streams.PerStation, e.streams.PerAddress = streams, streams // one station, one address here
	orders := e.pendingOrders(b, 5)
	watch := e.holdStreams(b, orders, streams)
	defer watch.close()

	var all []time.Duration
	for b.Loop() {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := e.kioskRounds(b, rounds)
				mu.Lock()
				all = append(all, d...)
				mu.Unlock()
			}()
		}
		time.Sleep(500 * time.Millisecond)
		e.payAtGateway(b, orders[0].order, "pay")
		wg.Wait()
	}
	paid := watch.waitPaid(100, 10*time.Second)
	var listeners int
	e.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&listeners)
	slices.Sort(all)
	p := func(q float64) float64 { return float64(all[int(q*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(float64(len(all)), "requests")
	b.ReportMetric(float64(watch.open.Load()), "streams-open")
	b.ReportMetric(float64(paid), "paid-events")
	b.ReportMetric(float64(listeners), "listeners")
	if listeners != 1 {
		b.Errorf("%d listening connections, want 1", listeners)
	}
	if paid != 100 {
		b.Errorf("%d of the paid order's 100 streams got the paid event", paid)
	}
	if p(0.95) >= 50 {
		b.Errorf("API p95 %.1f ms with %d streams open, target < 50 ms", p(0.95), streams)
	}
}

// pendingOrder is a guide session waiting on its payment order.
type pendingOrder struct {
	session string
	order   *assistant.PaymentOrder
}

// pendingOrders takes n conversations to a bill's QR, each a different bill.
func (e *env) pendingOrders(tb testing.TB, n int) []pendingOrder {
	tb.Helper()
	ctx := context.Background()
	var out []pendingOrder
	for i := range n {
		r, err := e.assistant.Start(ctx, assistant.StartRequest{StationID: e.stationID, KioskSessionID: e.visitID})
		if err != nil {
			tb.Fatal(err)
		}
		var last *assistant.Reply
		for _, m := range []assistant.Message{{Text: "đóng tiền nước"}, {Choice: "p:" + assistant.SlugBillPayment}, {Choice: "skip"},
			{Choice: "opt:water"}, {Text: fmt.Sprintf("DEMO%04d", i+1)}, {Choice: "skip"}, {Choice: "confirm"}, {Text: "1"}} {
			if last, err = e.assistant.Send(ctx, r.SessionID, m, assistant.SendOptions{}); err != nil {
				tb.Fatal(err)
			}
		}
		if last.Stage != assistant.StagePay || last.Payment == nil {
			tb.Fatalf("ended at %s: %s", last.Stage, last.Reply)
		}
		out = append(out, pendingOrder{session: r.SessionID, order: last.Payment})
	}
	return out
}

// heldStreams are open payment streams read by goroutines.
type heldStreams struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	open   atomic.Int64
	paid   atomic.Int64
}

// holdStreams opens n payment streams spread over the orders' sessions and
// returns once each has had its first event.
func (e *env) holdStreams(tb testing.TB, orders []pendingOrder, n int) *heldStreams {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &heldStreams{cancel: cancel}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: -1}}
	var first sync.WaitGroup
	for i := range n {
		first.Add(1)
		h.wg.Add(1)
		go func(session string) {
			defer h.wg.Done()
			once := sync.OnceFunc(first.Done)
			defer once()
			req, _ := http.NewRequestWithContext(ctx, "GET", e.api.URL+"/api/v1/sessions/"+session+"/payment/events", nil)
			req.Header.Set("Authorization", "Bearer "+e.token)
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				return
			}
			defer resp.Body.Close()
			h.open.Add(1)
			defer h.open.Add(-1)
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				line := sc.Text()
				if strings.HasPrefix(line, "data:") {
					once()
					if strings.Contains(line, `"state":"paid"`) {
						h.paid.Add(1)
					}
				}
			}
		}(orders[i%len(orders)].session)
	}
	first.Wait()
	if got := h.open.Load(); got != int64(n) {
		cancel()
		tb.Fatalf("%d of %d streams opened", got, n)
	}
	return h
}

// waitPaid waits until want streams saw the paid event, or until timeout.
func (h *heldStreams) waitPaid(want int64, timeout time.Duration) int64 {
	deadline := time.Now().Add(timeout)
	for h.paid.Load() < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	return h.paid.Load()
}

func (h *heldStreams) close() { h.cancel(); h.wg.Wait() }

// kioskRounds plays rounds of what a kiosk asks of the API (open a guide
// session, one turn, read it back) and returns each request's time.
func (e *env) kioskRounds(tb testing.TB, rounds int) []time.Duration {
	client := &http.Client{Timeout: 10 * time.Second}
	var out []time.Duration
	call := func(method, path, body string) string {
		req, _ := http.NewRequest(method, e.api.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			tb.Errorf("%s %s: %v", method, path, err)
			return ""
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out = append(out, time.Since(start))
		if resp.StatusCode >= 300 {
			tb.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
		return string(data)
	}
	for range rounds {
		created := call("POST", "/api/v1/sessions", `{"kiosk_session_id":"`+e.visitID+`"}`)
		_, rest, _ := strings.Cut(created, `"id":"`)
		id, _, _ := strings.Cut(rest, `"`)
		if id == "" {
			return out
		}
		call("POST", "/api/v1/sessions/"+id+"/messages", `{"text":"làm căn cước cần giấy tờ gì"}`)
		call("GET", "/api/v1/sessions/"+id, "")
	}
	return out
}
