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

// loadRun is one run of the load test: the server under load, its
// duty-officer and command-centre feeds, and what each report went through.
type loadRun struct {
	b      *testing.B
	s      *testServer
	base   string
	client *http.Client
	photo  []byte

	mu    sync.Mutex
	times map[string]*loadTimes // by report ID
	// submit is how long each stored report's POST took.
	submit []time.Duration

	sent, stored, failed, skipped, ackErrors atomic.Int64
}

// loadCount is what the database holds after the run.
type loadCount struct {
	reports, unrouted, badCC, badWard, codes, media, exifLeft int
}

// loadLatencies are the run's delays, one entry per report that got there.
type loadLatencies struct {
	feed, ack, endToEnd          []time.Duration
	seenTwice, notSeen, notAcked int
}

// loadCategories are the categories the residents' reports cycle through.
var loadCategories = []string{"theft", "violence", "suspicious", "traffic_accident", "drugs", "gambling", "public_order", "fire"}

// runLoad offers rate reports a second for duration to a server whose pool
// holds poolSize connections, while the duty officer acknowledges them and
// the command centre watches, then counts and logs what happened.
func runLoad(b *testing.B, rate int, duration time.Duration, poolSize int) {
	l := startLoadServer(b, poolSize)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watching := l.watch(l.openFeed(ctx, l.s.centre)) // the command centre's screen
	acking := l.acknowledge(l.openFeed(ctx, l.s.saiGon), 32)

	loadBefore, _ := os.ReadFile("/proc/loadavg")
	b.ResetTimer()
	total, elapsed := l.offer(rate, duration)
	l.awaitAcknowledgements(15 * time.Second)
	b.StopTimer()
	cancel()
	watching.Wait()
	acking.Wait()

	count := l.count()
	goCPU, pgCPU := l.cpu()
	lat := l.latencies()
	b.Logf("pool_max_conns %d; load average before %s", poolSize, loadBefore)
	b.Logf("load: %d/s for %s: offered %d, sent %d, stored %d, failed %d, skipped (512 in flight) %d; all answered after %.1f s (%.1f stored/s)",
		rate, duration, total, l.sent.Load(), l.stored.Load(), l.failed.Load(), l.skipped.Load(), elapsed.Seconds(), float64(l.stored.Load())/elapsed.Seconds())
	if n := l.stored.Load(); n > 0 {
		b.Logf("CPU per report (with its acknowledgement): %v in this process (server + load generator), %v in PostgreSQL backends",
			goCPU/time.Duration(n), pgCPU/time.Duration(n))
	}
	l.judge(count, lat, elapsed)
}

// startLoadServer starts the server on a fresh database with a pool of
// poolSize connections (pool_max_conns in STATION_DATABASE_URL; pgx's
// default is 4 on this machine), no rate limits and no access logs: at this
// rate they would cost more than the work.
func startLoadServer(b *testing.B, poolSize int) *loadRun {
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
	staffSvc := staff.NewService(s.pool, staff.DefaultConfig())
	h := &Handler{Service: s.svc, Hub: s.hub, Staff: staffSvc}
	ln := httptest.NewServer(httpserver.New(httpserver.Options{Logger: slog.New(slog.DiscardHandler)}, &staff.Handler{Service: staffSvc}, h).Handler())
	b.Cleanup(ln.Close)
	return &loadRun{
		b: b, s: s, base: ln.URL, photo: loadPhoto(b), times: map[string]*loadTimes{},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}, Timeout: 30 * time.Second},
	}
}

// entry is the moments of report id; l.mu must be held.
func (l *loadRun) entry(id string) *loadTimes {
	t, ok := l.times[id]
	if !ok {
		t = &loadTimes{}
		l.times[id] = t
	}
	return t
}

// openFeed opens the duty feed as c until ctx ends.
func (l *loadRun) openFeed(ctx context.Context, c *stafftest.Client) <-chan FeedEvent {
	req, _ := http.NewRequestWithContext(ctx, "GET", l.base+"/api/v1/duty/feed", nil)
	c.Authorize(req)
	resp, err := (&http.Client{}).Do(req)
	if err != nil || resp.StatusCode != 200 {
		l.b.Fatalf("feed: %v", err)
	}
	return readFeed(resp.Body)
}

// watch notes when each report and its acknowledgement appear on the
// command centre's feed, until the feed ends.
func (l *loadRun) watch(feed <-chan FeedEvent) *sync.WaitGroup {
	var done sync.WaitGroup
	done.Add(1)
	go func() {
		defer done.Done()
		for ev := range feed {
			l.mu.Lock()
			t := l.entry(ev.ReportID)
			switch {
			case ev.Action == "received":
				t.seen, t.seenCount = ev.At, t.seenCount+1
			case ev.Status == Acknowledged:
				t.acked, t.ackedCount = ev.At, t.ackedCount+1
			}
			l.mu.Unlock()
		}
	}()
	return &done
}

