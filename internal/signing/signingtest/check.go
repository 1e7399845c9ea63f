package signingtest

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/signing"
)

// Check runs poppler's pdfsig, a verifier independent of the service, on
// pdf and fails tb unless it reports a valid signature by signer covering
// the whole document. It returns the path of the verification page whose
// address (under publicURL) is printed on the document.
func Check(tb testing.TB, pdf []byte, signer, publicURL string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out, err := exec.Command("pdfsig", path).CombinedOutput()
	if err != nil && len(out) == 0 {
		tb.Fatalf("pdfsig (install poppler-utils with scripts/setup): %v", err)
	}
	for _, want := range []string{"Signer Certificate Common Name: " + signer, "Signature Validation: Signature is Valid.",
		"Total document signed"} {
		if !strings.Contains(string(out), want) {
			tb.Errorf("pdfsig does not say %q:\n%s", want, out)
		}
	}
	text := Text(tb, pdf)
	link := regexp.MustCompile(regexp.QuoteMeta(publicURL) + `/verify/[0-9a-f-]{36}`).FindString(text)
	if link == "" || !strings.Contains(text, "được ký số") {
		tb.Fatalf("no verification link on the document:\n%s", text)
	}
	return strings.TrimPrefix(link, publicURL)
}

// Text is the text of pdf by poppler's pdftotext, runs of spaces made one.
func Text(tb testing.TB, pdf []byte) string {
	tb.Helper()
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("pdftotext (install poppler-utils with scripts/setup): %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// Verdict uploads copy on the verification page at path, served by h, the
// way a person does, and returns the verdict the page shows.
func Verdict(tb testing.TB, h http.Handler, path string, copy []byte) string {
	tb.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "document.pdf")
	if err != nil {
		tb.Fatal(err)
	}
	fw.Write(copy)
	mw.Close()
	r := httptest.NewRequest("POST", path, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	verdict := regexp.MustCompile(`data-verdict="(\w+)"`).FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || verdict == nil {
		tb.Fatalf("verification page: %d\n%s", w.Code, w.Body.String())
	}
	return verdict[1]
}

// CheckVerdicts fails tb unless the verification page at path calls pdf
// intact and a copy with one byte of its signed content changed changed.
func CheckVerdicts(tb testing.TB, h http.Handler, path string, pdf []byte) {
	tb.Helper()
	changed := bytes.Clone(pdf)
	at := bytes.Index(changed, []byte("/Producer"))
	if at < 0 {
		tb.Fatal("no /Producer in the document")
	}
	changed[at+2] ^= 0x20 // one letter's case, inside the signed bytes
	if got := Verdict(tb, h, path, pdf); got != signing.Intact {
		tb.Errorf("the document as issued: %s, want %s", got, signing.Intact)
	}
	if got := Verdict(tb, h, path, changed); got != signing.Changed {
		tb.Errorf("a copy with one byte changed: %s, want %s", got, signing.Changed)
	}
}
