package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/loadgen"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// cityBench is what station bench city simulates.
type cityBench struct {
	stations, visits, staff int
	duration, heartbeat     time.Duration
	think                   time.Duration
	addr, gatewayAddr       string
}

func (c *cli) benchCityCommand() *ffcli.Command {
	var (
		db = scratchFlags{noEmbed: true}
		b  cityBench
	)
	return c.build(command{
		path: "station bench city", usage: "[flags]",
		help: "the whole city on one machine: 2,000 stations, 200 visits at once, 50 staff; p95/p99 per route and resource use",
		long: "Creates a scratch database beside -database-url (dropped afterwards), imports the\n" +
			"catalogue, registers the stations and staff, starts this binary's station serve on\n" +
			"-bench-addr and a sandbox gateway, and drives the load over loopback HTTP.",
		flags: func(fs *flag.FlagSet) {
			db.register(fs)
			b.register(fs)
		},
		check: func([]string) error {
			if err := db.check(); err != nil {
				return err
			}
			return b.checkAddrs()
		},
		run: func(ctx context.Context, _ []string) error {
			return db.with(ctx, false, c.stdout, func(pool *pgxpool.Pool) error { return b.run(ctx, pool, c.stdout, c.stderr) })
		},
	})
}

func (b *cityBench) register(fs *flag.FlagSet) {
	fs.IntVar(&b.stations, "stations", 2000, "stations heartbeating")
	fs.IntVar(&b.visits, "visits", 200, "kiosk visits going on at once")
	fs.IntVar(&b.staff, "staff", 50, "staff: four in five review dossiers, one in five hold the duty feed open")
	fs.DurationVar(&b.duration, "duration", 5*time.Minute, "how long the load runs")
	fs.DurationVar(&b.heartbeat, "heartbeat", time.Minute, "how often each station beats")
	fs.DurationVar(&b.think, "think", 3*time.Second, "longest pause of a resident or clerk between steps")
	fs.StringVar(&b.addr, "bench-addr", "127.0.0.1:18760", "where the station serve under test listens (loopback)")
	fs.StringVar(&b.gatewayAddr, "bench-gateway-addr", "127.0.0.1:18761", "where the sandbox gateway listens (loopback)")
}

// checkAddrs makes sure the service's and the gateway's addresses are free
// loopback ones.
func (b *cityBench) checkAddrs() error {
	for _, a := range []string{b.addr, b.gatewayAddr} {
		if host, _, err := net.SplitHostPort(a); err != nil || !net.ParseIP(host).IsLoopback() {
			return config.Invalid("bench-addr", a, "must be a loopback host:port")
		}
		ln, err := net.Listen("tcp", a)
		if err != nil {
			return config.Invalid("bench-addr", a, "in use: "+err.Error())
		}
		ln.Close()
	}
	return nil
}

// run prepares the installation, runs the load and prints the figures.
func (b *cityBench) run(ctx context.Context, pool *pgxpool.Pool, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "station-bench-city-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbURL := pool.Config().ConnString()
	env := b.env(dbURL, dir)
	for _, args := range [][]string{{"import"}, {"import", "wards", "sample"}} {
		if err := runSelf(ctx, env, filepath.Join(dir, "import.log"), args...); err != nil {
			return err
		}
	}
	start := time.Now()
	tokens, clerks, officers, err := b.seed(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "registered %d stations and %d staff in %s\n", len(tokens), len(clerks)+len(officers), time.Since(start).Round(time.Millisecond))

	gw, stopGateway, err := b.gateway()
	if err != nil {
		return err
	}
	defer stopGateway()
	server, err := startSelf(env, filepath.Join(dir, "serve.log"), "serve")
	if err != nil {
		return err
	}
	defer stopSelf(server)
	api := &loadgen.Client{Base: "http://" + b.addr, HC: loadgen.HTTPClient(nil, 30*time.Second), Lat: &loadgen.Latencies{}}
	if err := waitServing(ctx, api, server); err != nil {
		return fmt.Errorf("%w\n%s", err, tailFile(filepath.Join(dir, "serve.log")))
	}
	city := &loadgen.City{API: api, Gateway: gw, Ward: "26740", Tokens: tokens, Visits: b.visits,
		Heartbeat: b.heartbeat, Think: b.think, Acked: loadgen.NewAcked()}
	signedIn, err := signIn(ctx, api, append(clerks, officers...))
	if err != nil {
		return err
	}
	city.Clerks, city.Officers = signedIn[:len(clerks)], signedIn[len(clerks):]
	fmt.Fprintf(stdout, "service ready and staff signed in after %s\n", time.Since(start).Round(time.Millisecond))
	api.Lat.Reset() // the figures are of the load, not the set-up
	return b.measure(ctx, city, server.Process.Pid, stdout)
}

