package dossiers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/signing/signingtest"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// TestReceiptSigned prints a receipt with a ward's certificate configured:
// poppler's pdfsig, an independent verifier, accepts its PAdES signature;
// the QR's link leads to the public page, which calls the receipt intact
// and a copy with one byte changed changed.
func TestReceiptSigned(t *testing.T) {
	chain := signingtest.New(t, "Công an phường Sài Gòn")
	pool := dbtest.New(t)
	signer, err := signing.New(pool, chain.Config("https://tram.example.vn"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, pool, dossiers.Config{Signer: signer})
	ctx := context.Background()
	d := e.create(t, registerResidence, wardA)
	if _, err := e.svc.Attach(ctx, kiosk, d.ID, d.Secret, dossiers.AttachmentInput{Document: ptr(1), Content: bytes.NewReader(pngBytes)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Submit(ctx, kiosk, d.ID, d.Secret); err != nil {
		t.Fatal(err)
	}
	payFee(t, e, d.ID, "pay-1", 10000)
	pdf, err := e.svc.Receipt(ctx, kiosk, d.ID, nil, dossiers.Proof{Secret: d.Secret})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "receipt.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pdfsig", path).CombinedOutput()
	t.Logf("pdfsig:\n%s", out)
	for _, want := range []string{"Signer Certificate Common Name: Công an phường Sài Gòn", "Signature Validation: Signature is Valid.",
		"Total document signed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdfsig does not say %q:\n%s", want, out)
		}
	}
	text := pdfText(t, pdf)
	link := regexp.MustCompile(`https://tram\.example\.vn/verify/[0-9a-f-]{36}`).FindString(text)
	if link == "" || !strings.Contains(text, "Giấy biên nhận này được ký số") {
		t.Fatalf("no verification link on the receipt:\n%s", text)
	}

	h := httpserver.New(httpserver.Options{Logger: quiet}, signing.NewHandler(signer)).Handler()
	page := strings.TrimPrefix(link, "https://tram.example.vn")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", page, nil))
	for _, want := range []string{"Giấy biên nhận hồ sơ", "Công an phường Sài Gòn", "Citizenstation Test Issuing CA"} {
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("verification page %d lacks %q", w.Code, want)
		}
	}
	changed := bytes.Clone(pdf)
	at := bytes.Index(changed, []byte("/Producer"))
	changed[at+2] ^= 0x20 // one letter's case, inside the signed bytes
	for name, copy := range map[string][]byte{"the receipt": pdf, "a copy with one byte changed": changed} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, uploadPDF(t, page, copy))
		verdict := regexp.MustCompile(`data-verdict="(\w+)"`).FindStringSubmatch(w.Body.String())
		want := signing.Intact
		if name != "the receipt" {
			want = signing.Changed
		}
		if w.Code != http.StatusOK || verdict == nil || verdict[1] != want {
			t.Errorf("%s: %d %v, want %s:\n%s", name, w.Code, verdict, want, w.Body.String())
		}
	}
}

// uploadPDF is the verification page's form with copy as its file.
func uploadPDF(t testing.TB, page string, copy []byte) *http.Request {
	t.Helper()
	body, contentType := multipartFile(t, copy, nil)
	r := httptest.NewRequest("POST", page, body)
	r.Header.Set("Content-Type", contentType)
	return r
}
