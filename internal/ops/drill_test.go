//go:build ops

package ops

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/loadgen"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// The drill's ports, in the range 18700-18799.
const (
	portPrimary  = 18710
	portStandby  = 18711
	portRestored = 18712
	portReplicaA = 18720
	portReplicaB = 18721
	portProxy    = 18730
	portGateway  = 18740
)

// p95Budget is the README's table ("Operations drill"): the p95 of each
// route over the whole drill, failover included, must stay under it.
var p95Budget = map[string]time.Duration{
	"POST /api/v1/kiosk/heartbeat":               1500 * time.Millisecond,
	"POST /api/v1/kiosk/sessions":                1500 * time.Millisecond,
	"POST /api/v1/sessions":                      2 * time.Second,
	"POST /api/v1/sessions/:id/messages":         3 * time.Second,
	"POST /api/v1/dossiers":                      2 * time.Second,
	"POST /api/v1/dossiers/:id/attachments":      2 * time.Second,
	"POST /api/v1/dossiers/:id/submit":           2 * time.Second,
	"POST /api/v1/payments":                      2 * time.Second,
	"POST /api/v1/reports":                       2 * time.Second,
	"GET /api/v1/staff/dossiers":                 2 * time.Second,
	"POST /api/v1/staff/dossiers/:id/transition": 2 * time.Second,
}

const (
	dataKey  = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=" // the drill's own, thrown away with it
	ward     = "26740"
	password = "Diễn tập vận hành 2026"
	stations = 8
)

// env is the service's environment in the drill: the database by both
// hosts (writes go to whichever is primary), the data directory the
// replicas share, the gateway in this process.
func (d *drill) env(extra ...string) []string {
	return append([]string{
		fmt.Sprintf("STATION_DATABASE_URL=postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/citizenstation?target_session_attrs=read-write&pool_max_conns=12&connect_timeout=3",
			portPrimary, portStandby),
		"STATION_DATA_DIR=" + filepath.Join(d.dir, "data"),
		"STATION_DATA_KEY=" + dataKey,
		"STATION_LOG_FORMAT=json",
		"STATION_DB_WAIT=60s",
	}, extra...)
}