// acknowledge has the duty officer, from workers screens at once,
// acknowledge every report as it appears on the feed.
func (l *loadRun) acknowledge(feed <-chan FeedEvent, workers int) *sync.WaitGroup {
	var done sync.WaitGroup
	for w := 0; w < workers; w++ {
		done.Add(1)
		go func() {
			defer done.Done()
			for ev := range feed {
				if ev.Action == "received" {
					l.acknowledgeOne(ev.ReportID)
				}
			}
		}()
	}
	return &done
}

func (l *loadRun) acknowledgeOne(id string) {
	l.mu.Lock()
	l.entry(id).ackSent = time.Now()
	l.mu.Unlock()
	req, _ := http.NewRequest("POST", l.base+"/api/v1/duty/reports/"+id+"/transitions",
		bytes.NewReader([]byte(`{"to":"acknowledged","note":"Đã nhận, đang xác minh"}`)))
	req.Header.Set("Content-Type", "application/json")
	l.s.saiGon.Authorize(req)
	resp, err := l.client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		l.ackErrors.Add(1)
	}
	if resp != nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// offer sends rate reports a second for duration in an open loop on a
// fixed schedule: the n-th report is due at start + n/rate; after a stall
// the generator catches up instead of dropping ticks, so the offered load
// is rate × duration exactly. With 512 in flight, a report is skipped
// (counted, not queued): the server is behind. It returns the reports
// offered and the time until the last was answered.
func (l *loadRun) offer(rate int, duration time.Duration) (int, time.Duration) {
	l.submit = make([]time.Duration, 0, rate*int(duration.Seconds()))
	inflight := make(chan struct{}, 512)
	var wg sync.WaitGroup
	start := time.Now()
	total := int(duration.Seconds() * float64(rate))
	for n := 0; n < total; n++ {
		if wait := time.Until(start.Add(time.Duration(n) * time.Second / time.Duration(rate))); wait > 0 {
			time.Sleep(wait)
		}
		select {
		case inflight <- struct{}{}:
		default:
			l.skipped.Add(1)
			continue
		}
		wg.Add(1)
		l.sent.Add(1)
		go func(n int) {
			defer wg.Done()
			defer func() { <-inflight }()
			l.send(n)
		}(n)
	}
	wg.Wait()
	return total, time.Since(start)
}

// send posts the n-th report with its photo, somewhere in Sài Gòn (the
// officer's ward), and notes when it was sent and stored.
func (l *loadRun) send(n int) {
	lat := 10.7705 + rand.Float64()*0.014
	lng := 106.7005 + rand.Float64()*0.011
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("category", loadCategories[n%len(loadCategories)])
	mw.WriteField("description", fmt.Sprintf("Phản ánh thử tải số %d", n))
	mw.WriteField("lat", strconv.FormatFloat(lat, 'f', 6, 64))
	mw.WriteField("lng", strconv.FormatFloat(lng, 'f', 6, 64))
	mw.WriteField("device_id", "load-"+strconv.Itoa(n%5000))
	fw, _ := mw.CreateFormFile("files", "photo.jpg")
	fw.Write(l.photo)
	mw.Close()
	req, _ := http.NewRequest("POST", l.base+"/api/v1/reports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	t0 := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		l.failed.Add(1)
		return
	}
	defer resp.Body.Close()
	var r Receipt
	if resp.StatusCode != 201 || json.NewDecoder(resp.Body).Decode(&r) != nil {
		l.failed.Add(1)
		return
	}
	t1 := time.Now()
	l.stored.Add(1)
	l.mu.Lock()
	t := l.entry(r.ID)
	t.sent, t.stored = t0, t1
	l.submit = append(l.submit, t1.Sub(t0))
	l.mu.Unlock()
}

