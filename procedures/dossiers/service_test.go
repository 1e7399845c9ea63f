package dossiers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/signing/signingtest"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

func TestTracking(t *testing.T) {
	e := newEnv(t, dossiers.Config{TrackPerCode: 6, TrackPerIP: 100})
	d := e.dossierAt(t, wardA, dossiers.StatusNeedsSupplement)
	code := d.TrackingCode
	grouped := strings.ToLower(dossiers.FormatTrackingCode(code))
	other := e.dossierAt(t, wardA, dossiers.StatusSubmitted)
	wrongCheck := code[:8] + string("23456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("23456789ABCDEFGHJKMNPQRSTVWXYZ", code[8])+1)%30])

	tests := []struct {
		name       string
		path       string // the code typed, "?", the digits
		wantStatus int
		wantBody   string
	}{
		{"ID's last four", code + "?1234", 200, `"status":"needs_supplement"`},
		{"phone's last four, code as printed", grouped + "?3456", 200, `"next_step":"Hồ sơ cần bổ sung: Lý do needs_supplement. Xin bổ sung`},
		{"wrong digits", code + "?9999", 404, "tracking_not_found"},
		{"another dossier's code", other.TrackingCode + "?9999", 404, "tracking_not_found"},
		{"no digits", code + "?", 400, "last4_invalid"},
		{"letters for digits", code + "?12a4", 400, "last4_invalid"},
		{"wrong check symbol", wrongCheck + "?1234", 400, "tracking_code_invalid"},
		{"confusable symbols", "ABC0EF1HI?1234", 400, "tracking_code_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typed, digits, _ := strings.Cut(tt.path, "?")
			rec := track(t, e, typed, digits)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("= %d %s; want %d with %q", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			if rec.Code == 200 {
				// Only status, next step, dates and the papers' pass;
				// nothing personal.
				var got map[string]any
				decode(t, rec.Body.Bytes(), &got)
				for k := range got {
					switch k {
					case "tracking_code", "status", "status_label", "next_step", "created_at", "submitted_at", "expected_on", "decided_at", "updated_at", "pass":
					default:
						t.Errorf("tracking answer has %q", k)
					}
				}
				for _, secret := range []string{"Lan", lanID, lanPhone, wardA} {
					if strings.Contains(rec.Body.String(), secret) {
						t.Errorf("tracking answer leaks %q", secret)
					}
				}
			}
		})
	}
	// Six lookups of the code so far (two right, two wrong, one for the
	// missing digits was refused before counting); the limit is six a day.
	for i := 0; ; i++ {
		rec := track(t, e, code, "000"+fmt.Sprint(i%10))
		if rec.Code == 429 {
			if rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "rate_limited") {
				t.Fatalf("429 without Retry-After: %s", rec.Body)
			}
			if i != 3 {
				t.Fatalf("limited after %d more guesses, want 3", i)
			}
			break
		}
		if i > 6 {
			t.Fatal("guessing is not limited per code")
		}
	}
	// Now even the right digits wait, and other codes are still served.
	if rec := track(t, e, code, "1234"); rec.Code != 429 {
		t.Fatalf("right digits after the limit: %d", rec.Code)
	}
	if _, err := e.svc.Track(context.Background(), kiosk, other.TrackingCode, "1234"); err != nil {
		t.Fatalf("other code: %v", err)
	}
}

