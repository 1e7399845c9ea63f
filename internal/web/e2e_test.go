package web_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

// The accounts, ward and station the browser tests use.
const (
	e2eWard     = "26734" // Phường Sài Gòn in reports/wards-sample.geojson
	e2ePassword = "mat-khau-thu-nghiem-2026"
)

// TestBrowser builds the station binary, prepares a fresh database as an
// operator would (wards, staff accounts, a station), starts the service and
// the sandbox payment gateway, and runs the browser tests in e2e/ against
// them: playwright-core drives Debian's Chromium through the kiosk, staff
// and duty screens and axe-core checks each page. A second service with a
// short STATION_KIOSK_IDLE serves the inactivity test. Node's exit status is
// the test's result; its report is in the log, screenshots in
// e2e/screenshots.
func TestBrowser(t *testing.T) {
	for _, tool := range []string{"node", "/usr/bin/chromium"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run scripts/setup (it installs chromium, node and the e2e packages)", tool)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "e2e", "node_modules", "playwright-core")); err != nil {
		t.Fatal("e2e/node_modules is missing: run scripts/setup (npm ci in e2e/)")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "station")
	build := exec.Command("go", "build", "-o", bin, "./cmd/station")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build station: %v\n%s", err, out)
	}

	dbURL, drop, err := dbtest.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)

	addr, idleAddr, gatewayAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	base, idleBase := "http://"+addr, "http://"+idleAddr
	env := []string{
		"STATION_DATABASE_URL=" + dbURL,
		"STATION_DATA_DIR=" + filepath.Join(tmp, "data"),
		"STATION_LOG_LEVEL=warn",
		"STATION_LOG_FORMAT=text",
		"STATION_COOKIE_SECURE=false",
		"STATION_DEV_DATA_KEY=true",
		"STATION_VIETQR_BIN=970436",
		"STATION_VIETQR_ACCOUNT=0011000012345",
		"STATION_VNPAY_URL=http://" + gatewayAddr + "/paymentv2/vpcpay.html",
		"STATION_VNPAY_API_URL=http://" + gatewayAddr + "/merchant_webapi/api/transaction",
		"STATION_VNPAY_RETURN_URL=" + base + "/api/v1/payments/vnpay/return",
	}
	station := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("station %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	station("", "migrate")
	station("", "import")
	station("", "import", "wards", filepath.Join(root, "kiosk", "reports", "wards-sample.geojson"))
	// The ward officer serves the sample's wards: a dossier goes to the ward
	// of the address it concerns, and the scanned card's resident lives in
	// another sample ward than the station's.
	station(e2ePassword+"\n", "user", "add", "--username", "canbo.phuong", "--role", "ward_staff", "--ward", e2eWard+",26743,26737,26758", "--password-stdin")
	station(e2ePassword+"\n", "user", "add", "--username", "truc.ban", "--role", "duty_officer", "--ward", e2eWard, "--password-stdin")
	station(e2ePassword+"\n", "user", "add", "--username", "quan.tri", "--role", "admin", "--password-stdin")
	station(e2ePassword+"\n", "user", "add", "--username", "danh.gia", "--role", "evaluator", "--password-stdin")
	storeEvalRuns(t, station, root, tmp)
	out := station("", "stations", "add", "--name", "Trạm chung cư Bến Nghé", "--ward", e2eWard,
		"--address", "12 Tôn Đức Thắng, Phường Sài Gòn", "--lat", "10.7765", "--lng", "106.7050")
	token := regexp.MustCompile(`(?m)^(\S{20,})\s*$`).FindStringSubmatch(out)
	if token == nil {
		t.Fatalf("no device token in:\n%s", out)
	}

	scan, name, last4 := cardScan(t, tmp)

	start(t, bin, []string{"sandbox-gateway"}, append(env, "STATION_SANDBOX_ADDR="+gatewayAddr, "STATION_SANDBOX_IPN_URL="+base+"/api/v1/payments/vnpay/ipn"), "")
	start(t, bin, []string{"serve"}, append(env, "STATION_ADDR="+addr, "STATION_MIGRATE=false"), base+"/healthz")
	start(t, bin, []string{"serve"}, append(env, "STATION_ADDR="+idleAddr, "STATION_MIGRATE=false",
		"STATION_KIOSK_IDLE=10s", "STATION_KIOSK_IDLE_WARNING=4s", "STATION_KIOSK_SWEEP=1s"), idleBase+"/healthz")

	// E2E_ONLY=bills runs e2e/bills.test.mjs alone, while working on it.
	pattern := "*"
	if only := os.Getenv("E2E_ONLY"); only != "" {
		pattern = only
	}
	files, _ := filepath.Glob(filepath.Join(root, "e2e", pattern+".test.mjs"))
	if len(files) == 0 {
		t.Fatal("no browser tests in e2e/")
	}
	args := append([]string{"--test", "--test-concurrency=1", "--test-timeout=300000", "--test-reporter=spec"}, files...)
	// Node and the Chromium it starts form a process group, stopped whole
	// if they outlive the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	node := exec.CommandContext(ctx, "node", args...)
	node.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	node.Cancel = func() error { return syscall.Kill(-node.Process.Pid, syscall.SIGKILL) }
	node.WaitDelay = 10 * time.Second
	node.Dir = filepath.Join(root, "e2e")
	node.Env = append(os.Environ(),
		"E2E_BASE_URL="+base,
		"E2E_IDLE_BASE_URL="+idleBase,
		"E2E_DATABASE_URL="+dbURL,
		"E2E_DEVICE_TOKEN="+token[1],
		"E2E_WARD="+e2eWard,
		"E2E_SCAN="+scan,
		"E2E_SCAN_NAME="+name,
		"E2E_SCAN_LAST4="+last4,
		"E2E_PASSWORD="+e2ePassword,
		"E2E_SCREENSHOTS="+filepath.Join(root, "e2e", "screenshots"),
	)
	var report bytes.Buffer
	node.Stdout, node.Stderr = &report, &report
	err = node.Run()
	t.Logf("browser tests:\n%s", report.String())
	if err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
}

// cardScan renders the front of an invented resident's ID card, as the
// OCR corpus draws it, for the kiosk to scan; it returns the file, the name
// printed on it and the last four digits of its number.
func cardScan(t *testing.T, dir string) (file, name, last4 string) {
	t.Helper()
	g, err := corpus.NewGenerator(2026)
	if err != nil {
		t.Fatal(err)
	}
	p := g.Person()
	page, err := g.Page(corpus.Front, p, corpus.Clean)
	if err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(dir, "cccd-front.png")
	if err := os.WriteFile(file, page.Image, 0o600); err != nil {
		t.Fatal(err)
	}
	return file, p.FullName, p.IDNumber[len(p.IDNumber)-4:]
}

// freeAddr returns a loopback address with a port free at the moment.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs bin with args until the test ends and, when health is set,
// waits until it answers 200 there.
func start(t *testing.T, bin string, args, env []string, health string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("station %s log:\n%s", strings.Join(args, " "), logs.String())
		}
	})
	if health == "" {
		return
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(health)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("station %s did not answer %s:\n%s", strings.Join(args, " "), health, logs.String())
}

// syncBuffer collects a process's log while the test may read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
