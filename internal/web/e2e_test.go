package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/signing/signingtest"
	"github.com/citizenstation/citizenstation/internal/stationtest"
	"github.com/citizenstation/citizenstation/kiosk/agent"
	"github.com/citizenstation/citizenstation/kiosk/agent/agenttest"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

// The accounts, ward and station the browser tests use.
const (
	e2eWard     = "26740" // Phường Sài Gòn in reports/wards-sample.geojson
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
	root := browserTools(t)
	tmp := t.TempDir()
	bin := stationtest.Build(t)
	dbURL, drop, err := dbtest.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)

	addr, idleAddr, gatewayAddr := stationtest.FreeAddr(t), stationtest.FreeAddr(t), stationtest.FreeAddr(t)
	base, idleBase := "http://"+addr, "http://"+idleAddr
	// The papers are signed, as at a station, with a chain made for the test.
	chain := signingtest.New(t, "Công an phường Sài Gòn (thử nghiệm)")
	bin.Env = []string{
		"STATION_SIGN_CERT=" + chain.CertFile,
		"STATION_SIGN_KEY=" + chain.KeyFile,
		"STATION_PUBLIC_URL=" + base,
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
	token := prepareInstallation(t, bin, root, tmp)
	scan, name, last4 := cardScan(t, tmp)

	// The station's devices, simulated by the real stacks: SANE's pnm
	// backend "scans" the card, ippeveprinter is the receipt printer; the
	// station agent drives both for the kiosk page. The document camera is
	// ffmpeg reading an image file in place of a V4L2 device.
	agentAddr := stationtest.FreeAddr(t)
	printer := agenttest.StartPrinter(t)
	scanner := filepath.Join(tmp, "scanner.pnm")
	writePNM(t, scan, scanner)
	cards := otherCards(t, tmp)
	camera := filepath.Join(tmp, "camera.png")
	copyFile(t, scan, camera)
	bin.Env = append(bin.Env, "STATION_KIOSK_AGENT=http://"+agentAddr)

	bin.Start(t, []string{"STATION_SANDBOX_ADDR=" + gatewayAddr, "STATION_SANDBOX_IPN_URL=" + base + "/api/v1/payments/vnpay/ipn"}, "sandbox-gateway")
	bin.Start(t, []string{"STATION_ADDR=" + addr, "STATION_MIGRATE=false"}, "serve").
		WaitReady(t, base+"/healthz", stationtest.StatusOK)
	bin.Start(t, []string{"STATION_ADDR=" + idleAddr, "STATION_MIGRATE=false",
		"STATION_KIOSK_IDLE=25s", "STATION_KIOSK_IDLE_WARNING=20s", "STATION_KIOSK_SWEEP=1s"}, "serve").
		WaitReady(t, idleBase+"/healthz", stationtest.StatusOK)
	bin.Start(t, append(printer.Env,
		"SANE_CONFIG_DIR="+agenttest.SANE(t), "STATION_DEVICE_TOKEN="+token, "STATION_AGENT_SERVER="+base,
		"STATION_AGENT_ADDR="+agentAddr, "STATION_AGENT_ORIGIN="+base+","+idleBase, "STATION_AGENT_LOOK=500ms",
		"STATION_SCANNER=pnm:0", "STATION_SCANNER_ARGS=--filename="+scanner, "STATION_PRINTER="+printer.URI,
		"STATION_CAMERA="+camera, "STATION_CAMERA_FORMAT=image2"), "agent")
	printerCmd, _ := json.Marshal(map[string]any{"args": printer.Args, "env": printer.Env})

	runBrowserTests(t, root,
		"E2E_BASE_URL="+base,
		"E2E_IDLE_BASE_URL="+idleBase,
		"E2E_DATABASE_URL="+dbURL,
		"E2E_DEVICE_TOKEN="+token,
		"E2E_WARD="+e2eWard,
		"E2E_SCAN="+scan,
		"E2E_SCAN_NAME="+name,
		"E2E_SCAN_LAST4="+last4,
		"E2E_SCANNER_FILE="+scanner,
		"E2E_CAMERA_FILE="+camera,
		"E2E_CARDS="+cards,
		"E2E_PASSWORD="+e2ePassword,
		"E2E_SCREENSHOTS="+filepath.Join(root, "e2e", "screenshots"),
		"E2E_AGENT_URL=http://"+agentAddr,
		"E2E_PRINTER_SPOOL="+printer.Spool,
		"E2E_PRINTER_PID="+strconv.Itoa(printer.Pid()),
		"E2E_PRINTER_CMD="+string(printerCmd),
	)
}

// browserTools checks that node, Chromium and the e2e packages are there
// and returns the checkout's directory.
func browserTools(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "/usr/bin/chromium"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run scripts/setup (it installs chromium, node and the e2e packages)", tool)
		}
	}
	root := stationtest.Root(t)
	if _, err := os.Stat(filepath.Join(root, "e2e", "node_modules", "playwright-core")); err != nil {
		t.Fatal("e2e/node_modules is missing: run scripts/setup (npm ci in e2e/)")
	}
	return root
}

