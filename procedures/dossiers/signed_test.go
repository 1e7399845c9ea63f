package dossiers_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/signing/signingtest"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

const publicURL = "https://tram.example.vn"

// signedEnv is a dossier service whose papers are signed with a test
// chain, and a handler serving both its routes and the verification page.
func signedEnv(t *testing.T) (*env, http.Handler) {
	t.Helper()
	chain := signingtest.New(t, "Công an phường Sài Gòn")
	pool := dbtest.New(t)
	signer, err := signing.New(pool, chain.Config(publicURL))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, pool, dossiers.Config{Signer: signer})
	h := httpserver.New(httpserver.Options{Logger: quiet}, &staff.Handler{Service: e.auth}, &dossiers.Handler{Service: e.svc, Staff: e.auth}, &signing.Handler{Service: signer}).Handler()
	return e, h
}

// TestReceiptSigned prints a receipt with a ward's certificate configured:
// poppler's pdfsig, an independent verifier, accepts its PAdES signature;
// the QR's link leads to the public page, which calls the receipt intact
// and a copy with one byte changed changed.
func TestReceiptSigned(t *testing.T) {
	e, h := signedEnv(t)
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
	page := signingtest.Check(t, pdf, "Công an phường Sài Gòn", publicURL)
	if text := pdfText(t, pdf); !strings.Contains(text, "Giấy biên nhận này được ký số") {
		t.Errorf("the receipt does not say it is signed:\n%s", text)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", page, nil))
	for _, want := range []string{"Giấy biên nhận hồ sơ", "Công an phường Sài Gòn", "Citizenstation Test Issuing CA"} {
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), want) {
			t.Errorf("verification page %d lacks %q", w.Code, want)
		}
	}
	signingtest.CheckVerdicts(t, h, page, pdf)
}

// TestPapersSigned fetches the ward's other papers the way the kiosk and
// residents do: each is a signed PDF pdfsig accepts, whose verification
// page names it and tells a changed copy; a paper not due yet is refused.
func TestPapersSigned(t *testing.T) {
	e, h := signedEnv(t)
	rejected := e.dossierAt(t, wardA, dossiers.StatusRejected)
	supplement := e.dossierAt(t, wardA, dossiers.StatusNeedsSupplement)
	approved := e.dossierAt(t, wardA, dossiers.StatusResultReady)
	reviewing := e.dossierAt(t, wardA, dossiers.StatusInReview)
	last4 := lanPhone[len(lanPhone)-4:]
	secret := func(c *dossiers.Created) http.Header { return http.Header{dossiers.SecretHeader: {c.Secret}} }
	// A look-up proves the digits and hands out the pass of its papers.
	pass := func(c *dossiers.Created) string {
		t.Helper()
		tr, err := e.svc.Track(context.Background(), kiosk, c.TrackingCode, last4)
		if err != nil {
			t.Fatal(err)
		}
		return "?pass=" + url.QueryEscape(tr.Pass)
	}
	for _, tc := range []struct {
		name, path string
		header     http.Header
		body       string // sent by POST
		status     int
		says       []string // in the PDF's text
		title      string   // on the verification page
	}{
		{"refusal", "/api/v1/dossiers/" + rejected.ID + "/decision.pdf", secret(rejected), "", 200,
			[]string{"PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ", "Lý do rejected", "Phiếu này được ký số"}, "Phiếu từ chối giải quyết hồ sơ"},
		{"supplement", "/api/v1/track/" + supplement.TrackingCode + "/decision.pdf" + pass(supplement), nil, "", 200,
			[]string{"PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Lý do needs_supplement"}, "Phiếu yêu cầu bổ sung hồ sơ"},
		{"approval", "/api/v1/dossiers/" + approved.ID + "/decision.pdf", secret(approved), "", 200,
			[]string{"THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ", "Kết quả đã sẵn sàng"}, "Thông báo kết quả giải quyết hồ sơ"},
		{"tracking slip", "/api/v1/track/" + reviewing.TrackingCode + "/slip.pdf" + pass(reviewing), nil, "", 200,
			[]string{"PHIẾU THEO DÕI HỒ SƠ", dossiers.FormatTrackingCode(reviewing.TrackingCode), "Cán bộ đang giải quyết hồ sơ"}, "Phiếu theo dõi hồ sơ"},
		{"no decision yet", "/api/v1/dossiers/" + reviewing.ID + "/decision.pdf", secret(reviewing), "", 409, nil, ""},
		{"slip with another dossier's pass", "/api/v1/track/" + reviewing.TrackingCode + "/slip.pdf" + pass(supplement), nil, "", 404, nil, ""},
		{"slip with the digits in its address", "/api/v1/track/" + reviewing.TrackingCode + "/slip.pdf?last4=" + last4, nil, "", 400, nil, ""},
		{"supplement by id and digits", "/api/v1/dossiers/" + supplement.ID + "/decision.pdf", nil, `{"last4":"` + last4 + `"}`, 200,
			[]string{"PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"}, "Phiếu yêu cầu bổ sung hồ sơ"},
		{"decision by id with the digits in its address", "/api/v1/dossiers/" + supplement.ID + "/decision.pdf?last4=" + last4, nil, "", 400, nil, ""},
		{"decision without proof", "/api/v1/dossiers/" + rejected.ID + "/decision.pdf", nil, "", 401, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.path, nil)
			if tc.body != "" {
				r = httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
				r.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tc.header {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("%s: %d, want %d: %s", tc.path, w.Code, tc.status, w.Body.String())
			}
			if tc.status != 200 {
				return
			}
			pdf := w.Body.Bytes()
			page := signingtest.Check(t, pdf, "Công an phường Sài Gòn", publicURL)
			text := pdfText(t, pdf)
			for _, want := range tc.says {
				if !strings.Contains(text, want) {
					t.Errorf("the paper does not say %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, lanID) || strings.Contains(text, lanPhone) {
				t.Errorf("the paper shows a full ID or phone number:\n%s", text)
			}
			w = httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", page, nil))
			if !strings.Contains(w.Body.String(), tc.title) {
				t.Errorf("verification page does not name %q:\n%s", tc.title, w.Body.String())
			}
			signingtest.CheckVerdicts(t, h, page, pdf)
		})
	}
}