// measure runs the city and prints latencies and resource use.
func (b *cityBench) measure(ctx context.Context, city *loadgen.City, pid int, stdout io.Writer) error {
	fmt.Fprintf(stdout, "load: %d stations beating every %s, %d visits at once, %d clerks, %d duty feeds, for %s\n",
		len(city.Tokens), b.heartbeat, b.visits, len(city.Clerks), len(city.Officers), b.duration)
	before, err := loadgen.ProcessUsage(pid)
	if err != nil {
		return err
	}
	pgBefore, started := loadgen.PostgresCPU(), time.Now()
	runCtx, cancel := context.WithTimeout(ctx, b.duration)
	defer cancel()
	city.Run(runCtx)
	elapsed := time.Since(started)
	after, err := loadgen.ProcessUsage(pid)
	if err != nil {
		return err
	}
	pgCPU := loadgen.PostgresCPU() - pgBefore
	table, _ := city.API.Lat.Table()
	fmt.Fprintf(stdout, "\n%s\n", table)
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(stdout, "operations %d, given up after retries %d; dossiers %d, paid %d, reports %d, reviews %d\n",
		city.Ops.Load(), city.Acked.Failures.Load(), len(city.Acked.Dossiers), len(city.Acked.Paid), len(city.Acked.Reports), len(city.Acked.Reviews))
	fmt.Fprintf(stdout, "station serve: CPU %.0f%% of one core (%.1f s), RSS %d MB now, %d MB at most\n",
		100*(after.CPU-before.CPU).Seconds()/elapsed.Seconds(), (after.CPU - before.CPU).Seconds(), after.RSS>>20, after.PeakRSS>>20)
	fmt.Fprintf(stdout, "PostgreSQL (all of the machine's): CPU %.0f%% of one core; load average %s", 100*pgCPU.Seconds()/elapsed.Seconds(), load)
	return nil
}

