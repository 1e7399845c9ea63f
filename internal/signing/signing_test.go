package signing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/signing/signingtest"
)

// render draws a one-page PDF that prints its verification link.
func render(link string) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCompression(false) // the tests change a letter of the text
	p.AddPage()
	p.SetFont("Helvetica", "", 12)
	p.Cell(0, 10, "Acknowledgement of report R-2026-0001")
	p.Ln(10)
	p.Cell(0, 10, "Verify: "+link)
	var b bytes.Buffer
	err := p.Output(&b)
	return b.Bytes(), err
}

var ack = signing.Document{Kind: signing.KindReportAck, Title: "Giấy xác nhận tiếp nhận tin báo", SubjectKind: "report",
	SubjectID: "R-2026-0001", Ward: "26740", Reason: "Xác nhận tiếp nhận tin báo"}

func TestSignAndVerify(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	service := signingtest.Write(t, dir, "service", "Trạm công dân số TP.HCM")
	wards := filepath.Join(dir, "wards")
	os.Mkdir(wards, 0o700)
	signingtest.Write(t, wards, "26740", "Công an phường Sài Gòn")
	svc, err := signing.New(pool, signing.Config{CertFile: service.CertFile, KeyFile: service.KeyFile, WardDir: wards,
		PublicURL: "https://tram.example.vn/"})
	if err != nil {
		t.Fatal(err)
	}
	var link string
	signed, err := svc.Sign(ctx, ack, func(l string) ([]byte, error) { link = l; return render(l) })
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(link, "https://tram.example.vn/verify/")
	rec, err := svc.Lookup(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Signer != "Công an phường Sài Gòn" || rec.Title != ack.Title || rec.Size != len(signed) {
		t.Errorf("the ward's certificate signs its documents: %+v", rec)
	}
	other := ack
	other.Ward = "26737"
	if _, err := svc.Sign(ctx, other, render); err != nil {
		t.Fatal(err)
	}
	var signer string
	pool.QueryRow(ctx, `SELECT signer FROM signed_documents WHERE ward = '26737'`).Scan(&signer)
	if signer != "Trạm công dân số TP.HCM" {
		t.Errorf("a ward without its own certificate gets the service's, got %q", signer)
	}

	appended := append(bytes.Clone(signed), []byte("\n1 0 obj\n(forged)\nendobj\n")...)
	inSignature := bytes.Clone(signed)
	at := bytes.Index(inSignature, []byte("/Contents<")) + len("/Contents<") + 40
	inSignature[at] = map[byte]byte{'0': '1'}[inSignature[at]] | '0'
	inContent := bytes.Replace(signed, []byte("R-2026-0001"), []byte("R-2026-0009"), 1)
	if bytes.Equal(inContent, signed) {
		t.Fatal("the report number is not in the PDF's text")
	}

	h := httpserver.New(httpserver.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, &signing.Handler{Service: svc}).Handler()
	for _, c := range []struct {
		name, id string
		body     []byte
		status   int
		verdict  string
		sigValid bool
		code     string
	}{
		{"the document as signed", id, signed, 200, signing.Intact, true, ""},
		{"a byte changed in the content", id, inContent, 200, signing.Changed, false, ""},
		{"a byte changed in the signature", id, inSignature, 200, signing.Changed, false, ""},
		{"bytes appended after the signature", id, appended, 200, signing.Changed, true, ""},
		{"not a PDF", id, []byte("hello"), 400, "", false, "not_a_pdf"},
		{"an unknown document", "6f1c2a9e-0000-4000-8000-000000000000", signed, 404, "", false, "signed_document_not_found"},
		{"not an id", "../../etc", signed, 404, "", false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("POST", "/api/v1/signatures/"+c.id+"/verify", bytes.NewReader(c.body)))
			if w.Code != c.status || !strings.Contains(w.Body.String(), c.code) {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if c.verdict == "" {
				return
			}
			var v signing.Verification
			json.Unmarshal(w.Body.Bytes(), &v)
			if v.Verdict != c.verdict || v.SignatureValid != c.sigValid || v.Record.Signer != "Công an phường Sài Gòn" {
				t.Errorf("%+v", v)
			}
		})
	}
}

