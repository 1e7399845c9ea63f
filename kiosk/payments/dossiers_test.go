package payments_test

import (
	"context"
	"testing"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

func ptr[T any](v T) *T { return &v }

// With the real dossiers and catalogue: a resident at a kiosk submits a
// dossier whose fee must be paid first, pays it through the gateway, and the
// payment submits the dossier; a draft left at the kiosk is erased when the
// visit ends. It is kept whole over 80 lines because it is one resident's
// visit, each step acting on the dossier the step before left.
func TestDossierFeeAndDraftWithRealDossiers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cat := procedurestest.Load(t, e.pool)
	ds, err := dossiers.NewService(ctx, e.pool, cat, dossiers.Config{Sealer: seal.MustTest("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="), DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// The service under test, wired as serve.go wires it.
	e.kiosk = kiosk.NewService(e.pool, kiosk.DefaultConfig(), quiet, ds)
	demo, _ := payments.NewDemoBiller("")
	cfg := e.pay.Config()
	pay := payments.NewService(e.pool, cfg, quiet, payments.DossierFees{Dossiers: ds}, demo)
	h := httpserver.New(httpserver.Options{Logger: quiet}, &payments.Handler{Service: pay, Device: e.kiosk.RequireDevice}).Handler()
	e.setHandler(h)

	resident := audit.Actor{IP: "10.20.0.5", Role: "resident"}
	visit, err := e.kiosk.StartSession(ctx, e.stationID)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]dossiers.FieldInput{
		"full_name":        {Value: "Nguyễn Thị Lan", Provenance: dossiers.FromOCR, Confidence: ptr(0.93)},
		"date_of_birth":    {Value: "1980-03-12", Provenance: dossiers.FromMRZ, Confidence: ptr(0.97)},
		"sex":              {Value: "Nữ", Provenance: dossiers.FromQR, Confidence: ptr(0.99)},
		"id_number":        {Value: "079203001234", Provenance: dossiers.FromQR, Confidence: ptr(0.99)},
		"phone":            {Value: "0903123456"},
		"address":          {Value: "12 Nguyễn Huệ, phường Sài Gòn"},
		"relation_to_head": {Value: "con"},
		"housing_basis":    {Value: "relative"},
	}
	filed, err := ds.Create(ctx, resident, dossiers.NewDossier{Procedure: "residence.permanent-register", Ward: "26740",
		Fields: fields, KioskSessionID: visit.ID})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ds.Submit(ctx, resident, filed.ID, filed.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if !res.PaymentRequired || res.FeeAmount <= 0 {
		t.Fatalf("submit %+v: the fee should come first", res)
	}

	p := e.order(t, "fee", map[string]any{"purpose": "fee", "dossier_id": filed.ID, "kiosk_session_id": visit.ID})
	if p.Amount != res.FeeAmount {
		t.Errorf("order of %d VND for a fee of %d", p.Amount, res.FeeAmount)
	}
	payAtGateway(t, e, p, "pay")
	due, err := ds.FeeDue(ctx, filed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !due.Paid || due.PaymentID != p.ID || due.Status != dossiers.StatusSubmitted {
		t.Errorf("dossier after payment: %+v", due)
	}
	if r := e.device(t, "POST", "/api/v1/payments", map[string]any{"purpose": "fee", "dossier_id": filed.ID}, "Idempotency-Key", "again"); r.status != 409 {
		t.Errorf("paying a paid fee again: %d %s", r.status, r.body)
	}

	// A draft left unsubmitted in the same visit is erased when it ends; the
	// submitted dossier stays.
	draft, err := ds.Create(ctx, resident, dossiers.NewDossier{Procedure: "residence.permanent-register", Ward: "26740",
		Fields: fields, KioskSessionID: visit.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.kiosk.Finish(ctx, e.stationID, visit.ID); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM dossiers WHERE id = $1`, draft.ID); n != 0 {
		t.Error("the unsubmitted draft survived the end of the visit")
	}
	if n := e.count(t, `SELECT count(*) FROM dossiers WHERE id = $1`, filed.ID); n != 1 {
		t.Error("the submitted dossier was erased")
	}

	// After the visit, the fee's payment is found by its code with the last
	// four digits of the ID or of the phone number, not with others.
	for last4, found := range map[string]bool{"1234": true, "3456": true, "0000": false} {
		got, err := pay.Lookup(ctx, "10.20.0.6", p.LookupCode, last4)
		switch {
		case found && (err != nil || got.ID != p.ID || got.Receipt == nil):
			t.Errorf("lookup with %s: %+v, %v", last4, got, err)
		case !found && !apperr.IsKind(err, apperr.NotFound):
			t.Errorf("lookup with %s: %v", last4, err)
		}
	}
}
