package dossiers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// TestUpperCaseDossierID: a kiosk that writes a dossier's id in capitals
// changes the same dossier, and the values it seals open for the reviewer;
// an id that is no UUID is no dossier.
func TestUpperCaseDossierID(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	c := e.create(t, confirmResidence, wardA)
	upper := strings.ToUpper(c.ID)
	req := stafftest.NewRequest(t, http.MethodPatch, "/api/v1/dossiers/"+upper+"/fields", `{"fields":{"phone":"0912345678"}}`)
	rec := stafftest.Record(e.h, withSecret(req, c.Secret))
	if rec.Code != http.StatusOK {
		t.Fatalf("update by the upper-case id: %d %s", rec.Code, rec.Body)
	}
	e.walk(t, c, dossiers.StatusSubmitted)
	clerk := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardA)
	for _, id := range []string{c.ID, upper} {
		rec = clerk.Do(t, e.h, http.MethodGet, "/api/v1/staff/dossiers/"+id, nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "0912345678") {
			t.Fatalf("the reviewer reads %s: %d %s", id, rec.Code, rec.Body)
		}
	}
	for _, id := range []string{"not-a-uuid", "{" + c.ID + "}", "urn:uuid:" + c.ID} {
		rec = clerk.Do(t, e.h, http.MethodGet, "/api/v1/staff/dossiers/"+id, nil)
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "dossier_not_found") {
			t.Errorf("%s: %d %s", id, rec.Code, rec.Body)
		}
	}
}

