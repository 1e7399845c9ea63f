package reports

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/paper"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/signing/signingtest"
)

// TestAcknowledgementSigned prints the acknowledgement of reports the way
// a reporter fetches it: signed with the certificate of the ward handling
// the report when it has one, with the service's otherwise; pdfsig accepts
// both, the verification page tells a changed copy, and nothing the
// reporter wrote is on the paper.
func TestAcknowledgementSigned(t *testing.T) {
	const publicURL = "https://tram.example.vn"
	pool := dbtest.New(t)
	wards := t.TempDir()
	signingtest.Write(t, wards, saiGon, "Công an phường Sài Gòn")
	service := signingtest.New(t, "Trạm công dân số Thành phố Hồ Chí Minh")
	cfg := service.Config(publicURL)
	cfg.WardDir = wards
	signer, err := signing.New(pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := paper.LoadFonts(paper.FontDir)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServerOn(t, pool, func(c *Config) { c.Papers = Papers{Fonts: fonts, Signer: signer} })
	verify := httpserver.New(httpserver.Options{Logger: slog.New(slog.DiscardHandler)}, &signing.Handler{Service: signer}).Handler()
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		where  [2]float64
		signer string
	}{
		{"in a ward with its own certificate", inSaiGon, "Công an phường Sài Gòn"},
		{"in a ward without one", inTanDinh, "Trạm công dân số Thành phố Hồ Chí Minh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := s.svc.Submit(ctx, submission("theft", tc.where))
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			s.handler.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/reports/track/"+r.Code+"/ack.pdf", nil))
			if w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" {
				t.Fatalf("ack.pdf: %d %s", w.Code, w.Body.String())
			}
			pdf := w.Body.Bytes()
			page := signingtest.Check(t, pdf, tc.signer, publicURL)
			text := signingtest.Text(t, pdf)
			for _, want := range []string{"GIẤY XÁC NHẬN TIẾP NHẬN PHẢN ÁNH", r.Code, "Trộm cắp", "Đã tiếp nhận", "Giấy xác nhận này được ký số"} {
				if !strings.Contains(text, want) {
					t.Errorf("the acknowledgement does not say %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "cạy khóa") {
				t.Errorf("the acknowledgement shows what the reporter wrote:\n%s", text)
			}
			signingtest.CheckVerdicts(t, verify, page, pdf)
		})
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/reports/track/PA-2222-2222-22/ack.pdf", nil))
	if w.Code != 404 {
		t.Errorf("unknown code: %d %s", w.Code, w.Body.String())
	}
}
