package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/agent"
	"github.com/citizenstation/citizenstation/kiosk/agent/agenttest"
	"github.com/citizenstation/citizenstation/kiosk/kiosktest"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/ocr/corpus"
)

var quiet = slog.New(slog.DiscardHandler)

// sane points scanimage at SANE's test and pnm backends.
func sane(t *testing.T) { t.Setenv("SANE_CONFIG_DIR", agenttest.SANE(t)) }

// cardPage draws the front of an invented resident's card as the OCR
// corpus does, as PNG, with the fields a reader should give.
func cardPage(t *testing.T) corpus.Page {
	t.Helper()
	page, err := corpus.Sample(2026, corpus.Front, corpus.Clean)
	if err != nil {
		t.Fatal(err)
	}
	return page
}

// cardPNM writes the card as the PNM file SANE's pnm backend "scans".
func cardPNM(t *testing.T) (file string, page corpus.Page) {
	t.Helper()
	page = cardPage(t)
	img, err := png.Decode(bytes.NewReader(page.Image))
	if err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(t.TempDir(), "card.pnm")
	if err := os.WriteFile(file, agent.PNM(img), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, page
}

// server is the service as the agent sees it: station heartbeats and the
// OCR endpoint, on a scratch database with real Tesseract.
func server(t *testing.T) (*httptest.Server, *kiosk.Service, *kiosktest.Station) {
	t.Helper()
	pool := dbtest.New(t)
	stations := kiosk.NewService(pool, kiosk.DefaultConfig(), quiet)
	cfg := ocr.DefaultConfig()
	cfg.Workers, cfg.Queue = 1, 2
	ocrPool, err := ocr.NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ocrPool.Close)
	svc := ocr.NewService(ocr.NewReader(ocrPool), ocr.NewStore(pool, t.TempDir(), seal.Ephemeral()))
	svc.Stations = stations
	srv := httptest.NewServer(httpserver.New(httpserver.Options{Logger: quiet}, &ocr.Handler{Service: svc}, &kiosk.Handler{Service: stations}).Handler())
	t.Cleanup(srv.Close)
	return srv, stations, kiosktest.Add(t, stations, "")
}

// The pnm backend scans the card; the agent sends it to the visit's OCR and
// the fields come back read; a lid left open is a clear error and the
// scanner's state says so.
func TestScanGoesToTheVisitsOCR(t *testing.T) {
	sane(t)
	file, card := cardPNM(t)
	srv, _, st := server(t)
	scanner := &agent.Scanner{Program: "scanimage", Device: "pnm:0", Resolution: 300, Args: []string{"--filename=" + file}}
	a := &agent.Agent{Server: srv.URL, Token: st.Token, Scanner: scanner, Log: quiet}
	visit := st.Visit(t)

	raw, img, err := a.ScanToVisit(context.Background(), visit, "", agent.FromScanner)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		ID     string
		Fields map[string]struct{ Value string }
	}
	json.Unmarshal(raw, &res)
	if res.ID == "" || res.Fields["id_number"].Value != card.Fields["id_number"] || res.Fields["full_name"].Value != card.Fields["full_name"] {
		t.Fatalf("OCR of the scan: %s; want %s %s", raw, card.Fields["id_number"], card.Fields["full_name"])
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Fatalf("the scan is no PNG: %v", err)
	}
	if p := scanner.Status(context.Background()); p.Status != "online" {
		t.Fatalf("scanner after a scan: %+v", p)
	}

	scanner.Args = append(scanner.Args, "--status-coveropen=yes")
	_, _, err = a.ScanToVisit(context.Background(), visit, "", agent.FromScanner)
	if apperr.CodeOf(err) != "scanner_cover_open" || !strings.Contains(apperr.From(err).Message, "Nắp máy quét") {
		t.Fatalf("lid open: %v", err)
	}
	if p := scanner.Status(context.Background()); p.Status != "userError" || p.ErrorCode != "scanner_cover_open" {
		t.Fatalf("scanner after the lid: %+v", p)
	}
	missing := &agent.Scanner{Program: "scanimage", Device: "genesys:libusb:009:009", Resolution: 300}
	if p := missing.Status(context.Background()); p.Status != "noDevice" {
		t.Fatalf("a scanner SANE does not list: %+v", p)
	}
	if _, err := missing.Scan(context.Background()); apperr.CodeOf(err) != "scanner_missing" {
		t.Fatalf("scan on a missing scanner: %v", err)
	}
}

