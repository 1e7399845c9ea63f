package kiosk_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/kiosk"
)

var heartbeatRound = flag.Duration("heartbeat-round", 60*time.Second,
	"time in which the 2,000 stations of BenchmarkHeartbeat2000Stations each beat once (60s is production; less is a heavier load)")

// BenchmarkHeartbeat2000Stations measures heartbeat latency over loopback
// HTTP with the real server, middleware and PostgreSQL: 2,000 registered
// stations each beat once per round (-heartbeat-round, 60 s as in
// production), arriving open-loop at evenly spaced times, so queueing
// counts. Every 50th beat changes a printer's paper state and writes an
// event. A first, unmeasured burst brings the stations online.
//
//	go test -run '^$' -bench Heartbeat -benchtime 1x ./kiosk/
//	go test -run '^$' -bench Heartbeat -benchtime 1x ./kiosk/ -heartbeat-round 6s   # ten times the load
func BenchmarkHeartbeat2000Stations(b *testing.B) {
	const stations = 2000
	pool := dbtest.New(b)
	svc := kiosk.NewService(pool, kiosk.DefaultConfig(), quiet)
	srv := httptest.NewServer(httpserver.New(httpserver.Options{Logger: quiet}, &kiosk.Handler{Service: svc}).Handler())
	defer srv.Close()
	tokens := make([]string, stations)
	for i := range tokens {
		_, token, err := svc.AddStation(context.Background(), admin, kiosk.NewStation{Name: fmt.Sprintf("Trạm %04d", i), WardCode: "26740"})
		if err != nil {
			b.Fatal(err)
		}
		tokens[i] = token
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var latencies []time.Duration
	var failures int
	// Round 0 brings every station online and warms the connections, as in
	// production, where stations have been beating for a while; it is not
	// measured.
	for n := range b.N + 1 {
		round := *heartbeatRound
		if n == 0 {
			round = time.Second // the warm-up is a burst
		}
		l, f := beatRound(client, srv.URL, tokens, n, round)
		if n == 0 {
			b.ResetTimer()
			continue
		}
		latencies, failures = append(latencies, l...), failures+f
	}
	b.StopTimer()
	if failures > 0 {
		b.Fatalf("%d heartbeats failed", failures)
	}
	slices.Sort(latencies)
	q := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
	b.ReportMetric(0, "ns/op")
}

// beatRound sends round n's heartbeat of every station, spread evenly over
// round (open loop, so queueing counts), and returns their latencies and
// how many failed.
func beatRound(client *http.Client, base string, tokens []string, n int, round time.Duration) ([]time.Duration, int) {
	var (
		mu        sync.Mutex
		wg        sync.WaitGroup
		latencies []time.Duration
		failures  int
	)
	start := time.Now()
	for i, token := range tokens {
		time.Sleep(time.Until(start.Add(round * time.Duration(i) / time.Duration(len(tokens)))))
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", base+"/api/v1/kiosk/heartbeat", bytes.NewReader(heartbeatBody(i, n)))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			t0 := time.Now()
			resp, err := client.Do(req)
			d := time.Since(t0)
			ok := err == nil && resp.StatusCode == 200
			if err == nil {
				resp.Body.Close()
			}
			mu.Lock()
			latencies = append(latencies, d)
			if !ok {
				failures++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return latencies, failures
}

// heartbeatBody is station i's heartbeat in round n: five peripherals
// online; every 50th beat reports the printer's paper low, a change that
// writes an event.
func heartbeatBody(i, n int) []byte {
	paper := "full"
	if (i+n)%50 == 0 {
		paper = "low"
	}
	return []byte(`{"app_version":"1.4.2","uptime_seconds":` + fmt.Sprint(3600+n*60) + `,"network":{"type":"ethernet","ip":"10.0.0.1","latency_ms":12},` +
		`"peripherals":[{"id":"printer","class":"receipt_printer","status":"online","paper":"` + paper + `"},` +
		`{"id":"scanner","class":"document_scanner","status":"online"},{"id":"camera","class":"camera","status":"online"},` +
		`{"id":"card","class":"card_reader","status":"online"},{"id":"bp","class":"blood_pressure_monitor","status":"online"}]}`)
}
