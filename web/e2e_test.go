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
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
)

// TestBrowser builds the station binary, starts it on a fresh database with
// the shipped catalogue, and runs the browser tests in e2e/ against it:
// playwright-core drives Debian's Chromium through the kiosk, staff and duty
// screens and axe-core checks each page. A second server with a short
// STATION_KIOSK_IDLE serves the inactivity test. Node's exit status is the
// test's result; its report is in the log, screenshots in e2e/screenshots.
func TestBrowser(t *testing.T) {
	for _, tool := range []string{"node", "/usr/bin/chromium"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run scripts/setup (it installs chromium, node and the e2e packages)", tool)
		}
	}
	root, err := filepath.Abs("..")
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

	ctx := context.Background()
	dbURL, drop, err := dbtest.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	env := []string{
		"STATION_DATABASE_URL=" + dbURL,
		"STATION_DATA_DIR=" + filepath.Join(tmp, "data"),
		"STATION_LOG_LEVEL=warn",
		"STATION_LOG_FORMAT=text",
	}
	for _, args := range e2eSetupCommands(root) {
		cmd := exec.Command(bin, args.args...)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = strings.NewReader(args.stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("station %s: %v\n%s", strings.Join(args.args, " "), err, out)
		}
	}

	base := startServer(t, bin, append(env, "STATION_MIGRATE=true"))
	idleBase := startServer(t, bin, append(env, "STATION_MIGRATE=false", "STATION_KIOSK_IDLE=5s", "STATION_KIOSK_IDLE_WARNING=3s"))

	files, _ := filepath.Glob(filepath.Join(root, "e2e", "*.test.mjs"))
	if len(files) == 0 {
		t.Fatal("no browser tests in e2e/")
	}
	args := append([]string{"--test", "--test-concurrency=1", "--test-reporter=spec"}, files...)
	node := exec.Command("node", args...)
	node.Dir = filepath.Join(root, "e2e")
	node.Env = append(os.Environ(),
		"E2E_BASE_URL="+base,
		"E2E_IDLE_BASE_URL="+idleBase,
		"E2E_DATABASE_URL="+dbURL,
		"E2E_WARD="+e2eWard,
		"E2E_PASSWORD="+e2ePassword,
		"E2E_SCREENSHOTS="+filepath.Join(root, "e2e", "screenshots"),
	)
	var out bytes.Buffer
	node.Stdout, node.Stderr = &out, &out
	err = node.Run()
	t.Logf("browser tests:\n%s", out.String())
	if err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
}

type setupCommand struct {
	args  []string
	stdin string
}

// e2eSetupCommands prepare the database as an operator would: the shipped
// catalogue and the accounts the tests sign in with.
func e2eSetupCommands(root string) []setupCommand {
	return []setupCommand{
		{args: []string{"migrate"}},
		{args: []string{"user", "add", "--username", "canbo.phuong", "--role", "ward_staff", "--ward", e2eWard, "--password-stdin"}, stdin: e2ePassword + "\n"},
		{args: []string{"user", "add", "--username", "truc.ban", "--role", "duty_officer", "--ward", e2eWard, "--password-stdin"}, stdin: e2ePassword + "\n"},
		{args: []string{"user", "add", "--username", "quan.tri", "--role", "admin", "--password-stdin"}, stdin: e2ePassword + "\n"},
	}
}

// The accounts and the ward the browser tests use.
const (
	e2eWard     = "26734"
	e2ePassword = "mat-khau-thu-nghiem-2026"
)

// startServer runs station serve on a free loopback port until the test
// ends and returns its base URL once /healthz answers.
func startServer(t *testing.T, bin string, env []string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append(os.Environ(), env...), "STATION_ADDR="+addr)
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
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
			t.Logf("server %s log:\n%s", addr, logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server on %s did not start:\n%s", addr, logs.String())
	return ""
}

// syncBuffer collects a server's log while the test may read it.
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
