package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
)

// BenchmarkReportsLoad is the load test of issue 8: residents send reports
// with a photo at a fixed rate over loopback, a duty officer acknowledges
// each one as it appears on the live feed, and the command centre watches.
// Afterwards every report is counted: stored and routed exactly once.
//
//	go test -run '^$' -bench ReportsLoad -benchtime 1x ./reports
//
// STATION_LOAD_RATE (reports/s, default 200) and STATION_LOAD_DURATION
// (default 60s) change the load; STATION_LOAD_POOL (default 16) is the
// server's pool_max_conns.
func BenchmarkReportsLoad(b *testing.B) {
	rate := envInt("STATION_LOAD_RATE", 200)
	duration, err := time.ParseDuration(envString("STATION_LOAD_DURATION", "60s"))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		runLoad(b, rate, duration, envInt("STATION_LOAD_POOL", 16))
	}
}

func envString(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	n, err := strconv.Atoi(os.Getenv(k))
	if err != nil || n <= 0 {
		return def
	}
	return n
}

// loadPhoto is a 640×480 JPEG of about 40 kB with a GPS position in its
// EXIF, as a phone sends it; the server strips it on every report.
func loadPhoto(tb testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	r := rand.New(rand.NewPCG(1, 2))
	for x := 0; x < 640; x++ {
		for y := 0; y < 480; y++ {
			img.Set(x, y, color.RGBA{uint8(x / 3), uint8(y / 2), uint8(r.IntN(40)), 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 75})
	tiff := exifGPS(inSaiGon[0], inSaiGon[1])
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{0xFF, 0xD8}, append(seg, payload...)...)
	return append(out, buf.Bytes()[2:]...)
}

// loadTimes is when each moment of one report happened.
type loadTimes struct {
	sent, stored, seen, ackSent, acked time.Time
	seenCount, ackedCount              int
}

func runLoad(b *testing.B, rate int, duration time.Duration, poolSize int) {
	// The pool size is a production setting (pool_max_conns in
	// STATION_DATABASE_URL); pgx's default is 4 on this machine.
	url, drop, err := dbtest.Create(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(drop)
	pool, err := database.Open(context.Background(), url+"?pool_max_conns="+strconv.Itoa(poolSize), 10*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	s := newTestServerOn(b, pool, func(c *Config) {
		c.RatePerDevice, c.RatePerPhone, c.RatePerStation, c.RatePerAddress = 1_000_000, 1_000_000, 1_000_000, 1_000_000
	})
	// Quiet access logs: at this rate they would cost more than the work.
	staffSvc := staff.NewService(s.pool, staff.DefaultConfig())
	h := &HTTP{Service: s.svc, Hub: s.hub, Staff: staffSvc}
	ln := httptest.NewUnstartedServer(httpserver.New(httpserver.Options{Logger: slog.New(slog.DiscardHandler)}, staffSvc, h).Handler())
	ln.Start() // 127.0.0.1
	defer ln.Close()
	base := ln.URL
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}, Timeout: 30 * time.Second}

	var mu sync.Mutex
	times := map[string]*loadTimes{}
	entry := func(id string) *loadTimes {
		t, ok := times[id]
		if !ok {
			t = &loadTimes{}
			times[id] = t
		}
		return t
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	openFeed := func(c *stafftest.Client) <-chan FeedEvent {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/duty/feed", nil)
		c.Authorize(req)
		resp, err := (&http.Client{}).Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("feed: %v", err)
		}
		return readFeed(resp.Body)
	}
	watch := openFeed(s.centre)   // the command centre's screen
	officer := openFeed(s.saiGon) // the Sài Gòn duty officer's screen

	// The command centre's screen: when each report and its
	// acknowledgement appear.
	var watchDone sync.WaitGroup
	watchDone.Add(1)
	go func() {
		defer watchDone.Done()
		for ev := range watch {
			mu.Lock()
			t := entry(ev.ReportID)
			switch {
			case ev.Action == "received":
				t.seen, t.seenCount = ev.At, t.seenCount+1
			case ev.Status == Acknowledged:
				t.acked, t.ackedCount = ev.At, t.ackedCount+1
			}
			mu.Unlock()
		}
	}()
	// The duty officer acknowledges every report as it appears.
	var ackErrors atomic.Int64
	var officers sync.WaitGroup
	for w := 0; w < 32; w++ {
		officers.Add(1)
		go func() {
			defer officers.Done()
			for ev := range officer {
				if ev.Action != "received" {
					continue
				}
				mu.Lock()
				entry(ev.ReportID).ackSent = time.Now()
				mu.Unlock()
				req, _ := http.NewRequest("POST", base+"/api/v1/duty/reports/"+ev.ReportID+"/transitions",
					bytes.NewReader([]byte(`{"to":"acknowledged","note":"Đã nhận, đang xác minh"}`)))
				req.Header.Set("Content-Type", "application/json")
				s.saiGon.Authorize(req)
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != 200 {
					ackErrors.Add(1)
				}
				if resp != nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}

	photo := loadPhoto(b)
	categories := []string{"theft", "violence", "suspicious", "traffic_accident", "drugs", "gambling", "public_order", "fire"}
	var (
		sent, stored, failed, skipped atomic.Int64
		submit                        = make([]time.Duration, 0, rate*int(duration.Seconds()))
		inflight                      = make(chan struct{}, 512)
		wg                            sync.WaitGroup
	)
	loadBefore, _ := os.ReadFile("/proc/loadavg")
	b.ResetTimer()
	start := time.Now()
	// Open loop on a fixed schedule: the n-th report is due at start +
	// n/rate; after a stall the generator catches up instead of dropping
	// ticks, so the offered load is rate × duration exactly.
	total := int(duration.Seconds() * float64(rate))
	for n := 0; n < total; n++ {
		if wait := time.Until(start.Add(time.Duration(n) * time.Second / time.Duration(rate))); wait > 0 {
			time.Sleep(wait)
		}
		select {
		case inflight <- struct{}{}:
		default:
			skipped.Add(1) // the server is behind: counted, not queued
			continue
		}
		wg.Add(1)
		sent.Add(1)
		go func(n int) {
			defer wg.Done()
			defer func() { <-inflight }()
			// Every report is in Sài Gòn (the officer's ward), spread over it.
			lat := 10.7705 + rand.Float64()*0.014
			lng := 106.7005 + rand.Float64()*0.011
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("category", categories[n%len(categories)])
			mw.WriteField("description", fmt.Sprintf("Phản ánh thử tải số %d", n))
			mw.WriteField("lat", strconv.FormatFloat(lat, 'f', 6, 64))
			mw.WriteField("lng", strconv.FormatFloat(lng, 'f', 6, 64))
			mw.WriteField("device_id", "load-"+strconv.Itoa(n%5000))
			fw, _ := mw.CreateFormFile("files", "photo.jpg")
			fw.Write(photo)
			mw.Close()
			req, _ := http.NewRequest("POST", base+"/api/v1/reports", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			defer resp.Body.Close()
			var r Receipt
			if resp.StatusCode != 201 || json.NewDecoder(resp.Body).Decode(&r) != nil {
				failed.Add(1)
				return
			}
			t1 := time.Now()
			stored.Add(1)
			mu.Lock()
			t := entry(r.ID)
			t.sent, t.stored = t0, t1
			submit = append(submit, t1.Sub(t0))
			mu.Unlock()
		}(n)
	}
	wg.Wait()
	elapsed := time.Since(start)
	// Let the last acknowledgements reach the feed.
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		done := 0
		for _, t := range times {
			if t.ackedCount > 0 {
				done++
			}
		}
		mu.Unlock()
		if int64(done) >= stored.Load() {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.StopTimer()
	cancel()
	watchDone.Wait()
	officers.Wait()

	// Count: every stored report once, with its ward, departments and
	// command-centre copy once each, and nothing else in the table.
	var reports, unrouted, badCC, badWard, codes, media, exifLeft int
	q := s.pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM reports),
		(SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM report_routes WHERE report_id = r.id)),
		(SELECT count(*) FROM reports r WHERE (SELECT count(*) FROM report_routes WHERE report_id = r.id AND kind = 'command_centre') <> 1),
		(SELECT count(*) FROM reports r WHERE (SELECT count(*) FROM report_routes WHERE report_id = r.id AND kind = 'ward' AND code = $1) <> 1),
		(SELECT count(DISTINCT code) FROM reports),
		(SELECT count(*) FROM report_media),
		(SELECT count(*) FROM report_media WHERE position('\x457869660000'::bytea IN data) > 0)`, saiGon)
	if err := q.Scan(&reports, &unrouted, &badCC, &badWard, &codes, &media, &exifLeft); err != nil {
		b.Fatal(err)
	}
	// CPU spent: this process (server and load generator) and the
	// PostgreSQL backends serving this database.
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	goCPU := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	var pgCPU time.Duration
	rows, _ := s.pool.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	for rows.Next() {
		var pid int
		rows.Scan(&pid)
		pgCPU += procCPU(pid)
	}
	rows.Close()
	var feedLat, ackLat, endToEnd []time.Duration
	var seenTwice, notSeen, notAcked int
	mu.Lock()
	for _, t := range times {
		if t.stored.IsZero() {
			continue
		}
		switch {
		case t.seenCount == 0:
			notSeen++
		case t.seenCount > 1:
			seenTwice++
		default:
			feedLat = append(feedLat, t.seen.Sub(t.stored))
		}
		if t.ackedCount == 0 {
			notAcked++
			continue
		}
		ackLat = append(ackLat, t.acked.Sub(t.ackSent))
		endToEnd = append(endToEnd, t.acked.Sub(t.sent))
	}
	mu.Unlock()

	ok := int64(reports) == stored.Load() && unrouted == 0 && badCC == 0 && badWard == 0 && codes == reports &&
		media == reports && exifLeft == 0 && seenTwice == 0 && notSeen == 0
	b.Logf("pool_max_conns %d; load average before %s", poolSize, loadBefore)
	b.Logf("load: %d/s for %s: offered %d, sent %d, stored %d, failed %d, skipped (512 in flight) %d; all answered after %.1f s (%.1f stored/s)",
		rate, duration, total, sent.Load(), stored.Load(), failed.Load(), skipped.Load(), elapsed.Seconds(), float64(stored.Load())/elapsed.Seconds())
	b.Logf("count after: %d reports, %d distinct codes, %d unrouted, %d without exactly one command-centre route, %d without exactly one ward route, %d photos (%d with EXIF left)",
		reports, codes, unrouted, badCC, badWard, media, exifLeft)
	b.Logf("feed: %d seen once, %d twice, %d never; %d not acknowledged; ack errors %d", len(feedLat), seenTwice, notSeen, notAcked, ackErrors.Load())
	if n := stored.Load(); n > 0 {
		b.Logf("CPU per report (with its acknowledgement): %v in this process (server + load generator), %v in PostgreSQL backends",
			goCPU/time.Duration(n), pgCPU/time.Duration(n))
	}
	b.Logf("submit latency      p50 %v  p95 %v  p99 %v", pct(submit, 50), pct(submit, 95), pct(submit, 99))
	b.Logf("stored → on feed    p50 %v  p95 %v  p99 %v", pct(feedLat, 50), pct(feedLat, 95), pct(feedLat, 99))
	b.Logf("ack sent → on feed  p50 %v  p95 %v  p99 %v", pct(ackLat, 50), pct(ackLat, 95), pct(ackLat, 99))
	b.Logf("sent → ack on feed  p50 %v  p95 %v  p99 %v", pct(endToEnd, 50), pct(endToEnd, 95), pct(endToEnd, 99))
	b.ReportMetric(float64(stored.Load())/elapsed.Seconds(), "reports/s")
	b.ReportMetric(float64(pct(submit, 95).Milliseconds()), "submit-p95-ms")
	b.ReportMetric(float64(pct(feedLat, 95).Milliseconds()), "feed-p95-ms")
	b.ReportMetric(float64(pct(ackLat, 95).Milliseconds()), "ack-feed-p95-ms")
	if !ok {
		b.Errorf("not every report was stored, routed and shown exactly once")
	}
	if p95 := pct(ackLat, 95); p95 >= time.Second || notAcked > 0 {
		b.Errorf("acknowledgement on the feed: p95 %v (target < 1 s), %d never acknowledged", p95, notAcked)
	}
	if failed.Load() > 0 || ackErrors.Load() > 0 {
		b.Errorf("%d submissions and %d acknowledgements failed", failed.Load(), ackErrors.Load())
	}
}

// pct returns the p-th percentile of ds.
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))].Round(time.Millisecond / 10)
}

// procCPU returns the CPU time a process has used, from /proc (Linux).
func procCPU(pid int) time.Duration {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: utime and
	// stime are the 12th and 13th of them, in clock ticks (100 a second).
	rest := string(data[bytes.LastIndexByte(data, ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(u+st) * 10 * time.Millisecond
}