// TestFailoverDrill is the drill of the package comment, phase after
// phase: build and start the clusters and the replicas, load, back up,
// break a replica and the primary under load, then check what clients were
// told against what the new primary holds and restore the backup. It is
// long because it is the runbook read top to bottom: each phase uses what
// the ones before left (clusters, replicas, tokens, the night's counts),
// and the steps within a phase are already methods of drill.
func TestFailoverDrill(t *testing.T) {
	ctx := context.Background()
	d := newDrill(t)
	station := filepath.Join(d.dir, "station")
	build := exec.Command("go", "build", "-o", station, "./cmd/station")
	build.Dir = d.root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	roots := throwawayCert(t, filepath.Join(d.dir, "proxy.pem"))

	// The primary, its database, the service's schema and data.
	primary, standby := d.cluster("primary", portPrimary), d.cluster("standby", portStandby)
	primary.initdb()
	d.writeBackrestConf(primary)
	primary.start()
	if err := primary.query(ctx, "postgres", "CREATE DATABASE citizenstation"); err != nil {
		t.Fatal(err)
	}
	d.run("migrate", false, d.env(), station, "migrate")
	d.run("import", false, d.env(), station, "import")
	d.run("import", false, d.env(), station, "import", "wards", "-if-empty", "sample")
	tokens := d.seed(station)
	d.backrest("stanza-create")
	d.backrest("check")

	// The standby, streaming; then commits wait for it.
	standby.standbyOf(primary)
	standby.start()
	if err := waitFor(ctx, time.Minute, "standby streaming", func() error {
		var state string
		return primary.query(ctx, "postgres", `SELECT state FROM pg_stat_replication WHERE application_name = 'standby'`, &state)
	}); err != nil {
		t.Fatal(err)
	}
	if err := primary.query(ctx, "postgres", `ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby)'`); err != nil {
		t.Fatal(err)
	}
	primary.query(ctx, "postgres", `SELECT pg_reload_conf()`)
	if err := waitFor(ctx, 30*time.Second, "synchronous standby", func() error {
		var sync string
		if err := primary.query(ctx, "postgres", `SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'`, &sync); err != nil {
			return err
		}
		if sync != "sync" {
			return fmt.Errorf("sync_state %s", sync)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	gw := d.gateway(roots)
	replicas := map[string]*proc{"a": d.replica(station, "a", portReplicaA), "b": d.replica(station, "b", portReplicaB)}
	d.proxy()
	api := &loadgen.Client{Base: fmt.Sprintf("https://127.0.0.1:%d", portProxy), HC: loadgen.HTTPClient(roots, 20*time.Second), Lat: &loadgen.Latencies{}}
	if err := waitFor(ctx, time.Minute, "the proxy's /readyz", func() error {
		r, err := api.Once(ctx, "GET /readyz", "GET", "/readyz", nil, "")
		if err == nil && r.Status != 200 {
			err = fmt.Errorf("%d %s", r.Status, r.Body)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// Yesterday: a short day's load, then the night's backup.
	a := loadgen.NewAcked()
	l := d.load(api, tokens, gw, a)
	l.run(ctx, 10*time.Second, nil)
	l.stopStream()
	if a.Failures.Load() > 0 {
		t.Fatalf("%d operations failed before anything was broken", a.Failures.Load())
	}
	nightly, err := primary.counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d.backrest("backup", "--type=full")
	t.Logf("the night's backup holds %v", nightly)

	// Today: the load again, one replica lost, then the primary.
	a = loadgen.NewAcked()
	l = d.load(api, tokens, gw, a)
	served := l.startStream(ctx)
	l.run(ctx, 55*time.Second, []event{
		{at: 12 * time.Second, what: "kill the replica serving the duty feed", do: func() {
			name := served()
			if replicas[name] == nil {
				name = "a"
			}
			t.Logf("killing replica %s", name)
			replicas[name].kill()
		}},
		{at: 25 * time.Second, what: "crash the primary, promote the standby", do: func() {
			primary.crash()
			a.Failover.Store(true)
			start := time.Now()
			d.run("pg-failover", true, []string{"PGDATA=" + standby.data, "PGHOST=127.0.0.1", fmt.Sprintf("PGPORT=%d", portStandby), "PGUSER=postgres", "PG_BIN=" + pgBinDir},
				filepath.Join(d.root, "deploy", "pg-failover"))
			t.Logf("standby promoted in %s", time.Since(start).Round(time.Millisecond))
		}},
	})
	l.stopStream()

	d.check(ctx, t, standby, a, l)
	table, p95 := api.Lat.Table()
	t.Logf("latency per route through the proxy, whole drill (failover included):\n%s", table)
	os.WriteFile(filepath.Join(d.root, "var", "ops", "latency.txt"), []byte(table), 0o644)
	for route, budget := range p95Budget {
		if got, ok := p95[route]; !ok {
			t.Errorf("%s: no requests", route)
		} else if got > budget {
			t.Errorf("%s: p95 %s over the README's %s", route, got.Round(time.Millisecond), budget)
		}
	}

	// The night's backup, restored into a fresh cluster.
	restored := d.cluster("restored", portRestored)
	d.backrest("restore", "--pg1-path="+restored.data, "--type=immediate", "--target-action=promote")
	restored.start(fmt.Sprintf("-c port=%d", portRestored), "-c archive_mode=off", "-c synchronous_standby_names=''")
	if err := waitFor(ctx, time.Minute, "restored cluster out of recovery", func() error {
		var rec bool
		if err := restored.query(ctx, "postgres", "SELECT pg_is_in_recovery()", &rec); err != nil {
			return err
		}
		if rec {
			return errors.New("in recovery")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := restored.counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range countedTables {
		if got[table] != nightly[table] {
			t.Errorf("restored %s: %d rows, the backup was taken with %d", table, got[table], nightly[table])
		}
	}
	t.Logf("restored: %v", got)
}

// seed registers the drill's stations and staff and returns the device
// tokens.
func (d *drill) seed(station string) []string {
	var tokens []string
	for i := range stations {
		cmd, f := d.command("seed", false, d.env(), station, "stations", "add", "-name", fmt.Sprintf("Trạm diễn tập %d", i+1), "-ward", ward)
		cmd.Stdout = nil
		out, err := cmd.Output()
		f.Close()
		if err != nil {
			d.t.Fatalf("stations add: %v\n%s", err, d.tail("seed"))
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		tokens = append(tokens, strings.TrimSpace(lines[len(lines)-1]))
	}
	for _, u := range []struct{ name, role string }{{"can-bo", "ward_staff"}, {"truc-ban", "command_centre"}} {
		cmd, f := d.command("seed", false, d.env(), station, "user", "add", "--username", u.name, "--role", u.role, "--ward", ward, "--password-stdin")
		cmd.Stdin = strings.NewReader(password + "\n")
		err := cmd.Run()
		f.Close()
		if err != nil {
			d.t.Fatalf("user add: %v\n%s", err, d.tail("seed"))
		}
	}
	return tokens
}

// gateway starts the sandbox VNPay gateway; its IPN goes through the proxy.
func (d *drill) gateway(roots *x509.CertPool) *loadgen.Gateway {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", portGateway))
	if err != nil {
		d.t.Fatal(err)
	}
	sb := &vnpay.Sandbox{TmnCode: "CSDEMO01", Secret: payments.SandboxSecret,
		IPNURL: fmt.Sprintf("https://127.0.0.1:%d/api/v1/payments/vnpay/ipn", portProxy), HTTP: loadgen.HTTPClient(roots, 10*time.Second)}
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	d.t.Cleanup(func() { srv.Close() })
	return &loadgen.Gateway{Sandbox: sb, Base: "http://" + ln.Addr().String(), HC: loadgen.HTTPClient(nil, 30*time.Second)}
}

// replica starts one station serve and waits until it is ready.
func (d *drill) replica(station, name string, port int) *proc {
	gw := fmt.Sprintf("http://127.0.0.1:%d", portGateway)
	p := d.start("replica-"+name, d.env(
		fmt.Sprintf("STATION_ADDR=127.0.0.1:%d", port),
		"STATION_MIGRATE=false",
		"STATION_TRUSTED_PROXIES=127.0.0.1",
		"STATION_SHUTDOWN_TIMEOUT=5s",
		"STATION_OCR_WORKERS=1",
		"STATION_VNPAY_URL="+gw+"/paymentv2/vpcpay.html",
		"STATION_VNPAY_API_URL="+gw+"/merchant_webapi/api/transaction",
		fmt.Sprintf("STATION_VNPAY_RETURN_URL=https://127.0.0.1:%d/api/v1/payments/vnpay/return", portProxy),
		"STATION_DOSSIERS_PER_IP=1000000",
		"STATION_REPORTS_RATE_STATION=1000000", "STATION_REPORTS_RATE_DEVICE=1000000",
		"STATION_REPORTS_RATE_PHONE=1000000", "STATION_REPORTS_RATE_ADDRESS=1000000",
	), station, "serve")
	hc := loadgen.HTTPClient(nil, 2*time.Second)
	if err := waitFor(context.Background(), 90*time.Second, "replica "+name+" ready", func() error {
		if p.exited() {
			return fmt.Errorf("exited: %v\n%s", p.err, d.tail("replica-"+name))
		}
		resp, err := hc.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return errors.New(resp.Status)
		}
		return nil
	}); err != nil {
		d.t.Fatal(err)
	}
	return p
}

// proxy checks and starts HAProxy with the shipped configuration.
func (d *drill) proxy() *proc {
	env := []string{
		fmt.Sprintf("STATION_PROXY_BIND=127.0.0.1:%d", portProxy),
		"STATION_PROXY_CERT=" + filepath.Join(d.dir, "proxy.pem"),
		fmt.Sprintf("STATION_REPLICA_A=127.0.0.1:%d", portReplicaA),
		fmt.Sprintf("STATION_REPLICA_B=127.0.0.1:%d", portReplicaB),
	}
	cfg := filepath.Join(d.root, "deploy", "haproxy.cfg")
	d.run("haproxy", false, env, "haproxy", "-c", "-f", cfg)
	return d.start("haproxy", env, "haproxy", "-db", "-f", cfg)
}

// event is something done to the system at a moment of the load.
type event struct {
	at   time.Duration
	what string
	do   func()
}

// load is the mixed load: stations heartbeating, residents talking to the
// guide, filing dossiers (some with a fee paid through the gateway) and
// reports with photos, a clerk reviewing, a duty officer's live feed.
type load struct {
	d      *drill
	api    *loadgen.Client
	tokens []string
	gw     *loadgen.Gateway
	a      *loadgen.Acked
	feed   *loadgen.Stream
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (d *drill) load(api *loadgen.Client, tokens []string, gw *loadgen.Gateway, a *loadgen.Acked) *load {
	return &load{d: d, api: api, tokens: tokens, gw: gw, a: a}
}

// startStream opens the duty feed and returns which replica serves it.
func (l *load) startStream(ctx context.Context) func() string {
	officer, err := l.api.Login(ctx, "truc-ban", password)
	if err != nil {
		l.d.t.Fatal(err)
	}
	l.feed = &loadgen.Stream{Connected: make(chan string, 1)}
	sctx, cancel := context.WithCancel(ctx)
	l.cancel = cancel
	l.wg.Add(1)
	go func() { defer l.wg.Done(); l.feed.Run(sctx, officer, l.a) }()
	select {
	case <-l.feed.Connected:
	case <-time.After(15 * time.Second):
		l.d.t.Fatal("the duty feed sent no first event through the proxy within 15 s: is the stream buffered?")
	}
	return l.feed.ServedBy
}

func (l *load) stopStream() {
	if l.cancel != nil {
		l.cancel()
	}
	l.wg.Wait()
}

// run drives the load for length, doing the events at their moments, and
// waits for operations in flight to end.
func (l *load) run(ctx context.Context, length time.Duration, events []event) {
	clerk, err := l.api.Login(ctx, "can-bo", password)
	if err != nil {
		l.d.t.Fatal(err)
	}
	start := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	worker := func(name string, pause time.Duration, op func(n int) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := op(n); err != nil {
					l.a.Failures.Add(1)
					l.d.t.Logf("%s at %s: %v", name, time.Since(start).Round(time.Millisecond), err)
				}
				select {
				case <-stop:
					return
				case <-time.After(pause):
				}
			}
		}()
	}
	for i, tok := range l.tokens {
		dev := l.api.Device(tok)
		worker("heartbeat", time.Second, func(int) error { return loadgen.Heartbeat(ctx, dev) })
		switch i % 4 {
		case 0:
			worker("conversation", 300*time.Millisecond, func(int) error { return loadgen.Conversation(ctx, dev) })
		case 1:
			worker("dossier", 200*time.Millisecond, func(n int) error { return loadgen.Dossier(ctx, dev, l.gw, ward, i*100000+n, false, l.a) })
		case 2:
			worker("dossier with fee", 200*time.Millisecond, func(n int) error { return loadgen.Dossier(ctx, dev, l.gw, ward, i*100000+n, true, l.a) })
		case 3:
			worker("report", 300*time.Millisecond, func(n int) error { return loadgen.Report(ctx, dev, i*100000+n, l.a) })
		}
	}
	worker("review", 300*time.Millisecond, func(int) error { return loadgen.Review(ctx, clerk, l.a) })
	for _, e := range events {
		time.Sleep(time.Until(start.Add(e.at)))
		l.d.t.Logf("%s: %s", e.at, e.what)
		e.do()
	}
	time.Sleep(time.Until(start.Add(length)))
	close(stop)
	wg.Wait()
}

// check asserts that everything acknowledged is on the promoted standby,
// exactly once, and that the service and its streams came back.
func (d *drill) check(ctx context.Context, t *testing.T, db *cluster, a *loadgen.Acked, l *load) {
	conn, err := pgx.Connect(ctx, db.url("citizenstation"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exactlyOnce := func(what, sql string, ids map[string]bool) {
		missing := 0
		for id := range ids {
			var n int
			if err := conn.QueryRow(ctx, sql, id).Scan(&n); err != nil {
				t.Fatalf("%s %s: %v", what, id, err)
			}
			if n != 1 {
				missing++
				t.Errorf("%s %s acknowledged, found %d times", what, id, n)
			}
		}
		t.Logf("%s: %d acknowledged (%d after the primary was lost), %d not there exactly once", what, len(ids), a.After(ids), missing)
	}
	exactlyOnce("dossier", `SELECT count(*) FROM dossiers WHERE id = $1::uuid AND status <> 'draft'`, a.Dossiers)
	exactlyOnce("payment order", `SELECT count(*) FROM payments WHERE id = $1`, a.Orders)
	exactlyOnce("paid payment", `SELECT count(*) FROM payment_ledger l JOIN payments p ON p.id = l.payment_id
		WHERE p.id = $1 AND p.state = 'paid' AND l.kind = 'payment'`, a.Paid)
	exactlyOnce("report", `SELECT count(*) FROM reports WHERE id = $1::uuid`, a.Reports)
	exactlyOnce("review", `SELECT count(*) FROM dossiers WHERE id = $1::uuid AND status = 'in_review'`, a.Reviews)

	for what, m := range map[string]map[string]bool{"dossiers": a.Dossiers, "paid payments": a.Paid, "reports": a.Reports, "reviews": a.Reviews} {
		if a.After(m) == 0 {
			t.Errorf("no %s acknowledged after the failover: the service did not come back", what)
		}
	}
	if f := a.Failures.Load(); f > 0 {
		t.Errorf("%d operations still failed after 30 s of retries", f)
	}
	t.Logf("duty feed: %d reconnections, %d report events (%d after the failover)",
		l.feed.Reconnects.Load(), l.feed.Reports.Load(), l.feed.ReportsAfter.Load())
	if l.feed.Reconnects.Load() < 1 || l.feed.ReportsAfter.Load() < 1 {
		t.Error("the duty feed did not reconnect and carry reports after the failover")
	}
}