// prepareInstallation does what an operator does before opening: the
// schema, the catalogue, the wards, the staff accounts, two stored eval
// runs for the viewer and a station, whose device token it returns.
func prepareInstallation(t *testing.T, bin *stationtest.Binary, root, tmp string) string {
	t.Helper()
	bin.MustRun(t, "", "migrate")
	bin.MustRun(t, "", "import")
	bin.MustRun(t, "", "import", "wards", filepath.Join(root, "kiosk", "reports", "wards-sample.geojson"))
	// The ward officer serves the sample's wards: a dossier goes to the ward
	// of the address it concerns, and the scanned card's resident lives in
	// another sample ward than the station's.
	for _, u := range [][]string{
		{"--username", "canbo.phuong", "--role", "ward_staff", "--ward", e2eWard + ",26743,26737,26758"},
		{"--username", "truc.ban", "--role", "duty_officer", "--ward", e2eWard},
		{"--username", "quan.tri", "--role", "admin"},
		{"--username", "danh.gia", "--role", "evaluator"},
	} {
		bin.MustRun(t, e2ePassword+"\n", append(append([]string{"user", "add"}, u...), "--password-stdin")...)
	}
	storeEvalRuns(t, bin, root, tmp)
	out := bin.MustRun(t, "", "stations", "add", "--name", "Trạm chung cư Bến Nghé", "--ward", e2eWard,
		"--address", "12 Tôn Đức Thắng, Phường Sài Gòn", "--lat", "10.7765", "--lng", "106.7050")
	token := regexp.MustCompile(`(?m)^(\S{20,})\s*$`).FindStringSubmatch(out)
	if token == nil {
		t.Fatalf("no device token in:\n%s", out)
	}
	return token[1]
}

// runBrowserTests runs the e2e/ tests with node, env added to its
// environment. E2E_ONLY=bills runs e2e/bills.test.mjs alone, while working
// on it.
func runBrowserTests(t *testing.T, root string, env ...string) {
	t.Helper()
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
	// if they outlive the deadline: four times what the whole run takes on
	// an idle two-core machine, well inside go test's own 30 minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	node := exec.CommandContext(ctx, "node", args...)
	node.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	node.Cancel = func() error { return syscall.Kill(-node.Process.Pid, syscall.SIGKILL) }
	node.WaitDelay = 10 * time.Second
	node.Dir = filepath.Join(root, "e2e")
	node.Env = append(os.Environ(), env...)
	var report bytes.Buffer
	node.Stdout, node.Stderr = &report, &report
	err := node.Run()
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
	page, err := corpus.Sample(2026, corpus.Front, corpus.Clean)
	if err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(dir, "cccd-front.png")
	if err := os.WriteFile(file, page.Image, 0o600); err != nil {
		t.Fatal(err)
	}
	id := page.Fields["id_number"]
	return file, page.Fields["full_name"], id[len(id)-4:]
}

// otherCards renders, as PNM files for the scanner and PNG pictures for the
// camera, the back of a lifetime card (its MRZ's expiry is filler) and the
// front of a 2024 Căn cước card; it returns them as JSON, each with its
// files and the fields the reader should give, for a browser test to put
// each under the scanner or the camera in turn.
func otherCards(t *testing.T, dir string) string {
	t.Helper()
	g, err := corpus.NewGenerator(2024)
	if err != nil {
		t.Fatal(err)
	}
	lifetime := g.Person()
	for !lifetime.Lifetime() {
		lifetime = g.Person()
	}
	type card struct {
		Kind   string            `json:"kind"`
		File   string            `json:"file"`
		Photo  string            `json:"photo"`
		Fields map[string]string `json:"fields"`
	}
	var cards []card
	for _, c := range []struct {
		kind string
		p    corpus.Person
	}{{corpus.Back, lifetime}, {corpus.CanCuocFront, g.Person()}} {
		page, err := g.Page(c.kind, c.p, corpus.Clean)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, page.Name+".png")
		if err := os.WriteFile(file, page.Image, 0o600); err != nil {
			t.Fatal(err)
		}
		pnm := strings.TrimSuffix(file, ".png") + ".pnm"
		writePNM(t, file, pnm)
		cards = append(cards, card{Kind: c.kind, File: pnm, Photo: file, Fields: page.Fields})
	}
	out, err := json.Marshal(cards)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// copyFile copies the file from to the file to.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// writePNM writes the PNG file png as the PNM file SANE's pnm backend
// reads.
func writePNM(t *testing.T, pngFile, pnm string) {
	t.Helper()
	f, err := os.Open(pngFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pnm, agent.PNM(img), 0o600); err != nil {
		t.Fatal(err)
	}
}
