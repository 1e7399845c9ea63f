package dossiers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

// testKey is a data key for tests (32 bytes, base64).
const testKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="

func ptr[T any](v T) *T { return &v }

// The procedures of the tests, from the shipped catalogue: permanent
// residence registration has a fee halved online and a 7-day limit; the
// residence confirmation is free; bill payment is a service, not a dossier;
// a passport lists several fees, one per case.
const (
	registerResidence = "residence.permanent-register"
	confirmResidence  = "residence.info-confirm"
	payBill           = "utility.bill-payment"
	passport          = "passport.issue"
)

// The wards of the tests.
const (
	wardA = "26740"
	wardB = "26737"
)

// Applicant data used throughout.
const (
	lanID    = "079203001234"
	lanPhone = "0903123456"
	// lanMisread is her number as a worn front reads it.
	lanMisread = "079203001284"
)

// lanFields is Lan's application for permanent residence.
func lanFields() map[string]dossiers.FieldInput {
	return map[string]dossiers.FieldInput{
		"full_name":     {Value: "Nguyễn Thị Lan", Provenance: dossiers.FromOCR, Confidence: ptr(0.93), Box: &[4]int{40, 120, 380, 36}},
		"date_of_birth": {Value: "1980-03-12", Provenance: dossiers.FromMRZ, Confidence: ptr(0.97)},
		"sex":           {Value: "Nữ", Provenance: dossiers.FromQR, Confidence: ptr(0.99)},
		"id_number": {Value: lanID, Provenance: dossiers.FromQR, Confidence: ptr(0.99), Document: "cccd_front",
			Conflicts: []dossiers.Conflict{{Value: lanMisread, Provenance: dossiers.FromOCR, Document: "cccd_front"}}},
		"phone":            {Value: lanPhone},
		"address":          {Value: "12 Nguyễn Huệ, phường Sài Gòn", Provenance: dossiers.FromModel, Confidence: ptr(0.7)},
		"relation_to_head": {Value: "con", Provenance: dossiers.FromModel, Confidence: ptr(0.8)},
		"housing_basis":    {Value: "relative", Provenance: dossiers.FromModel, Confidence: ptr(0.8)},
	}
}

// lanConfirm is Lan's request for a residence confirmation.
func lanConfirm() map[string]dossiers.FieldInput {
	return map[string]dossiers.FieldInput{
		"full_name": {Value: "Nguyễn Thị Lan", Provenance: dossiers.FromOCR, Confidence: ptr(0.93), Box: &[4]int{0, 0, 1, 1}},
		// The MRZ on the back won over the front's print, which read 8 for 3.
		"date_of_birth": {Value: "1950-03-12", Provenance: dossiers.FromMRZ, Document: "cccd_back_mrz",
			Conflicts: []dossiers.Conflict{{Value: "1950-08-12", Provenance: dossiers.FromOCR, Document: "cccd_front"}}},
		"sex":                {Value: "nu", Provenance: dossiers.FromQR},
		"id_number":          {Value: lanID, Provenance: dossiers.FromQR, Confidence: ptr(0.99)},
		"phone":              {Value: lanPhone},
		"place_of_residence": {Value: "12 Nguyễn Huệ, phường Sài Gòn", Provenance: dossiers.FromOCR, Confidence: ptr(0.88)},
		"delivery":           {Value: "paper"},
	}
}

type env struct {
	pool      *pgxpool.Pool
	catalogue *procedures.Catalogue
	svc       *dossiers.Service
	auth      *staff.Service
	h         http.Handler
	dataDir   string
	admin     *staff.User
}

func newEnv(t testing.TB, cfg dossiers.Config) *env {
	t.Helper()
	return newEnvOn(t, dbtest.New(t), cfg)
}