// signIn signs the staff in, eight at a time (a sign-in hashes a password,
// which takes a while on purpose).
func signIn(ctx context.Context, api *loadgen.Client, usernames []string) ([]*loadgen.Client, error) {
	out := make([]*loadgen.Client, len(usernames))
	errs := make([]error, len(usernames))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, u := range usernames {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i], errs[i] = api.Login(ctx, u, benchPassword)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

const benchPassword = "Bench-city-not-a-real-password-2026"

// seed registers the stations and staff straight in the database.
func (b *cityBench) seed(ctx context.Context, pool *pgxpool.Pool) (tokens, clerks, officers []string, err error) {
	svc := kiosk.NewService(pool, kiosk.DefaultConfig(), nil)
	for i := range b.stations {
		_, token, err := svc.AddStation(ctx, cliActor(), kiosk.NewStation{Name: fmt.Sprintf("Trạm đo tải %04d", i+1), WardCode: "26740"})
		if err != nil {
			return nil, nil, nil, err
		}
		tokens = append(tokens, token)
	}
	st := staff.NewService(pool, staff.Config{})
	for i := range b.staff {
		role, name := staff.RoleWardStaff, fmt.Sprintf("can-bo-%02d", i)
		if i%5 == 4 {
			role, name = staff.RoleDutyOfficer, fmt.Sprintf("truc-ban-%02d", i)
		}
		if _, err := st.CreateUser(ctx, cliActor(), staff.NewUser{Username: name, Role: role, Wards: []string{"26740"}, Password: benchPassword}); err != nil {
			return nil, nil, nil, err
		}
		if role == staff.RoleWardStaff {
			clerks = append(clerks, name)
		} else {
			officers = append(officers, name)
		}
	}
	return tokens, clerks, officers, nil
}

// env is the service's environment under the bench: its own database,
// the local gateway, limits meant for one kiosk lifted (every client here
// comes from 127.0.0.1).
func (b *cityBench) env(dbURL, dir string) []string {
	key := make([]byte, 32)
	rand.Read(key)
	gw := "http://" + b.gatewayAddr
	return append(os.Environ(),
		"STATION_DATABASE_URL="+dbURL, "STATION_DATA_DIR="+filepath.Join(dir, "data"),
		"STATION_DATA_KEY="+base64.StdEncoding.EncodeToString(key), "STATION_DEV_DATA_KEY=false",
		"STATION_ADDR="+b.addr, "STATION_MIGRATE=false", "STATION_COOKIE_SECURE=false", "STATION_LOG_LEVEL=warn",
		"STATION_LOGIN_ATTEMPTS=1000000", "STATION_DOSSIERS_PER_IP=100000000", "STATION_TRACK_PER_IP=100000000",
		"STATION_REPORTS_RATE_STATION=1000000", "STATION_REPORTS_RATE_DEVICE=1000000",
		"STATION_REPORTS_RATE_PHONE=1000000", "STATION_REPORTS_RATE_ADDRESS=1000000",
		"STATION_STREAMS_PER_ADDRESS=1000",
		"STATION_VNPAY_URL="+gw+"/paymentv2/vpcpay.html", "STATION_VNPAY_API_URL="+gw+"/merchant_webapi/api/transaction",
		"STATION_VNPAY_RETURN_URL=http://"+b.addr+"/api/v1/payments/vnpay/return")
}

// gateway starts the sandbox payment gateway in this process.
func (b *cityBench) gateway() (*loadgen.Gateway, func(), error) {
	ln, err := net.Listen("tcp", b.gatewayAddr)
	if err != nil {
		return nil, nil, err
	}
	sb := &vnpay.Sandbox{TmnCode: "CSDEMO01", Secret: payments.SandboxSecret,
		IPNURL: "http://" + b.addr + "/api/v1/payments/vnpay/ipn", HTTP: loadgen.HTTPClient(nil, 30*time.Second)}
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return &loadgen.Gateway{Sandbox: sb, Base: "http://" + b.gatewayAddr, HC: loadgen.HTTPClient(nil, 30*time.Second)},
		func() { srv.Close() }, nil
}

// runSelf runs this binary with args to its end, output to logPath.
func runSelf(ctx context.Context, env []string, logPath string, args ...string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("station %s: %w\n%s", strings.Join(args, " "), err, tailFile(logPath))
	}
	return nil
}

// startSelf starts this binary with args in the background.
func startSelf(env []string, logPath string, args ...string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
	// The server ends with the bench, however the bench ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, err
	}
	go func() { cmd.Wait(); out.Close() }()
	return cmd, nil
}

// stopSelf ends a process startSelf started.
func stopSelf(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	for range 100 {
		if cmd.Process.Signal(syscall.Signal(0)) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Kill()
}

// waitServing waits for the server's /readyz.
func waitServing(ctx context.Context, api *loadgen.Client, server *exec.Cmd) error {
	for range 600 {
		if r, err := api.Once(ctx, "GET /readyz", "GET", "/readyz", nil, ""); err == nil && r.Status == 200 {
			return nil
		}
		if server.ProcessState != nil {
			return errors.New("station serve exited")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("station serve not ready within 60 s")
}

// tailFile is the end of a log, for an error message.
func tailFile(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}