func TestTrackingIsLimitedPerClient(t *testing.T) {
	e := newEnv(t, dossiers.Config{TrackPerCode: 100, TrackPerIP: 5})
	ctx := context.Background()
	var codes []string
	for i := 0; i < 6; i++ {
		codes = append(codes, e.dossierAt(t, wardA, dossiers.StatusSubmitted).TrackingCode)
	}
	guesser := audit.Actor{IP: "203.0.113.9"}
	for i, code := range codes {
		_, err := e.svc.Track(ctx, guesser, code, "0000")
		if i < 5 && !apperr.IsKind(err, apperr.NotFound) {
			t.Fatalf("guess %d: %v", i, err)
		}
		if i == 5 && !apperr.IsKind(err, apperr.RateLimited) {
			t.Fatalf("sixth guess from one address: %v", err)
		}
	}
	if _, err := e.svc.Track(ctx, audit.Actor{IP: "203.0.113.10"}, codes[0], "1234"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

// TestAuditTrail checks the entry each action leaves: who, in what role,
// from where, about which dossier, and never the personal values.
func TestAuditTrail(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	clerk := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardA)
	d := e.create(t, confirmResidence, wardA)
	steps := []struct {
		action string
		do     func() error
		byUser bool
	}{
		{"dossier.attachment_added", func() error {
			_, err := e.svc.Attach(ctx, kiosk, d.ID, d.Secret, dossiers.AttachmentInput{Content: bytes.NewReader(pngBytes)})
			return err
		}, false},
		{"dossier.transition", func() error { _, err := e.svc.Submit(ctx, kiosk, d.ID, d.Secret); return err }, false},
		{"dossier.list", func() error { return status(clerk.Do(t, e.h, "GET", "/api/v1/staff/dossiers", nil).Code) }, true},
		{"dossier.read", func() error { return status(clerk.Do(t, e.h, "GET", "/api/v1/staff/dossiers/"+d.ID, nil).Code) }, true},
		{"dossier.field_edited", func() error {
			return status(clerk.Do(t, e.h, "PATCH", "/api/v1/staff/dossiers/"+d.ID+"/fields/id_number", map[string]string{"value": "079203005678", "reason": "sai một số"}).Code)
		}, true},
		{"dossier.transition", func() error {
			return status(clerk.Do(t, e.h, "POST", "/api/v1/staff/dossiers/"+d.ID+"/transition", map[string]string{"to": "in_review"}).Code)
		}, true},
		{"dossier.receipt", func() error {
			return status(clerk.Do(t, e.h, "GET", "/api/v1/dossiers/"+d.ID+"/receipt.pdf", nil).Code)
		}, true},
		{"dossier.tracked", func() error { _, err := e.svc.Track(ctx, kiosk, d.TrackingCode, "5678"); return err }, false},
	}
	for _, s := range steps {
		before := e.count(t, `SELECT count(*) FROM audit_log`)
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		got, err := audit.List(ctx, e.pool, audit.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		last := got[0]
		if after := e.count(t, `SELECT count(*) FROM audit_log`); after != before+1 || last.Action != s.action {
			t.Fatalf("%s left %d entries, last %s", s.action, after-before, last.Action)
		}
		if s.byUser && (last.Username != clerk.User.Username || last.Role != "ward_staff" || last.IP != "192.0.2.10" || last.UserAgent != "stafftest") {
			t.Errorf("%s: not attributed to the clerk: %+v", s.action, last)
		}
		if !s.byUser && (last.Role != "resident" || last.IP != kiosk.IP) {
			t.Errorf("%s: not attributed to the kiosk: %+v", s.action, last)
		}
		if s.action != "dossier.list" && (last.SubjectID != d.ID || last.Ward != wardA) {
			t.Errorf("%s: subject %s/%s ward %s", s.action, last.SubjectKind, last.SubjectID, last.Ward)
		}
	}
	created, _ := audit.List(ctx, e.pool, audit.Filter{Action: "dossier.created", SubjectID: d.ID})
	if len(created) != 1 || created[0].IP != kiosk.IP {
		t.Fatalf("creation entry %+v", created)
	}
	var dump string
	e.pool.QueryRow(ctx, `SELECT string_agg(a::text, ' ') FROM audit_log a`).Scan(&dump)
	for _, secret := range []string{lanID, "079203005678", lanPhone, "Nguyễn Thị Lan"} {
		if strings.Contains(dump, secret) {
			t.Errorf("audit log holds %q", secret)
		}
	}
}

func status(code int) error {
	if code >= 300 {
		return fmt.Errorf("HTTP %d", code)
	}
	return nil
}

// TestReceiptPDF renders a receipt and reads its text back with pdftotext.
func TestReceiptPDF(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	d := e.create(t, registerResidence, wardA)
	if _, err := e.svc.Attach(ctx, kiosk, d.ID, d.Secret, dossiers.AttachmentInput{Document: ptr(1), Content: bytes.NewReader(pngBytes)}); err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Submit(ctx, kiosk, d.ID, d.Secret)
	if err != nil || !res.PaymentRequired {
		t.Fatalf("submit: %+v, %v", res, err)
	}
	payFee(t, e, d.ID, "pay-1", 10000)
	pdf, err := e.svc.Receipt(ctx, kiosk, d.ID, nil, dossiers.Proof{Secret: d.Secret})
	if err != nil {
		t.Fatal(err)
	}
	if dump := os.Getenv("RECEIPT_DUMP"); dump != "" {
		os.WriteFile(dump, pdf, 0o600)
	}
	text := pdfText(t, pdf)
	fee, _ := e.svc.FeeDue(ctx, d.ID)
	var expected time.Time
	e.pool.QueryRow(ctx, `SELECT expected_on FROM dossiers WHERE id = $1`, d.ID).Scan(&expected)
	for _, want := range []string{
		"GIẤY BIÊN NHẬN HỒ SƠ",
		"TRẠM CÔNG DÂN SỐ — PHƯỜNG SÀI GÒN",
		dossiers.FormatTrackingCode(d.TrackingCode),
		"Thủ tục: Đăng ký thường trú",
		"Người nộp: Nguyễn Thị Lan",
		"********1234",
		"Ngày hẹn trả kết quả: " + expected.Format("02/01/2006") + " (dự kiến)",
		"Lệ phí đăng ký thường trú 10.000 đồng",
		"đã thanh toán " + fee.PaidAt.In(time.FixedZone("", 7*3600)).Format("02/01/2006"),
		"ở nhờ…): ☑ đã nộp bản chụp",
		"chủ sở hữu chỗ ở): ☐ chưa có",
		"(giấy khai sinh, giấy đăng ký kết hôn…): — nếu có",
		"4 số cuối của số căn cước",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, lanID) {
		t.Error("receipt prints the full ID number")
	}
	// The tracking code is also a QR image.
	dir := t.TempDir()
	os.WriteFile(dir+"/r.pdf", pdf, 0o600)
	out, err := exec.Command("pdfimages", "-list", dir+"/r.pdf").Output()
	if err != nil || !strings.Contains(string(out), "image") || strings.Count(string(out), "\n") < 3 {
		t.Errorf("no QR image in the receipt: %s %v", out, err)
	}
}

func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	return signingtest.Text(t, pdf)
}

// payFee marks a fee paid the way the payments package does: inside its
// own transaction.
func payFee(t testing.TB, e *env, id, paymentID string, amount int64) dossiers.Status {
	t.Helper()
	var st dossiers.Status
	err := pgx.BeginFunc(context.Background(), e.pool, func(tx pgx.Tx) error {
		var err error
		st, err = e.svc.MarkFeePaid(context.Background(), tx, id, paymentID, amount)
		return err
	})
	if err != nil {
		t.Fatalf("pay %s: %v", id, err)
	}
	return st
}

// TestFeesAndPayment follows one dossier's fee: due at creation, holding
// the submission, refused at a wrong amount, undone with its transaction,
// then paid once (the gateway's repeat harmless, a second payment refused),
// with its event and audit entry.
func TestFeesAndPayment(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	d := e.create(t, registerResidence, wardA)
	if d.FeeAmount != 10000 {
		t.Fatalf("fee at creation %d, want the online 10000", d.FeeAmount)
	}
	fee, err := e.svc.FeeDue(ctx, d.ID)
	if err != nil || fee.Amount != 10000 || fee.Paid || len(fee.Lines) != 1 || fee.Lines[0].Amount != 10000 {
		t.Fatalf("FeeDue = %+v, %v", fee, err)
	}
	// Submitting waits for the fee.
	rec := (*stafftest.Client)(nil).Do(t, e.h, "POST", "/api/v1/dossiers/"+d.ID+"/submit", nil)
	_ = rec
	r := withSecret(stafftest.NewRequest(t, "POST", "/api/v1/dossiers/"+d.ID+"/submit", nil), d.Secret)
	rec = stafftest.Record(e.h, r)
	if rec.Code != 202 || !strings.Contains(rec.Body.String(), `"payment_required":true`) {
		t.Fatalf("submit with the fee due: %d %s", rec.Code, rec.Body)
	}
	tr, _ := e.svc.Track(ctx, kiosk, d.TrackingCode, "1234")
	if !strings.Contains(tr.NextStep, "10.000 đồng") {
		t.Errorf("next step while the fee is due: %q", tr.NextStep)
	}

	// A wrong amount changes nothing.
	err = pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		_, err := e.svc.MarkFeePaid(ctx, tx, d.ID, "pay-1", 20000)
		return err
	})
	if apperr.CodeOf(err) != "fee_amount_mismatch" {
		t.Fatalf("wrong amount: %v", err)
	}
	// A payment rolled back with its transaction leaves the dossier as it was.
	tx, _ := e.pool.Begin(ctx)
	if st, err := e.svc.MarkFeePaid(ctx, tx, d.ID, "pay-1", 10000); err != nil || st != dossiers.StatusSubmitted {
		t.Fatalf("pay in tx: %s %v", st, err)
	}
	tx.Rollback(ctx)
	if fee, _ := e.svc.FeeDue(ctx, d.ID); fee.Paid || fee.Status != dossiers.StatusDraft {
		t.Fatalf("rolled-back payment stuck: %+v", fee)
	}

	// The paid fee moves the dossier on.
	if st := payFee(t, e, d.ID, "pay-1", 10000); st != dossiers.StatusSubmitted {
		t.Fatalf("after payment: %s", st)
	}
	fee, _ = e.svc.FeeDue(ctx, d.ID)
	if !fee.Paid || fee.PaymentID != "pay-1" || fee.Status != dossiers.StatusSubmitted {
		t.Fatalf("after payment: %+v", fee)
	}
	// The gateway's repeated notice is harmless; another payment is not.
	if st := payFee(t, e, d.ID, "pay-1", 10000); st != dossiers.StatusSubmitted {
		t.Fatalf("repeat: %s", st)
	}
	err = pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		_, err := e.svc.MarkFeePaid(ctx, tx, d.ID, "pay-2", 10000)
		return err
	})
	if apperr.CodeOf(err) != "fee_already_paid" {
		t.Fatalf("second payment: %v", err)
	}
	full, _ := e.svc.Get(ctx, e.admin, kiosk, d.ID)
	last := full.Events[len(full.Events)-1]
	if last.To != dossiers.StatusSubmitted || last.Role != "payment" || last.Who() != "Cổng thanh toán" || full.ExpectedOn == nil {
		t.Fatalf("event %+v, expected %v", last, full.ExpectedOn)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'dossier.fee_paid' AND subject_id = $1`, d.ID); n != 1 {
		t.Fatalf("%d fee_paid entries", n)
	}
}

// TestFeeCases: a fee paid before submitting, a fee case the kiosk picks
// among several or leaves to staff, and a free procedure.
func TestFeeCases(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	// Paying before submitting records the payment; submit then goes straight through.
	d2 := e.create(t, registerResidence, wardA)
	if st := payFee(t, e, d2.ID, "pay-3", 10000); st != dossiers.StatusDraft {
		t.Fatalf("paid draft: %s", st)
	}
	res, err := e.svc.Submit(ctx, kiosk, d2.ID, d2.Secret)
	if err != nil || res.Status != dossiers.StatusSubmitted || res.PaymentRequired {
		t.Fatalf("submit after paying: %+v %v", res, err)
	}
	// Where the catalogue lists several cases, the kiosk picks one; without
	// a pick the fee is left for staff and cannot be paid here.
	chosen, err := e.svc.Create(ctx, kiosk, dossiers.NewDossier{Procedure: passport, Ward: wardA, Fee: ptr(1)})
	if err != nil || chosen.FeeAmount != 400000 || chosen.FeeUnconfirmed {
		t.Fatalf("passport with a chosen fee: %+v %v", chosen, err)
	}
	open, err := e.svc.Create(ctx, kiosk, dossiers.NewDossier{Procedure: passport, Ward: wardA})
	if err != nil || open.FeeAmount != 0 || !open.FeeUnconfirmed {
		t.Fatalf("passport without a choice: %+v %v", open, err)
	}
	if fee, _ := e.svc.FeeDue(ctx, open.ID); !fee.Unconfirmed || len(fee.Lines) != 3 {
		t.Fatalf("open fee %+v", fee)
	}
	err = pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		_, err := e.svc.MarkFeePaid(ctx, tx, open.ID, "pay-9", 200000)
		return err
	})
	if apperr.CodeOf(err) != "fee_unconfirmed" {
		t.Fatalf("paying an unconfirmed fee: %v", err)
	}
	if _, err := e.svc.Create(ctx, kiosk, dossiers.NewDossier{Procedure: passport, Ward: wardA, Fee: ptr(3)}); apperr.CodeOf(err) != "fee_invalid" {
		t.Fatalf("fee out of range: %v", err)
	}
	// A free procedure never waits.
	free := e.create(t, confirmResidence, wardA)
	if res, err := e.svc.Submit(ctx, kiosk, free.ID, free.Secret); err != nil || res.Status != dossiers.StatusSubmitted {
		t.Fatalf("free submit: %+v %v", res, err)
	}
}

// TestSealedAtRest reads the raw tables: the ID and phone numbers appear
// nowhere, a list shows the ID masked, and the detail opens them; then the
// service refuses another key and opens the values after a rotation. It is
// kept whole over 80 lines because each part reads the one dossier whose
// values the parts before it sealed, corrected and rotated.
func TestSealedAtRest(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	d := e.create(t, registerResidence, wardA)
	e.walk(t, d, dossiers.StatusSubmitted)
	// The front's misread number, kept beside the QR code's for staff, is
	// sealed as the number is.
	before, err := e.svc.Get(ctx, e.admin, kiosk, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range before.Fields {
		if f.Name == "id_number" && (len(f.Conflicts) != 1 || f.Conflicts[0].Value != lanMisread || f.Document != "cccd_front") {
			t.Errorf("id_number's conflicts %+v from %q", f.Conflicts, f.Document)
		}
	}
	var conflicts []byte
	e.pool.QueryRow(ctx, `SELECT conflicts_sealed FROM dossier_fields WHERE dossier_id = $1 AND name = 'id_number'`, d.ID).Scan(&conflicts)
	if len(conflicts) < 12+16+12 || strings.Contains(string(conflicts), lanMisread) {
		t.Errorf("conflicts stored as %x", conflicts)
	}
	if _, err := e.svc.EditField(ctx, e.admin, kiosk, d.ID, "id_number", "079203005678", "đối chiếu căn cước"); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"dossiers", "dossier_fields", "dossier_field_history", "dossier_events", "audit_log"} {
		var dump string
		e.pool.QueryRow(ctx, fmt.Sprintf(`SELECT coalesce(string_agg(t::text, ' '), '') FROM %s t`, table)).Scan(&dump)
		for _, n := range []string{lanID, "079203005678", lanPhone, lanMisread} {
			if strings.Contains(dump, n) || strings.Contains(dump, fmt.Sprintf("%x", n)) {
				t.Errorf("%s holds %s in the clear", table, n)
			}
		}
	}
	var sealed []byte
	e.pool.QueryRow(ctx, `SELECT value_sealed FROM dossier_fields WHERE dossier_id = $1 AND name = 'id_number'`, d.ID).Scan(&sealed)
	if len(sealed) < 12+16+12 {
		t.Fatalf("sealed value %x", sealed)
	}
	page, err := e.svc.Queue(ctx, e.admin, kiosk, dossiers.QueueFilter{})
	if err != nil || len(page.Dossiers) != 1 || page.Dossiers[0].ApplicantIDMasked != "********5678" {
		t.Fatalf("list %+v %v", page, err)
	}
	full, _ := e.svc.Get(ctx, e.admin, kiosk, d.ID)
	got := map[string]dossiers.Field{}
	for _, f := range full.Fields {
		got[f.Name] = f
	}
	// Staff's correction settles the disagreement.
	if got["id_number"].Value != "079203005678" || got["phone"].Value != lanPhone || got["id_number"].History[0].Value != lanID ||
		got["id_number"].Conflicts != nil {
		t.Fatalf("detail fields %+v", got)
	}

	// The service refuses to start with another key, naming the variable;
	// the development key too must match.
	other := seal.MustTest("Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE=")
	dev, _ := (&seal.Config{DevDataKey: true}).Sealer()
	for _, s := range []*seal.Sealer{other, dev} {
		_, err := dossiers.NewService(ctx, e.pool, e.catalogue, dossiers.Config{Sealer: s, DataDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "STATION_DATA_KEY") {
			t.Errorf("another key: %v", err)
		}
	}
	// After a rotation, the old key among the previous keys, the service
	// starts and the old values still open.
	rotated, err := (&seal.Config{DataKey: "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE=", PreviousKeys: testKey}).Sealer()
	if err != nil {
		t.Fatal(err)
	}
	svc2, err := dossiers.NewService(ctx, e.pool, e.catalogue, dossiers.Config{Sealer: rotated, DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("rotated keys: %v", err)
	}
	full, err = svc2.Get(ctx, e.admin, kiosk, d.ID)
	if err != nil || len(full.Fields) == 0 {
		t.Fatalf("rotated get: %v", err)
	}
	for _, f := range full.Fields {
		if f.Name == "id_number" && f.Value != "079203005678" {
			t.Errorf("rotated: id_number %q", f.Value)
		}
	}
}

func TestFieldEditsKeepTheOldValue(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	clerk := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardA)
	d := e.create(t, registerResidence, wardA)
	e.walk(t, d, dossiers.StatusSubmitted, dossiers.StatusInReview)
	path := "/api/v1/staff/dossiers/" + d.ID + "/fields/"
	tests := []struct {
		name, field string
		body        any
		wantStatus  int
		wantBody    string
	}{
		{"fix the name", "full_name", map[string]string{"value": "Nguyễn Thị Lan Anh", "reason": "theo căn cước"}, 200, `"value":"Nguyễn Thị Lan Anh","provenance":"staff","confidence":1`},
		{"fix it again", "full_name", map[string]string{"value": "Nguyễn Thị Lan", "reason": "nhầm"}, 200, `"provenance":"staff"`},
		{"bad date", "date_of_birth", map[string]string{"value": "1950-02-30"}, 400, "Ngày, tháng, năm sinh phải là một ngày hợp lệ"},
		{"required cannot be emptied", "address", map[string]string{"value": " "}, 400, "field_invalid"},
		{"unknown field", "nickname", map[string]string{"value": "x"}, 404, "field_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := clerk.Do(t, e.h, "PUT", path+tt.field, tt.body)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("= %d %s; want %d with %q", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	full, err := e.svc.Get(ctx, e.admin, kiosk, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var name dossiers.Field
	for _, f := range full.Fields {
		if f.Name == "full_name" {
			name = f
		}
	}
	if name.Value != "Nguyễn Thị Lan" || name.UpdatedBy != clerk.User.Username || len(name.History) != 2 {
		t.Fatalf("full_name %+v", name)
	}
	first := name.History[0]
	if first.Value != "Nguyễn Thị Lan" || first.Provenance != dossiers.FromOCR || first.Confidence < 0.92 || first.Box == nil || first.Box[2] != 380 || first.ReplacedBy != clerk.User.Username || first.Reason != "theo căn cước" {
		t.Errorf("first version %+v", first)
	}
	if name.History[1].Value != "Nguyễn Thị Lan Anh" || name.History[1].Provenance != dossiers.FromStaff {
		t.Errorf("second version %+v", name.History[1])
	}
	// Fields come in the form's order with labels, provenance and confidence.
	var order []string
	for _, f := range full.Fields {
		order = append(order, f.Name+":"+string(f.Provenance))
	}
	if strings.Join(order, " ") != "full_name:staff date_of_birth:mrz sex:qr id_number:qr phone:typed address:model relation_to_head:model housing_basis:model" {
		t.Errorf("fields %v", order)
	}
	// Once decided, a dossier's fields are locked.
	e.walk(t, d, dossiers.StatusApproved)
	if rec := clerk.Do(t, e.h, "PUT", path+"full_name", map[string]string{"value": "X"}); rec.Code != 409 {
		t.Fatalf("edit after approval: %d %s", rec.Code, rec.Body)
	}
}

// TestQueueFiltersAndPages lists ward A's queue with each filter, pages
// through it, refuses bad queries, and never shows a whole number.
func TestQueueFiltersAndPages(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	clerk := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, wardA)
	ids := fiveInTheQueue(t, e)

	tests := []struct {
		query string
		want  []int // indexes into ids, in order
	}{
		{"", []int{0, 1, 2, 3, 4}},
		{"?status=submitted", []int{0, 1, 2, 3}},
		{"?status=in_review", []int{4}},
		{"?procedure=" + registerResidence, []int{1, 3}},
		{"?older_than=3d", []int{0, 1, 2}},
		{"?newer_than=60h", []int{3, 4}},
		{"?older_than=36h&newer_than=100h&status=submitted", []int{1, 2, 3}},
		{"?status=approved", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := clerk.Do(t, e.h, "GET", "/api/v1/staff/dossiers"+tt.query, nil)
			var page dossiers.QueuePage
			decode(t, rec.Body.Bytes(), &page)
			var got []string
			for _, d := range page.Dossiers {
				got = append(got, d.ID)
			}
			var want []string
			for _, i := range tt.want {
				want = append(want, ids[i])
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("got %d dossiers, want %v (%s)", len(got), tt.want, rec.Body)
			}
		})
	}
	// Paging: two at a time, oldest first, nothing lost or repeated.
	if got := pageThrough(t, e, clerk, 2); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("paged %v, want %v", got, ids)
	}
	for _, bad := range []string{"?status=draft", "?status=lost", "?older_than=soon", "?limit=-1", "?after=garbage"} {
		if rec := clerk.Do(t, e.h, "GET", "/api/v1/staff/dossiers"+bad, nil); rec.Code != 400 {
			t.Errorf("%s: %d %s", bad, rec.Code, rec.Body)
		}
	}
	// The list never carries whole ID or phone numbers.
	rec := clerk.Do(t, e.h, "GET", "/api/v1/staff/dossiers", nil)
	if strings.Contains(rec.Body.String(), lanID) || strings.Contains(rec.Body.String(), lanPhone) {
		t.Error("list shows a whole number")
	}
	var raw map[string]json.RawMessage
	decode(t, rec.Body.Bytes(), &raw)
}

// fiveInTheQueue files five dossiers in ward A, the second and fourth of a
// procedure with a fee (paid), submitted 5, 4, 3, 2 and 1 days ago in
// that order; the last is in review. It returns their IDs, oldest first.
func fiveInTheQueue(t *testing.T, e *env) []string {
	t.Helper()
	var ids []string
	for i := 0; i < 5; i++ {
		proc := confirmResidence
		if i%2 == 1 {
			proc = registerResidence
		}
		c := e.create(t, proc, wardA)
		if proc == registerResidence {
			payFee(t, e, c.ID, "p"+c.ID, 10000)
		}
		e.walk(t, c, dossiers.StatusSubmitted)
		ids = append(ids, c.ID)
	}
	for i, id := range ids {
		e.pool.Exec(context.Background(), `UPDATE dossiers SET submitted_at = now() - make_interval(days => $2) WHERE id = $1`, id, 5-i)
	}
	e.walk(t, &dossiers.Created{ID: ids[4]}, dossiers.StatusInReview)
	return ids
}

// pageThrough lists the whole queue as clerk, limit at a time (five pages
// at most), checking each item shows the applicant's name and masked ID.
func pageThrough(t *testing.T, e *env, clerk *stafftest.Client, limit int) []string {
	t.Helper()
	var got []string
	next := ""
	for pages := 0; pages < 5; pages++ {
		rec := clerk.Do(t, e.h, "GET", fmt.Sprintf("/api/v1/staff/dossiers?limit=%d&after=%s", limit, next), nil)
		var page dossiers.QueuePage
		decode(t, rec.Body.Bytes(), &page)
		for _, d := range page.Dossiers {
			got = append(got, d.ID)
			if d.ApplicantIDMasked != "********1234" || d.ApplicantName != "Nguyễn Thị Lan" {
				t.Errorf("list item %+v", d)
			}
		}
		if next = page.Next; next == "" {
			break
		}
	}
	return got
}

// TestEraseKioskSession ends a kiosk visit: its drafts and their files go,
// a submitted dossier of the same visit stays, and a file another dossier
// shares stays on disk.
func TestEraseKioskSession(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	newIn := func(session string) *dossiers.Created {
		c, err := e.svc.Create(ctx, kiosk, dossiers.NewDossier{Procedure: confirmResidence, Ward: wardA, Fields: lanConfirm(), KioskSessionID: session})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	attach := func(c *dossiers.Created, content []byte) string {
		a, err := e.svc.Attach(ctx, kiosk, c.ID, c.Secret, dossiers.AttachmentInput{Content: bytes.NewReader(content)})
		if err != nil {
			t.Fatal(err)
		}
		return a.SHA256
	}
	ownScan := append(append([]byte{}, pngBytes...), []byte("own")...)
	sharedScan := append(append([]byte{}, pngBytes...), []byte("shared")...)
	draft1, draft2, submitted := newIn("ks-9"), newIn("ks-9"), newIn("ks-9")
	elsewhere := newIn("ks-10")
	ownSHA := attach(draft1, ownScan)
	sharedSHA := attach(draft2, sharedScan)
	attach(elsewhere, sharedScan)
	attach(submitted, pngBytes)
	e.walk(t, submitted, dossiers.StatusSubmitted)

	var files []string
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		var err error
		files, err = e.svc.EraseKioskSession(ctx, tx, "ks-9")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || !strings.HasSuffix(files[0], ownSHA) {
		t.Fatalf("files to remove %v, want only %s", files, ownSHA)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM dossiers WHERE kiosk_session_id = 'ks-9'`); n != 1 {
		t.Fatalf("%d dossiers of the session left, want the submitted one", n)
	}
	if n := e.count(t, `SELECT count(*) FROM dossier_fields f WHERE f.dossier_id IN ($1, $2)`, draft1.ID, draft2.ID); n != 0 {
		t.Fatalf("%d fields of erased drafts left", n)
	}
	if n := e.count(t, `SELECT count(*) FROM dossier_attachments WHERE sha256 = $1`, sharedSHA); n != 1 {
		t.Fatalf("shared attachment rows %d", n)
	}
	if _, err := os.Stat(e.dataDir + "/attachments/" + sharedSHA[:2] + "/" + sharedSHA); err != nil {
		t.Fatalf("shared file removed: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'dossier.erased'`); n != 2 {
		t.Fatalf("%d erase entries", n)
	}
}

