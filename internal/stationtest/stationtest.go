// Package stationtest runs the station binary in tests as an operator runs
// it: built from the checkout, its commands run with an environment, and
// its long-running commands (serve, agent, sandbox-gateway) started, waited
// for and stopped at the end of the test, their output shown when the test
// fails.
package stationtest

import (
	"bytes"
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
	"testing"
	"time"
)

// Binary is the station binary with the environment its commands get on
// top of the test process's own.
type Binary struct {
	Path string
	Env  []string
}

// Root is the checkout's directory, where go.mod is.
func Root(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// Build builds cmd/station from the checkout into a directory of the test.
func Build(t testing.TB) *Binary {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "station")
	build := exec.Command("go", "build", "-o", bin, "./cmd/station")
	build.Dir = Root(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build station: %v\n%s", err, out)
	}
	return &Binary{Path: bin}
}

// Run runs station ARGS with stdin on its standard input and returns
// what it printed (standard output and error together).
func (b *Binary) Run(stdin string, args ...string) (string, error) {
	cmd := exec.Command(b.Path, args...)
	cmd.Env = append(os.Environ(), b.Env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// MustRun is Run that fails the test when the command fails.
func (b *Binary) MustRun(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	out, err := b.Run(stdin, args...)
	if err != nil {
		t.Fatalf("station %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Process is a long-running station command.
type Process struct {
	Cmd  *exec.Cmd
	name string
	logs syncBuffer
	done chan struct{}
}

// Start starts station ARGS with env added to the binary's. At the end of
// the test it gets SIGTERM, then SIGKILL after 10 s, and its output is
// logged if the test failed.
func (b *Binary) Start(t testing.TB, env []string, args ...string) *Process {
	t.Helper()
	p := &Process{Cmd: exec.Command(b.Path, args...), name: "station " + strings.Join(args, " "), done: make(chan struct{})}
	p.Cmd.Env = append(append(os.Environ(), b.Env...), env...)
	p.Cmd.Stdout, p.Cmd.Stderr = &p.logs, &p.logs
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.Cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.Cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", p.name, p.Log())
		}
	})
	return p
}

// Log is what the process has printed so far.
func (p *Process) Log() string { return p.logs.String() }

// Signal sends sig to the process and returns a channel closed when it has
// exited.
func (p *Process) Signal(t testing.TB, sig syscall.Signal) <-chan struct{} {
	t.Helper()
	if err := p.Cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return p.done
}

// WaitReady waits up to a minute for url to give an answer ok accepts,
// failing the test with the process's log when it does not.
func (p *Process) WaitReady(t testing.TB, url string, ok func(status int, body []byte) bool) {
	t.Helper()
	if last, ready := Ready(url, ok); !ready {
		t.Fatalf("%s did not get ready at %s (last answer %s):\n%s", p.name, url, last, p.Log())
	}
}

// Ready polls url for up to a minute until ok accepts its answer; it
// returns the last answer and whether ok accepted it.
func Ready(url string, ok func(status int, body []byte) bool) (last string, ready bool) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, err := http.Get(url)
		if err != nil {
			last = err.Error()
			continue
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		last = fmt.Sprintf("%d %s", res.StatusCode, body)
		if ok(res.StatusCode, body) {
			return last, true
		}
	}
	return last, false
}

// StatusOK accepts a 200 answer.
func StatusOK(status int, _ []byte) bool { return status == http.StatusOK }

// FreeAddr is a loopback address nobody listens on.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer is a buffer a process's output may be written to while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
