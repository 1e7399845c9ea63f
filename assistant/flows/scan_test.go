package flows_test

import (
	"context"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/ocr"
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
	c.say("hồ sơ của tôi đến đâu rồi")
	c.choose("p:" + assistant.SlugStatusLookup)
	c.choose(assistant.ChoiceSkip)
	c.expect(assistant.StageCollect)
	if c.last.Field.Name != "dossier_code" {
		t.Fatalf("asks %+v first", c.last.Field)
	}
	c.send(assistant.Message{OCRResultID: e.scanQR(t, d.TrackingCode)})
	c.expect(assistant.StageCollect)
	if c.last.Field == nil || c.last.Field.Name == "dossier_code" {
		t.Fatalf("the scanned code was not taken: %s", c.last.Reply)
	}
	c.choose(assistant.ChoiceSkip) // no ID number
	c.say("0903123456")
	c.expect(assistant.StageReview, d.TrackingCode)
	if got := draftField(c.last.Draft, "dossier_code"); got.Value != d.TrackingCode || got.Provenance != assistant.FromQR {
		t.Fatalf("dossier_code = %+v, want %s from the QR code", got, d.TrackingCode)
	}
	c.choose(assistant.ChoiceConfirm)
	c.expect(assistant.StageDone, d.TrackingCode)
}

// A QR code that holds no tracking code fills nothing: the code is asked
// again, one question as before.
func TestScanWithoutACode(t *testing.T) {
	e := newEnv(t)
	c := e.start(t)
	c.say("hồ sơ của tôi đến đâu rồi")
	c.choose("p:" + assistant.SlugStatusLookup)
	c.choose(assistant.ChoiceSkip)
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
	c.say("đóng tiền điện tháng này")
	c.choose("p:" + assistant.SlugBillPayment)
	c.choose(assistant.ChoiceSkip)
	c.expect(assistant.StageCollect)
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
	if got := draftField(c.last.Draft, "customer_code"); got.Value != "DEMO0001" || got.Provenance != assistant.FromQR {
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
