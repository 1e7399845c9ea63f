package flows_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
)

// TestReceiptFetchedByCodeAfterTheVisitEnded: a resident starts paying a
// bill and sees the payment's code beside the QR; the visit ends before
// the money arrives; the payment is still recorded, and the next visit
// sees none of it until the code and the customer code's last four digits
// are given at "Tra cứu hồ sơ", which answers "paid" with the receipt to
// print.
func TestReceiptFetchedByCodeAfterTheVisitEnded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := e.start(t)
	c.choose(assistant.ChoiceStart + assistant.SlugBillPayment)
	c.choose("opt:electricity")
	c.say("demo0001")
	c.expect(assistant.StageBills)
	c.speaks("387.500 đồng")
	c.choose(c.last.Choices[0].ID)
	p := c.last.Payment
	if p == nil || !regexp.MustCompile(`^TT-\w{3}-\w{3}-\w{3}$`).MatchString(p.Code) {
		t.Fatalf("payment %+v", p)
	}
	c.expect(assistant.StagePay, "Mã thanh toán của Bác: "+p.Code, "Tra cứu hồ sơ")

	// The resident presses "Xong" before the money arrives.
	if _, err := e.kiosk.EndSession(ctx, e.visitID, kiosk.EndFinish); err != nil {
		t.Fatal(err)
	}
	e.payAtGateway(t, p, "pay")

	next, err := e.kiosk.StartSession(ctx, e.stationID)
	if err != nil {
		t.Fatal(err)
	}
	e.visitID = next.ID
	c = e.start(t)
	if c.last.Payment != nil || c.last.DossierStatus != nil || strings.Contains(c.last.Reply, p.Code) {
		t.Fatalf("the next visit starts with the last one's payment: %+v", c.last)
	}
	c.choose(assistant.ChoiceStart + assistant.SlugStatusLookup)
	c.say(strings.ToLower(p.Code))
	c.asks("last4", "after a payment's code")
	c.say("0002") // a neighbour's digits
	c.expect(assistant.StageCollect, "Không tìm thấy giao dịch")
	c.asks("last4", "after wrong digits")
	c.say("0001")
	c.expect(assistant.StageDone, "Giao dịch "+p.Code, "Tình trạng: Đã thanh toán", "387.500 đồng", "Số biên lai: BL")
	st := c.last.DossierStatus
	if st == nil || st.Kind != assistant.TrackPayment || len(st.Papers) != 1 ||
		!strings.HasPrefix(st.Papers[0].URL, payments.ReceiptURL(p.Code, "")) || strings.Contains(st.Papers[0].URL, "0001") {
		t.Fatalf("status %+v", st)
	}
	req, _ := http.NewRequest("GET", e.api.URL+st.Papers[0].URL, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("receipt %d %.200s", resp.StatusCode, pdf)
	}
}
