//go:build ops

package ops

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// drill is one run: its directory, the processes it started and the
// clients that talk to them.
type drill struct {
	t    *testing.T
	root string // the repository
	dir  string // var/ops/<run>
	logs string
	// sock holds the clusters' Unix sockets: a short path of its own, since
	// a socket's path must fit in 107 bytes wherever the checkout is.
	sock string
	// pgUser runs PostgreSQL and pgBackRest when the drill runs as root
	// (initdb refuses root); nil otherwise.
	pgUser *syscall.Credential

	mu    sync.Mutex
	procs []*proc
}

// proc is a long-running child process.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func newDrill(t *testing.T) *drill {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	d := &drill{t: t, root: root}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, PostgreSQL needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		d.pgUser = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	base := filepath.Join(root, "var", "ops")
	if err := os.MkdirAll(base, 0o755); err != nil {
		t.Fatal(err)
	}
	d.dir, err = os.MkdirTemp(base, "run-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(d.dir, 0o755)
	if d.pgUser != nil && !d.reachable(d.dir) {
		// A checkout under a private home: the postgres user cannot reach
		// var/ops, so the clusters live in the temporary directory.
		os.RemoveAll(d.dir)
		if d.dir, err = os.MkdirTemp("", "station-ops-"); err != nil {
			t.Fatal(err)
		}
		os.Chmod(d.dir, 0o755)
	}
	d.logs = filepath.Join(d.dir, "logs")
	d.chown(d.dir)
	d.mkdir(d.logs)
	if d.sock, err = os.MkdirTemp("", "cs-ops-"); err != nil {
		t.Fatal(err)
	}
	os.Chmod(d.sock, 0o755)
	d.chown(d.sock)
	t.Logf("drill directory %s", d.dir)
	t.Cleanup(d.cleanup)
	return d
}

// reachable reports whether the postgres user can enter dir.
func (d *drill) reachable(dir string) bool {
	cmd := exec.Command("test", "-x", dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: d.pgUser}
	return cmd.Run() == nil
}

func (d *drill) mkdir(dir string) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		d.t.Fatal(err)
	}
	d.chown(dir)
}

func (d *drill) chown(path string) {
	if d.pgUser != nil {
		if err := os.Chown(path, int(d.pgUser.Uid), int(d.pgUser.Gid)); err != nil {
			d.t.Fatal(err)
		}
	}
}

// command makes a command whose output goes to logs/name.log; asPG runs it
// as the PostgreSQL user.
func (d *drill) command(name string, asPG bool, env []string, args ...string) (*exec.Cmd, *os.File) {
	f, err := os.OpenFile(filepath.Join(d.logs, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		d.t.Fatal(err)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if asPG && d.pgUser != nil {
		cmd.SysProcAttr.Credential = d.pgUser
		cmd.Env = append(cmd.Env, "HOME="+d.dir)
	}
	return cmd, f
}

// run runs a command to its end and fails the test if it fails.
func (d *drill) run(name string, asPG bool, env []string, args ...string) {
	d.t.Helper()
	if err := d.tryRun(name, asPG, env, args...); err != nil {
		d.t.Fatal(err)
	}
}

// tryRun runs a command to its end; the error quotes the end of its log.
func (d *drill) tryRun(name string, asPG bool, env []string, args ...string) error {
	cmd, f := d.command(name, asPG, env, args...)
	defer f.Close()
	fmt.Fprintf(f, "$ %s\n", strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, d.tail(name))
	}
	return nil
}

// tail returns the last lines of a log.
func (d *drill) tail(name string) string {
	b, _ := os.ReadFile(filepath.Join(d.logs, name+".log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 25 {
		lines = lines[len(lines)-25:]
	}
	return strings.Join(lines, "\n")
}

// start starts a long-running process.
func (d *drill) start(name string, env []string, args ...string) *proc {
	d.t.Helper()
	cmd, f := d.command(name, false, env, args...)
	if err := cmd.Start(); err != nil {
		f.Close()
		d.t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	d.mu.Lock()
	d.procs = append(d.procs, p)
	d.mu.Unlock()
	return p
}

// kill ends a process and its children at once, as a lost host would.
func (p *proc) kill() {
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// stop asks a process to end and kills it after a grace period.
func (p *proc) stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill()
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// cleanup stops every process and cluster the drill started; the run's
// directory is removed when the drill passed and kept (logs) when not.
func (d *drill) cleanup() {
	d.mu.Lock()
	procs := d.procs
	d.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop(10 * time.Second)
	}
	entries, _ := os.ReadDir(d.dir)
	for _, e := range entries {
		data := filepath.Join(d.dir, e.Name())
		if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
			d.tryRun("pg_ctl-stop", true, nil, pgBin("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		}
	}
	os.RemoveAll(d.sock)
	if d.t.Failed() {
		d.t.Logf("logs kept in %s", d.logs)
		return
	}
	os.RemoveAll(d.dir)
}

// waitFor polls ok until it holds or the time is up.
func waitFor(ctx context.Context, within time.Duration, what string, ok func() error) error {
	deadline := time.Now().Add(within)
	for {
		err := ok()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s: not within %s: %w", what, within, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// throwawayCert makes a self-signed certificate for 127.0.0.1 and
// localhost: the PEM HAProxy serves (certificate and key) and the pool a
// client trusts it with.
func throwawayCert(t *testing.T, path string) *x509.CertPool {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "citizenstation ops drill"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	pem.Encode(&buf, &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}
