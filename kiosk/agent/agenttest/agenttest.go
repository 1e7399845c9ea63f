// Package agenttest gives tests the station's devices, simulated by the
// real stacks: SANE with its test and pnm backends (the latter "scans" a
// given image), and CUPS's ippeveprinter as the IPP printer, whose received
// jobs the test opens.
package agenttest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/kiosk/agent"
)

// SANE writes a SANE configuration with the test and pnm backends only and
// returns its directory, for SANE_CONFIG_DIR.
func SANE(tb testing.TB) string {
	tb.Helper()
	if _, err := exec.LookPath("scanimage"); err != nil {
		tb.Fatal("scanimage is missing: run scripts/setup (it installs sane-utils)")
	}
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dll.conf"), []byte("test\npnm\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// Printer is a running ippeveprinter.
type Printer struct {
	URI   string   // ipp://127.0.0.1:PORT/ipp/print
	Spool string   // where it keeps the jobs it received
	Env   []string // what it needs in its environment (the bus of Avahi)
	Args  []string // its command line, to start it again after Stop
	cmd   *exec.Cmd
}

// Pid is the printer's process.
func (p *Printer) Pid() int { return p.cmd.Process.Pid }

// Bus is the private D-Bus system bus on which the test's Avahi daemon
// runs: Debian's ippeveprinter will not start without DNS-SD, and a build
// machine or CI runs no system bus.
const Bus = "/tmp/citizenstation-dbus"

// Avahi makes sure an Avahi daemon answers (the machine's own, or one on
// the private bus, started once and left running for every later test like
// the PostgreSQL cluster) and returns the environment that reaches it.
func Avahi(tb testing.TB) []string {
	tb.Helper()
	socket := filepath.Join(Bus, "bus")
	env := []string{"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + socket}
	if exec.Command("avahi-daemon", "--check").Run() == nil {
		if _, err := os.Stat(socket); err == nil {
			return env
		}
		return nil // the machine's own daemon, on the machine's bus
	}
	for _, tool := range []string{"dbus-daemon", "avahi-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Fatalf("%s is missing: run scripts/setup (ippeveprinter needs DNS-SD)", tool)
		}
	}
	if err := os.MkdirAll(Bus, 0o755); err != nil {
		tb.Fatal(err)
	}
	os.Remove(socket)
	busConf := filepath.Join(Bus, "bus.conf")
	avahiConf := filepath.Join(Bus, "avahi.conf")
	os.WriteFile(busConf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=`+socket+`</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_type="method_call"/>
<allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>
`), 0o644)
	os.WriteFile(avahiConf, []byte("[server]\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=lo\n[publish]\npublish-addresses=no\npublish-hinfo=no\npublish-workstation=no\n"), 0o644)
	if out, err := exec.Command("dbus-daemon", "--config-file="+busConf, "--fork").CombinedOutput(); err != nil {
		tb.Fatalf("dbus-daemon: %v: %s", err, out)
	}
	avahi := exec.Command("avahi-daemon", "--no-drop-root", "--no-chroot", "--no-rlimits", "-f", avahiConf, "-D")
	avahi.Env = append(os.Environ(), env...)
	if out, err := avahi.CombinedOutput(); err != nil {
		tb.Fatalf("avahi-daemon: %v: %s", err, out)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if exec.Command("avahi-daemon", "--check").Run() == nil {
			return env
		}
	}
	tb.Fatal("avahi-daemon did not start")
	return nil
}

// StartPrinter starts ippeveprinter on a free port, keeping the jobs it
// receives; it stops when the test ends, or at Stop.
func StartPrinter(tb testing.TB) *Printer {
	tb.Helper()
	if _, err := exec.LookPath("ippeveprinter"); err != nil {
		tb.Fatal("ippeveprinter is missing: run scripts/setup (it installs cups-ipp-utils)")
	}
	p := &Printer{Spool: tb.TempDir(), Env: Avahi(tb)}
	port := freePort(tb)
	p.Args = []string{"-p", strconv.Itoa(port), "-d", p.Spool, "-k", "-f", "application/pdf", "-m", "Receipt", "Tram thu " + strconv.Itoa(port)}
	p.cmd = exec.Command("ippeveprinter", p.Args...)
	p.cmd.Env = append(os.Environ(), p.Env...)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Stop)
	p.URI = fmt.Sprintf("ipp://127.0.0.1:%d/ipp/print", port)
	printer := agent.NewPrinter(p.URI)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if printer.Status(context.Background()).Status == "online" {
			return p
		}
	}
	tb.Fatal("ippeveprinter did not come up")
	return nil
}

// Stop ends the printer, as a printer switched off or unplugged.
func (p *Printer) Stop() {
	if p.cmd != nil && p.cmd.Process != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

func freePort(tb testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