// Low findings about filing, replayed over HTTP: a resident could mark a
// value as entered by staff, and file a dossier for a ward that does not
// exist (only the city's official units are taken, migration 01702).
func TestSecurityFilingFindings(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	withField := func(ward string, name string, f dossiers.FieldInput) dossiers.NewDossier {
		fields := lanConfirm()
		fields[name] = f
		return dossiers.NewDossier{Procedure: confirmResidence, Ward: ward, Fields: fields}
	}
	ok := e.create(t, confirmResidence, wardA)
	for _, tt := range []struct {
		name, method, path string
		body               any
		secret             string
		status             int
		code               string
	}{
		{"a ward that does not exist", "POST", "/api/v1/dossiers", withField("99999", "phone", dossiers.FieldInput{Value: lanPhone}), "", 400, "unknown_ward"},
		{"a value marked as staff's", "POST", "/api/v1/dossiers",
			withField(wardA, "phone", dossiers.FieldInput{Value: lanPhone, Provenance: dossiers.FromStaff}), "", 400, "provenance_invalid"},
		{"a correction marked as staff's", "PATCH", "/api/v1/dossiers/" + ok.ID + "/fields",
			map[string]any{"fields": map[string]any{"phone": map[string]string{"value": "0912345678", "provenance": "staff"}}}, ok.Secret, 400, "provenance_invalid"},
		{"a ward of the directory, typed values", "POST", "/api/v1/dossiers", withField(wardA, "phone", dossiers.FieldInput{Value: lanPhone}), "", 201, ""},
	} {
		req := stafftest.NewRequest(t, tt.method, tt.path, tt.body)
		if tt.secret != "" {
			withSecret(req, tt.secret)
		}
		rec := stafftest.Record(e.h, req)
		if rec.Code != tt.status || (tt.code != "" && !strings.Contains(rec.Body.String(), `"`+tt.code+`"`)) {
			t.Errorf("%s: %d %s, want %d %s", tt.name, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
}

// TestSecurityTrackingPapersCarryAPassNotTheDigits: the digits of a
// look-up go in a POST's body, and the look-up answers a pass that prints
// that dossier's slip and decision for a few minutes without them; a pass
// of another dossier, or a changed one, prints nothing.
func TestSecurityTrackingPapersCarryAPassNotTheDigits(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	supplement := e.dossierAt(t, wardA, dossiers.StatusNeedsSupplement)
	other := e.dossierAt(t, wardA, dossiers.StatusInReview)
	last4 := lanPhone[len(lanPhone)-4:]
	track := func(code string) dossiers.Tracking {
		t.Helper()
		rec := stafftest.Record(e.h, stafftest.NewRequest(t, http.MethodPost, "/api/v1/track/"+code, `{"last4":"`+last4+`"}`))
		var tr dossiers.Tracking
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &tr) != nil || tr.Pass == "" || strings.Contains(tr.Pass, last4) {
			t.Fatalf("look-up of %s by POST: %d %s", code, rec.Code, rec.Body)
		}
		return tr
	}
	pass, otherPass := track(supplement.TrackingCode).Pass, track(other.TrackingCode).Pass
	base := "/api/v1/track/" + supplement.TrackingCode
	for _, c := range []struct{ name, path, want string }{
		{"slip by its pass", base + "/slip.pdf?pass=" + url.QueryEscape(pass), "%PDF-"},
		{"decision by its pass", base + "/decision.pdf?pass=" + url.QueryEscape(pass), "%PDF-"},
		{"another dossier's pass", base + "/slip.pdf?pass=" + url.QueryEscape(otherPass), "pass_invalid"},
		{"a changed pass", base + "/slip.pdf?pass=" + url.QueryEscape(pass[:len(pass)-2]+"AA"), "pass_invalid"},
		{"wrong digits by POST", base, "tracking_not_found"},
	} {
		req := stafftest.NewRequest(t, http.MethodGet, c.path, nil)
		if c.name == "wrong digits by POST" {
			req = stafftest.NewRequest(t, http.MethodPost, c.path, `{"last4":"0000"}`)
		}
		if rec := stafftest.Record(e.h, req); !strings.HasPrefix(rec.Body.String(), c.want) && !strings.Contains(rec.Body.String(), `"`+c.want+`"`) {
			t.Errorf("%s: %d %.200s", c.name, rec.Code, rec.Body)
		}
	}
}

// TestSecurityProofsStayOutOfAddresses: a dossier's secret goes in its
// header, never ?secret=; the old GET forms of a look-up and of the
// papers with ?last4= are gone. Each is refused (400 proof_in_address, or
// lookup_by_post for a bare GET of a look-up) before anything is looked up
// or counted, while the header and the POST still serve.
func TestSecurityProofsStayOutOfAddresses(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	d := e.dossierAt(t, wardA, dossiers.StatusNeedsSupplement)
	last4 := lanPhone[len(lanPhone)-4:]
	receipt := "/api/v1/dossiers/" + d.ID + "/receipt.pdf"
	counted := func() (n int) {
		t.Helper()
		if err := e.pool.QueryRow(context.Background(), `SELECT coalesce(sum(hits), 0) FROM rate_limits`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := counted()
	for _, c := range []struct {
		name, method, path, secret, body, code string
	}{
		{"receipt with ?secret=", http.MethodGet, receipt + "?secret=" + url.QueryEscape(d.Secret), "", "", "proof_in_address"},
		{"receipt with the header and ?secret=", http.MethodGet, receipt + "?secret=" + url.QueryEscape(d.Secret), d.Secret, "", "proof_in_address"},
		{"decision with ?secret=", http.MethodGet, "/api/v1/dossiers/" + d.ID + "/decision.pdf?secret=" + url.QueryEscape(d.Secret), "", "", "proof_in_address"},
		{"receipt with ?last4=", http.MethodGet, receipt + "?last4=" + last4, "", "", "proof_in_address"},
		{"look-up by GET with ?last4=", http.MethodGet, "/api/v1/track/" + d.TrackingCode + "?last4=" + last4, "", "", "proof_in_address"},
		{"look-up by GET", http.MethodGet, "/api/v1/track/" + d.TrackingCode, "", "", "lookup_by_post"},
		{"look-up by POST with ?last4= too", http.MethodPost, "/api/v1/track/" + d.TrackingCode + "?last4=" + last4, "", `{"last4":"` + last4 + `"}`, "proof_in_address"},
		{"slip with ?last4=", http.MethodGet, "/api/v1/track/" + d.TrackingCode + "/slip.pdf?last4=" + last4, "", "", "proof_in_address"},
		{"decision by code with ?last4=", http.MethodGet, "/api/v1/track/" + d.TrackingCode + "/decision.pdf?last4=" + last4, "", "", "proof_in_address"},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		req := stafftest.NewRequest(t, c.method, c.path, body)
		if c.secret != "" {
			withSecret(req, c.secret)
		}
		if rec := stafftest.Record(e.h, req); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"`+c.code+`"`) {
			t.Errorf("%s: %d %.200s, want 400 %s", c.name, rec.Code, rec.Body, c.code)
		}
	}
	if after := counted(); after != before {
		t.Errorf("refused requests counted %d look-ups", after-before)
	}
	for _, c := range []struct {
		name string
		req  *http.Request
	}{
		{"receipt with the secret's header", withSecret(stafftest.NewRequest(t, http.MethodGet, receipt, nil), d.Secret)},
		{"receipt with the digits by POST", stafftest.NewRequest(t, http.MethodPost, receipt, `{"last4":"`+last4+`"}`)},
		{"look-up by POST", stafftest.NewRequest(t, http.MethodPost, "/api/v1/track/"+d.TrackingCode, `{"last4":"`+last4+`"}`)},
	} {
		if rec := stafftest.Record(e.h, c.req); rec.Code != http.StatusOK {
			t.Errorf("%s: %d %.200s", c.name, rec.Code, rec.Body)
		}
	}
}