// awaitAcknowledgements lets the last acknowledgements reach the feed, for
// up to limit.
func (l *loadRun) awaitAcknowledgements(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		done := 0
		for _, t := range l.times {
			if t.ackedCount > 0 {
				done++
			}
		}
		l.mu.Unlock()
		if int64(done) >= l.stored.Load() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// count reads the tables: every stored report should be there once, with
// its ward, departments and command-centre copy once each, and nothing else.
func (l *loadRun) count() loadCount {
	var c loadCount
	q := l.s.pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM reports),
		(SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM report_routes WHERE report_id = r.id)),
		(SELECT count(*) FROM reports r WHERE (SELECT count(*) FROM report_routes WHERE report_id = r.id AND kind = 'command_centre') <> 1),
		(SELECT count(*) FROM reports r WHERE (SELECT count(*) FROM report_routes WHERE report_id = r.id AND kind = 'ward' AND code = $1) <> 1),
		(SELECT count(DISTINCT code) FROM reports),
		(SELECT count(*) FROM report_media),
		(SELECT count(*) FROM report_media WHERE position('\x457869660000'::bytea IN data) > 0)`, saiGon)
	if err := q.Scan(&c.reports, &c.unrouted, &c.badCC, &c.badWard, &c.codes, &c.media, &c.exifLeft); err != nil {
		l.b.Fatal(err)
	}
	return c
}

// cpu is the CPU spent by this process (server and load generator) and by
// the PostgreSQL backends serving this database.
func (l *loadRun) cpu() (goCPU, pgCPU time.Duration) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	goCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	rows, _ := l.s.pool.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	for rows.Next() {
		var pid int
		rows.Scan(&pid)
		pgCPU += procCPU(pid)
	}
	rows.Close()
	return goCPU, pgCPU
}

// latencies are the delays of the stored reports: to the feed, from the
// acknowledgement to the feed, and from sending to the acknowledgement on
// the feed; with the reports seen twice, never, or never acknowledged.
func (l *loadRun) latencies() loadLatencies {
	var lat loadLatencies
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, t := range l.times {
		if t.stored.IsZero() {
			continue
		}
		switch {
		case t.seenCount == 0:
			lat.notSeen++
		case t.seenCount > 1:
			lat.seenTwice++
		default:
			lat.feed = append(lat.feed, t.seen.Sub(t.stored))
		}
		if t.ackedCount == 0 {
			lat.notAcked++
			continue
		}
		lat.ack = append(lat.ack, t.acked.Sub(t.ackSent))
		lat.endToEnd = append(lat.endToEnd, t.acked.Sub(t.sent))
	}
	return lat
}

// judge logs the counts and latencies, reports the metrics and fails the
// run unless every report was stored, routed and shown exactly once and
// acknowledgements reached the feed within a second (p95).
func (l *loadRun) judge(c loadCount, lat loadLatencies, elapsed time.Duration) {
	b := l.b
	b.Logf("count after: %d reports, %d distinct codes, %d unrouted, %d without exactly one command-centre route, %d without exactly one ward route, %d photos (%d with EXIF left)",
		c.reports, c.codes, c.unrouted, c.badCC, c.badWard, c.media, c.exifLeft)
	b.Logf("feed: %d seen once, %d twice, %d never; %d not acknowledged; ack errors %d", len(lat.feed), lat.seenTwice, lat.notSeen, lat.notAcked, l.ackErrors.Load())
	b.Logf("submit latency      p50 %v  p95 %v  p99 %v", pct(l.submit, 50), pct(l.submit, 95), pct(l.submit, 99))
	b.Logf("stored → on feed    p50 %v  p95 %v  p99 %v", pct(lat.feed, 50), pct(lat.feed, 95), pct(lat.feed, 99))
	b.Logf("ack sent → on feed  p50 %v  p95 %v  p99 %v", pct(lat.ack, 50), pct(lat.ack, 95), pct(lat.ack, 99))
	b.Logf("sent → ack on feed  p50 %v  p95 %v  p99 %v", pct(lat.endToEnd, 50), pct(lat.endToEnd, 95), pct(lat.endToEnd, 99))
	b.ReportMetric(float64(l.stored.Load())/elapsed.Seconds(), "reports/s")
	b.ReportMetric(float64(pct(l.submit, 95).Milliseconds()), "submit-p95-ms")
	b.ReportMetric(float64(pct(lat.feed, 95).Milliseconds()), "feed-p95-ms")
	b.ReportMetric(float64(pct(lat.ack, 95).Milliseconds()), "ack-feed-p95-ms")
	ok := int64(c.reports) == l.stored.Load() && c.unrouted == 0 && c.badCC == 0 && c.badWard == 0 && c.codes == c.reports &&
		c.media == c.reports && c.exifLeft == 0 && lat.seenTwice == 0 && lat.notSeen == 0
	if !ok {
		b.Errorf("not every report was stored, routed and shown exactly once")
	}
	if p95 := pct(lat.ack, 95); p95 >= time.Second || lat.notAcked > 0 {
		b.Errorf("acknowledgement on the feed: p95 %v (target < 1 s), %d never acknowledged", p95, lat.notAcked)
	}
	if l.failed.Load() > 0 || l.ackErrors.Load() > 0 {
		b.Errorf("%d submissions and %d acknowledgements failed", l.failed.Load(), l.ackErrors.Load())
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
