package flows_test

import (
	"context"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/assistant/flows"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// scanQR prints text as a QR code, as a receipt or a bill carries it, and
// has the station's scanner read it with the real OCR reader; it returns
// the stored result's id the kiosk sends in the conversation.
func (e *env) scanQR(t *testing.T, text string) string {
	t.Helper()
	png, err := qrcode.Encode(text, qrcode.Medium, 300)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ocr.DefaultConfig()
	cfg.Workers, cfg.Queue = 1, 1
	pool, err := ocr.NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	res, err := ocr.NewService(ocr.NewReader(pool), e.scans).Read(context.Background(), ocr.Request{Image: png}, e.visitID)
	if err != nil {
		t.Fatal(err)
	}
	return res.ID
}

// The receipt's QR code gives the tracking code of the dossier to follow.
func TestFollowADossierFromTheReceiptQR(t *testing.T) {
	e := newEnv(t)
	d := e.fileDossier(t)
	c := e.start(t)
	openService(c, "hồ sơ của tôi đến đâu rồi", assistant.SlugStatusLookup)
	if c.last.Field.Name != "dossier_code" {
		t.Fatalf("asks %+v first", c.last.Field)
	}
	c.send(assistant.Message{OCRResultID: e.scanQR(t, d.TrackingCode)})
	c.expect(assistant.StageCollect)
	if c.last.Field == nil || c.last.Field.Name == "dossier_code" {
		t.Fatalf("the scanned code was not taken: %s", c.last.Reply)
	}
	c.say("3456") // the last four digits of the phone: looked up at once
	c.expect(assistant.StageDone, d.TrackingCode)
	if got := draftField(c.last.Draft, "dossier_code"); got.Value != d.TrackingCode || got.Provenance != procedures.FromQR {
		t.Fatalf("dossier_code = %+v, want %s from the QR code", got, d.TrackingCode)
	}
}

// A QR code that holds no tracking code fills nothing: the code is asked
// again, one question as before.
func TestScanWithoutACode(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	openService(c, "hồ sơ của tôi đến đâu rồi", assistant.SlugStatusLookup)
	c.send(assistant.Message{OCRResultID: e.scanQR(t, "https://dichvucong.gov.vn/?x=1")})
	c.expect(assistant.StageCollect)
	if c.last.Field == nil || c.last.Field.Name != "dossier_code" {
		t.Fatalf("asks %+v after a scan without a code", c.last.Field)
	}
}

// A bill's QR code gives the customer code; the bills found are the
// biller's.
func TestPayABillFromItsQR(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	openService(c, "đóng tiền điện tháng này", assistant.SlugBillPayment)
	c.say("1")
	if c.last.Field == nil || c.last.Field.Name != "customer_code" {
		t.Fatalf("asks %+v, want the customer code", c.last.Field)
	}
	c.send(assistant.Message{OCRResultID: e.scanQR(t, "demo0001")})
	if c.last.Field == nil || c.last.Field.Name != "phone" {
		t.Fatalf("the scanned code was not taken: %s", c.last.Reply)
	}
	c.choose(assistant.ChoiceSkip) // no phone for the receipt
	c.expect(assistant.StageReview, "DEMO0001")
	if got := draftField(c.last.Draft, "customer_code"); got.Value != "DEMO0001" || got.Provenance != procedures.FromQR {
		t.Fatalf("customer_code = %+v, want DEMO0001 from the QR code", got)
	}
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageBills, "DEMO0001")
}

func draftField(d *assistant.Draft, name string) assistant.DraftField {
	if d != nil {
		for _, f := range d.Fields {
			if f.Name == name {
				return f
			}
		}
	}
	return assistant.DraftField{}
}

// A draft's scanned value keeps, in the dossier, the scan it was read on
// and the readings that disagreed with it, for the staff reviewer.
func TestDraftConflictsReachTheDossier(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d := assistant.Draft{ProcedureSlug: "residence.info-confirm", StationID: e.stationID, Fields: []assistant.DraftField{
		{Name: "full_name", Value: "Nguyễn Thị Lan", Provenance: procedures.FromQR, Confidence: 1},
		{Name: "date_of_birth", Value: "1980-03-12", Provenance: procedures.FromQR, Confidence: 0.75, Document: "cccd_front",
			Conflicts: []assistant.DraftConflict{{Value: "1980-08-12", Provenance: procedures.FromOCR, Document: "cccd_front"},
				{Value: "1981-03-12", Provenance: procedures.FromMRZ, Document: "cccd_back_mrz"}}},
		{Name: "sex", Value: "nu", Provenance: procedures.FromQR, Confidence: 1},
		{Name: "id_number", Value: "079180001234", Provenance: procedures.FromQR, Confidence: 1},
		{Name: "phone", Value: "0903123456", Provenance: procedures.FromTyped, Confidence: 1},
		{Name: "place_of_residence", Value: "12 Nguyễn Huệ, phường Sài Gòn", Provenance: procedures.FromTyped, Confidence: 1},
		{Name: "delivery", Value: "paper", Provenance: procedures.FromTyped, Confidence: 1},
	}}
	ref, err := flows.Dossiers{Dossiers: e.dossiers, Stations: e.kiosk, Pool: e.pool}.CreateDraft(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.dossiers.Submit(ctx, audit.Actor{Role: "kiosk"}, ref.ID, ref.Secret); err != nil {
		t.Fatal(err)
	}
	admin, _ := stafftest.NewUser(t, e.pool, staff.RoleAdmin)
	got, err := e.dossiers.Get(ctx, admin, audit.Actor{Role: "test"}, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got.Fields {
		if f.Name != "date_of_birth" {
			continue
		}
		want := []dossiers.Conflict{{Value: "1980-08-12", Provenance: dossiers.FromOCR, Document: "cccd_front", Text: "12/08/1980"},
			{Value: "1981-03-12", Provenance: dossiers.FromMRZ, Document: "cccd_back_mrz", Text: "12/03/1981"}}
		if f.Document != "cccd_front" || len(f.Conflicts) != 2 || f.Conflicts[0] != want[0] || f.Conflicts[1] != want[1] || !f.Low() {
			t.Fatalf("date_of_birth from %q with conflicts %+v, want %+v", f.Document, f.Conflicts, want)
		}
		return
	}
	t.Fatalf("no date_of_birth in %+v", got.Fields)
}