// The document camera photographs the card (ffmpeg reading the card's image
// file stands in for the V4L2 device, as the pnm backend does for the
// flatbed); the picture goes to the visit's OCR as a scan does. A device
// that is not a camera fails with a clear error, a camera unplugged is
// missing, and the heartbeat's states say so.
func TestCameraPictureGoesToTheVisitsOCR(t *testing.T) {
	card := cardPage(t)
	file := filepath.Join(t.TempDir(), "card.png")
	if err := os.WriteFile(file, card.Image, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, _, st := server(t)
	camera := &agent.Camera{Program: "ffmpeg", Device: file, Format: "image2"}
	a := &agent.Agent{Server: srv.URL, Token: st.Token, Camera: camera, Log: quiet}
	visit := st.Visit(t)

	raw, img, err := a.ScanToVisit(context.Background(), visit, "", agent.FromCamera)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Fields map[string]struct{ Value string }
	}
	json.Unmarshal(raw, &res)
	if res.Fields["id_number"].Value != card.Fields["id_number"] || res.Fields["full_name"].Value != card.Fields["full_name"] {
		t.Fatalf("OCR of the picture: %s; want %s %s", raw, card.Fields["id_number"], card.Fields["full_name"])
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Fatalf("the picture is no PNG: %v", err)
	}
	if p := a.Peripherals(context.Background()); len(p) != 1 || p[0].Class != "camera" || p[0].Status != "online" {
		t.Fatalf("camera after a picture: %+v", p)
	}
	if _, _, err := a.ScanToVisit(context.Background(), visit, "", agent.FromScanner); apperr.CodeOf(err) != "scanner_missing" {
		t.Fatalf("a scan at a station with a camera alone: %v", err)
	}

	notACamera := &agent.Camera{Program: "ffmpeg", Device: "/dev/null", Format: "v4l2"}
	if _, err := notACamera.Capture(context.Background()); apperr.CodeOf(err) != "camera_failed" || !strings.Contains(apperr.From(err).Message, "không chụp được") {
		t.Fatalf("a device that is no camera: %v", err)
	}
	if p := notACamera.Status(); p.Status != "hardwareError" || p.ErrorCode != "camera_failed" {
		t.Fatalf("camera after a failed picture: %+v", p)
	}
	unplugged := &agent.Camera{Program: "ffmpeg", Device: "/dev/video9", Format: "v4l2"}
	if _, err := unplugged.Capture(context.Background()); apperr.CodeOf(err) != "camera_missing" {
		t.Fatalf("a picture with no camera: %v", err)
	}
	if p := unplugged.Status(); p.Status != "noDevice" || p.ErrorCode != "camera_missing" {
		t.Fatalf("an unplugged camera: %+v", p)
	}
}

// A receipt is printed and followed to completed; the printer received the
// job with the tracking code in it. The printer taken away is offline in
// the next heartbeat, on the station the fleet console reads.
func TestPrintFollowedAndPrinterOfflineInHeartbeat(t *testing.T) {
	ipp := agenttest.StartPrinter(t)
	uri, spool, stop := ipp.URI, ipp.Spool, ipp.Stop
	srv, stations, st := server(t)
	a := &agent.Agent{Server: srv.URL, Token: st.Token, Printer: agent.NewPrinter(uri), Log: quiet, Version: "test"}

	pdf := receiptPDF(t, "HS-2026-ABCD1234")
	if _, err := a.Printer.Print(context.Background(), pdf, "receipt"); err != nil {
		t.Fatal(err)
	}
	if got := printedText(t, spool); !strings.Contains(got, "HS-2026-ABCD1234") {
		t.Fatalf("the printer's job does not hold the tracking code: %q", got)
	}
	printer := func() kiosk.Peripheral {
		t.Helper()
		if _, err := a.Beat(context.Background()); err != nil {
			t.Fatal(err)
		}
		s, err := stations.Station(context.Background(), st.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Peripherals {
			if p.ID == "printer" {
				return p
			}
		}
		t.Fatalf("no printer in %+v", s.Peripherals)
		return kiosk.Peripheral{}
	}
	if p := printer(); p.Status != "online" || p.Model == "" {
		t.Fatalf("printer in the heartbeat: %+v", p)
	}
	stop()
	if p := printer(); p.Status != "offline" {
		t.Fatalf("printer taken away, in the next heartbeat: %+v", p)
	}
	if _, err := a.Printer.Print(context.Background(), pdf, "receipt"); apperr.CodeOf(err) != "printer_offline" {
		t.Fatalf("print on a printer taken away: %v", err)
	}
}

// The local API answers the kiosk page's origin on the loopback address,
// and no one else.
func TestLocalAPIOnlyForTheKioskPage(t *testing.T) {
	a := &agent.Agent{Origins: []string{"http://kiosk.example"}, Log: quiet}
	h := a.Handler()
	for _, tc := range []struct {
		name, origin, remote string
		want                 int
	}{
		{"the kiosk page", "http://kiosk.example", "127.0.0.1:5000", http.StatusOK},
		{"another page", "http://evil.example", "127.0.0.1:5000", http.StatusForbidden},
		{"no origin (curl, another program)", "", "127.0.0.1:5000", http.StatusForbidden},
		{"another machine", "http://kiosk.example", "192.0.2.7:5000", http.StatusForbidden},
	} {
		r := httptest.NewRequest("GET", "/v1/status", nil)
		r.RemoteAddr = tc.remote
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, rec.Code, tc.want)
		}
		if tc.want == http.StatusOK && rec.Header().Get("Access-Control-Allow-Origin") != tc.origin {
			t.Errorf("%s: CORS origin %q", tc.name, rec.Header().Get("Access-Control-Allow-Origin"))
		}
	}
}

// receiptPDF is a one-page paper with code on it.
func receiptPDF(t *testing.T, code string) []byte {
	t.Helper()
	doc := fpdf.New("P", "mm", "A6", "")
	doc.AddPage()
	doc.SetFont("Helvetica", "", 14)
	doc.Cell(0, 10, "Ma tra cuu: "+code)
	var b bytes.Buffer
	if err := doc.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// printedText is the text of the jobs the printer kept, read by pdftotext.
func printedText(t *testing.T, spool string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(spool, "*"))
	var all strings.Builder
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.IsDir() {
			continue
		}
		out, err := exec.Command("pdftotext", f, "-").Output()
		if err == nil {
			all.Write(out)
		}
	}
	if all.Len() == 0 {
		t.Fatalf("the printer kept no readable job in %s: %v", spool, files)
	}
	return all.String()
}