func TestPurgeAbandonedDrafts(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	old := e.create(t, confirmResidence, wardA)
	a, err := e.svc.Attach(ctx, kiosk, old.ID, old.Secret, dossiers.AttachmentInput{Content: bytes.NewReader(pngBytes)})
	if err != nil {
		t.Fatal(err)
	}
	fresh := e.create(t, confirmResidence, wardA)
	oldSubmitted := e.dossierAt(t, wardA, dossiers.StatusSubmitted)
	e.pool.Exec(ctx, `UPDATE dossiers SET updated_at = now() - interval '8 days' WHERE id IN ($1, $2)`, old.ID, oldSubmitted.ID)

	n, err := e.svc.PurgeDrafts(ctx, 7*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("PurgeDrafts = %d, %v; want the one old draft", n, err)
	}
	if e.count(t, `SELECT count(*) FROM dossiers WHERE id IN ($1, $2, $3)`, old.ID, fresh.ID, oldSubmitted.ID) != 2 {
		t.Fatal("purged the wrong dossiers")
	}
	if _, err := os.Stat(e.dataDir + "/attachments/" + a.SHA256[:2] + "/" + a.SHA256); !os.IsNotExist(err) {
		t.Fatalf("old draft's scan still on disk: %v", err)
	}
}

// The fee's rule is applied to who files: a resident over 60, a child and
// one who declares meritorious service owe nothing for a residence
// registration (Thông tư 75/2022/TT-BTC, Điều 4), and the line says why;
// an adult owes the online rate.
func TestFeeExemptionsApplyAtCreation(t *testing.T) {
	e := newEnv(t, dossiers.Config{})
	ctx := context.Background()
	yes := true
	for _, tc := range []struct {
		name     string
		born     string
		declared *bool
		amount   int64
		reason   string
	}{
		{"over 60", "1950-03-12", nil, 0, "60 tuổi trở lên được miễn lệ phí (Điều 4 Thông tư 75/2022/TT-BTC"},
		{"child", "2019-05-01", nil, 0, "Trẻ em dưới 16 tuổi"},
		{"adult", "1980-03-12", nil, 10000, "10.000 đồng (mức nộp trực tuyến)"},
		{"meritorious", "1980-03-12", &yes, 0, "người có công"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := lanFields()
			fields["date_of_birth"] = dossiers.FieldInput{Value: tc.born}
			c, err := e.svc.Create(ctx, kiosk, dossiers.NewDossier{Procedure: registerResidence, Ward: wardA, Fields: fields, FeeExempt: tc.declared})
			if err != nil {
				t.Fatal(err)
			}
			fee, err := e.svc.FeeDue(ctx, c.ID)
			if err != nil || c.FeeAmount != tc.amount || fee.Amount != tc.amount || len(fee.Lines) != 1 {
				t.Fatalf("fee %d, due %+v, %v; want %d", c.FeeAmount, fee, err, tc.amount)
			}
			if !strings.Contains(fee.Lines[0].Reason, tc.reason) || fee.Lines[0].Exempt != (tc.amount == 0) {
				t.Errorf("line %+v, want reason with %q", fee.Lines[0], tc.reason)
			}
		})
	}
}

// track looks code up over HTTP as the kiosk does: by POST, the digits in
// the body.
func track(t *testing.T, e *env, code, digits string) *httptest.ResponseRecorder {
	t.Helper()
	return (*stafftest.Client)(nil).Do(t, e.h, "POST", "/api/v1/track/"+code, map[string]string{"last4": digits})
}
