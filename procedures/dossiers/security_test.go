package dossiers_test

import (
	"net/http"
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