// newEnvOn is newEnv on a database the test already made.
func newEnvOn(t testing.TB, pool *pgxpool.Pool, cfg dossiers.Config) *env {
	t.Helper()
	if cfg.Sealer == nil {
		cfg.Sealer = seal.MustTest(testKey)
	}
	cfg.DataDir = t.TempDir()
	cat := procedurestest.Load(t, pool)
	svc, err := dossiers.NewService(context.Background(), pool, cat, cfg)
	if err != nil {
		t.Fatal(err)
	}
	auth := staff.NewService(pool, staff.Config{})
	admin, _ := stafftest.NewUser(t, pool, staff.RoleAdmin)
	return &env{pool: pool, catalogue: cat, svc: svc, auth: auth, dataDir: cfg.DataDir, admin: admin,
		h: httpserver.New(httpserver.Options{Logger: quiet}, &staff.Handler{Service: auth}, &dossiers.Handler{Service: svc, Staff: auth}).Handler()}
}

// quiet drops the request log; tests assert on responses instead.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var kiosk = audit.Actor{IP: "10.20.0.5", UserAgent: "kiosk/1.0", Role: "resident"}

// create files a draft of procedure in ward for Lan.
func (e *env) create(t testing.TB, procedure, ward string) *dossiers.Created {
	t.Helper()
	fields := lanFields()
	if procedure == confirmResidence {
		fields = lanConfirm()
	}
	c, err := e.svc.Create(context.Background(), kiosk, dossiers.NewDossier{Procedure: procedure, Ward: ward, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pathTo is how a dossier reaches each status from draft.
var pathTo = map[dossiers.Status][]dossiers.Status{
	dossiers.StatusDraft:           {},
	dossiers.StatusSubmitted:       {dossiers.StatusSubmitted},
	dossiers.StatusInReview:        {dossiers.StatusSubmitted, dossiers.StatusInReview},
	dossiers.StatusNeedsSupplement: {dossiers.StatusSubmitted, dossiers.StatusInReview, dossiers.StatusNeedsSupplement},
	dossiers.StatusApproved:        {dossiers.StatusSubmitted, dossiers.StatusInReview, dossiers.StatusApproved},
	dossiers.StatusRejected:        {dossiers.StatusSubmitted, dossiers.StatusInReview, dossiers.StatusRejected},
	dossiers.StatusResultReady:     {dossiers.StatusSubmitted, dossiers.StatusInReview, dossiers.StatusApproved, dossiers.StatusResultReady},
	dossiers.StatusCompleted:       {dossiers.StatusSubmitted, dossiers.StatusInReview, dossiers.StatusApproved, dossiers.StatusResultReady, dossiers.StatusCompleted},
}

// dossierAt creates a fee-free dossier in ward and moves it to status.
func (e *env) dossierAt(t testing.TB, ward string, status dossiers.Status) *dossiers.Created {
	t.Helper()
	c := e.create(t, confirmResidence, ward)
	e.walk(t, c, pathTo[status]...)
	c.Status = status
	return c
}

func (e *env) walk(t testing.TB, c *dossiers.Created, steps ...dossiers.Status) {
	t.Helper()
	ctx := context.Background()
	for _, to := range steps {
		var err error
		if to == dossiers.StatusSubmitted {
			var res *dossiers.SubmitResult
			res, err = e.svc.Submit(ctx, kiosk, c.ID, c.Secret)
			if err == nil && res.PaymentRequired {
				payFee(t, e, c.ID, "pay-"+c.ID, res.FeeAmount)
			}
		} else {
			_, err = e.svc.Transition(ctx, e.admin, staff.ActorOf(e.admin, audit.Actor{IP: "10.0.0.1"}), c.ID,
				dossiers.TransitionRequest{To: to, Reason: "Lý do " + string(to)})
		}
		if err != nil {
			t.Fatalf("move %s to %s: %v", c.ID, to, err)
		}
	}
}

// decode reads a JSON body into v.
func decode(t testing.TB, body []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
}

// count runs a count query.
func (e *env) count(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