func TestUnsignedWithoutCertificate(t *testing.T) {
	pool := dbtest.New(t)
	svc, err := signing.New(pool, signing.Config{PublicURL: "http://localhost:8080"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Sign(context.Background(), ack, func(link string) ([]byte, error) {
		if link != "" {
			t.Errorf("a link to a signature that will not exist: %s", link)
		}
		return render(link)
	})
	if err != nil || !bytes.HasPrefix(got, []byte("%PDF-")) || bytes.Contains(got, []byte("/Sig")) {
		t.Fatalf("%v", err)
	}
	var n int
	pool.QueryRow(context.Background(), `SELECT count(*) FROM signed_documents`).Scan(&n)
	if n != 0 {
		t.Errorf("%d records of unsigned documents", n)
	}
}

func TestConfigRefusesBadKeys(t *testing.T) {
	a := signingtest.New(t, "A")
	b := signingtest.New(t, "B")
	for name, c := range map[string]signing.Config{
		"key of another certificate": {CertFile: a.CertFile, KeyFile: b.KeyFile, PublicURL: "https://x.vn"},
		"key without certificate":    {KeyFile: a.KeyFile, PublicURL: "https://x.vn"},
		"missing file":               {CertFile: a.CertFile + ".none", KeyFile: a.KeyFile, PublicURL: "https://x.vn"},
		"no public address":          {CertFile: a.CertFile, KeyFile: a.KeyFile, PublicURL: "tram.example.vn"},
		"empty ward directory":       {WardDir: t.TempDir(), PublicURL: "https://x.vn"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	good := a.Config("https://x.vn")
	if err := good.Validate(); err != nil {
		t.Errorf("a good chain: %v", err)
	}
}

// TestRetention: a tracking slip's record goes 90 days after its signing,
// every other paper's five years after, by the daily sweep; the public
// record of a purged document answers 404, the others stay.
func TestRetention(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	service := signingtest.Write(t, t.TempDir(), "service", "Trạm công dân số TP.HCM")
	svc, err := signing.New(pool, signing.Config{CertFile: service.CertFile, KeyFile: service.KeyFile, PublicURL: "http://localhost:8080"})
	if err != nil {
		t.Fatal(err)
	}
	slip := signing.Document{Kind: signing.KindTrackingSlip, Title: "Phiếu theo dõi hồ sơ", SubjectKind: "dossier", SubjectID: "d1"}
	day := 24 * time.Hour
	cases := []struct {
		name string
		doc  signing.Document
		age  time.Duration
		kept bool
	}{
		{"a slip of 89 days", slip, 89 * day, true},
		{"a slip of 91 days", slip, 91 * day, false},
		{"an acknowledgement of 91 days", ack, 91 * day, true},
		{"an acknowledgement of four years", ack, 4 * 365 * day, true},
		{"an acknowledgement of five years and a day", ack, 5*365*day + day, false},
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		var link string
		if _, err := svc.Sign(ctx, c.doc, func(l string) ([]byte, error) { link = l; return render(l) }); err != nil {
			t.Fatal(err)
		}
		ids[i] = strings.TrimPrefix(link, "http://localhost:8080/verify/")
		if _, err := pool.Exec(ctx, `UPDATE signed_documents SET signed_at = now() - $2::interval WHERE id = $1`,
			ids[i], fmt.Sprintf("%d seconds", int(c.age.Seconds()))); err != nil {
			t.Fatal(err)
		}
	}
	sweep := svc.PurgeJob()
	if sweep.Name != "signed-documents-purge" || sweep.Every != day {
		t.Errorf("sweep %q every %s", sweep.Name, sweep.Every)
	}
	if err := sweep.Run(ctx); err != nil {
		t.Fatal(err)
	}
	h := httpserver.New(httpserver.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, &signing.Handler{Service: svc}).Handler()
	for i, c := range cases {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/signatures/"+ids[i], nil))
		if got := w.Code == 200; got != c.kept {
			t.Errorf("%s: record answers %d, kept %v", c.name, w.Code, c.kept)
		}
	}
}
