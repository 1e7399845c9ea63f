package payments_test

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
)

// lookedUp is what GET /api/v1/payments/lookup/:code answers.
type lookedUp struct {
	payments.Payment
	ReceiptPDF string `json:"receipt_pdf"`
}

var lookupCodeRe = regexp.MustCompile(`^TT-[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}-[2-9A-HJKMNP-TV-Z]{3}$`)

// A bill paid after its visit ended: the order stayed, the gateway's
// notification recorded it, and a later lookup by the code and the last
// four of the customer code gives its state and its receipt; wrong digits
// and unknown codes are refused alike, and nobody holding only the order's
// link learns the code. It is kept whole over 80 lines because it follows
// one order from before its visit ends to its printed receipt, each step
// reading the state the step before left.
func TestPaymentSettledAfterItsVisitEndedIsFoundByItsCode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	visit, err := e.kiosk.StartSession(ctx, e.stationID)
	if err != nil {
		t.Fatal(err)
	}
	p := e.order(t, "late-1", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "demo0002",
		"bill_id": "WAT-202610-DEMO0002", "kiosk_session_id": visit.ID})
	if !lookupCodeRe.MatchString(p.LookupCode) {
		t.Fatalf("lookup code %q", p.LookupCode)
	}
	var public map[string]any
	e.do(t, "GET", "/api/v1/payments/"+p.ID, nil).json(t, &public)
	if _, shown := public["lookup_code"]; shown || public["state"] != "pending" {
		t.Errorf("the order's public part %v", public)
	}

	// Pending, found with the spaces and case a resident types.
	typed := strings.ToLower(strings.ReplaceAll(p.LookupCode, "-", " "))
	var pending lookedUp
	r := e.do(t, "POST", "/api/v1/payments/lookup/"+strings.ReplaceAll(typed, " ", "%20"), map[string]string{"last4": "0002"})
	r.json(t, &pending)
	if r.status != 200 || pending.State != "pending" || pending.LookupCode != p.LookupCode || pending.ReceiptPDF != "" ||
		pending.CustomerCode != "" || pending.StationID != "" || pending.KioskSessionID != "" {
		t.Fatalf("pending lookup %d %s", r.status, r.body)
	}

	// The visit ends (the resident pressed "Xong"), then the money arrives.
	if _, err := e.kiosk.EndSession(ctx, visit.ID, kiosk.EndFinish); err != nil {
		t.Fatal(err)
	}
	payAtGateway(t, e, p, "pay")
	if replies := e.sandbox.IPNReplies(p.ID); len(replies) != 1 || replies[0].RspCode != "00" {
		t.Fatalf("IPN after the visit ended: %+v", replies)
	}
	if n := e.count(t, `SELECT count(*) FROM payment_receipts WHERE payment_id = $1`, p.ID); n != 1 {
		t.Fatalf("%d receipts", n)
	}
	k, err := e.kiosk.Session(ctx, e.stationID, visit.ID)
	if err != nil || k.EndedAt == nil || len(k.Outcomes) != 1 || k.Outcomes[0] != kiosk.OutcomePaymentMade {
		t.Errorf("ended visit %+v, %v", k, err)
	}

	for _, c := range []struct{ name, path, last4, code string }{
		{"wrong digits", "/api/v1/payments/lookup/" + p.LookupCode, "0001", "payment_lookup_not_found"},
		{"no digits", "/api/v1/payments/lookup/" + p.LookupCode, "", "last4_invalid"},
		{"unknown code", "/api/v1/payments/lookup/TT-" + strings.Repeat("2", 8), "0002", "payment_code_invalid"},
		{"a dossier's code", "/api/v1/payments/lookup/" + p.LookupCode[3:], "0002", "payment_code_invalid"},
	} {
		if r := e.do(t, "POST", c.path, map[string]string{"last4": c.last4}); r.code() != c.code {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}

	var paid lookedUp
	r = e.do(t, "POST", "/api/v1/payments/lookup/"+p.LookupCode, map[string]string{"last4": "0002"})
	r.json(t, &paid)
	if r.status != 200 || paid.State != "paid" || paid.Receipt == nil || !strings.HasPrefix(paid.Receipt.Number, "BL") ||
		!strings.HasPrefix(paid.ReceiptPDF, "/api/v1/payments/lookup/"+p.LookupCode+"/receipt.pdf?pass=") || paid.Receipt.ProviderTxnNo != "" {
		t.Fatalf("paid lookup %d %s", r.status, r.body)
	}
	pdf := e.do(t, "GET", paid.ReceiptPDF, nil)
	if pdf.status != 200 || pdf.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("receipt %d %s", pdf.status, pdf.body)
	}
	text := pdfText(t, pdf.body)
	for _, want := range []string{"BIÊN LAI THANH TOÁN", p.LookupCode, paid.Receipt.Number, p.Description} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}

	// The station that took it prints it by the order's id; another cannot.
	if r := e.device(t, "GET", "/api/v1/payments/"+p.ID+"/receipt.pdf", nil); r.status != 200 || !strings.HasPrefix(string(r.body), "%PDF-") {
		t.Errorf("station's receipt %d", r.status)
	}
	_, other, err := e.kiosk.AddStation(ctx, audit.Actor{Role: "test"}, kiosk.NewStation{Name: "Trạm khác", WardCode: "26740"})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, "GET", "/api/v1/payments/"+p.ID+"/receipt.pdf", nil, "Authorization", "Bearer "+other); r.status != 404 {
		t.Errorf("another station's receipt %d", r.status)
	}
}

// A dossier's fee is looked up with the last four digits of the ID or
// phone number the dossier was filed with.
func TestFeePaymentIsLookedUpWithTheDossiersDigits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	p := e.order(t, "fee-lookup", map[string]any{"purpose": "fee", "dossier_id": "D2"})
	if _, err := e.pay.Lookup(ctx, "198.51.100.7", p.LookupCode, "1234"); !apperr.IsKind(err, apperr.NotFound) {
		t.Errorf("wrong digits: %v", err)
	}
	got, err := e.pay.Lookup(ctx, "198.51.100.7", p.LookupCode, "5678")
	if err != nil || got.ID != p.ID || got.State != "pending" {
		t.Fatalf("lookup %+v, %v", got, err)
	}
	if _, err := e.pay.ReceiptPDF(ctx, got); !apperr.IsKind(err, apperr.Conflict) {
		t.Errorf("receipt of an unpaid order: %v", err)
	}
}

// Lookups count per code and per client address: guessing the four digits
// of one code, or many codes from one address, stops at the limit, and
// the right digits do not get through once it is reached.
func TestPaymentLookupsAreRateLimited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cfg := e.pay.Config()
	cfg.LookupsPerCode, cfg.LookupsPerIP = 3, 5
	demo, err := payments.NewDemoBiller("")
	if err != nil {
		t.Fatal(err)
	}
	pay := payments.NewService(e.pool, cfg, quiet, testFees{e.pool}, demo)
	p := e.order(t, "limit-1", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0001", "bill_id": "WAT-202610-DEMO0001"})
	for i, guess := range []string{"1111", "2222", "3333"} {
		if _, err := pay.Lookup(ctx, "203.0.113.1", p.LookupCode, guess); !apperr.IsKind(err, apperr.NotFound) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	_, err = pay.Lookup(ctx, "203.0.113.2", p.LookupCode, "0001")
	if !apperr.IsKind(err, apperr.RateLimited) || apperr.From(err).RetryAfter <= 0 {
		t.Errorf("fourth lookup of the code: %v", err)
	}
	// Per address: the sixth lookup from one address is refused, whatever the code.
	for i := 0; i < 5; i++ {
		pay.Lookup(ctx, "203.0.113.9", "TT-"+strings.Repeat("2", 9), "0001")
	}
	if _, err := pay.Lookup(ctx, "203.0.113.9", p.LookupCode, "0001"); !apperr.IsKind(err, apperr.RateLimited) {
		t.Errorf("sixth lookup from one address: %v", err)
	}
}

// Orders made before lookup codes came (migration 02000) get one from
// migration 02150, a well-formed code of their own; a bill's customer
// code ending in letters is proved by its last four characters, typed in
// either case, over HTTP as at the kiosk.
func TestOldOrdersGetCodesAndLettersProveThem(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := database.MigrateDownTo(ctx, e.pool, 2149); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO payments (id, purpose, biller, customer_code, bill_id, description, amount, state, provider, expires_at, created_at)
			VALUES ('CS0000000000B111', 'bill', 'demo', 'pe0100012ab', 'ELE-202501-X', 'Tiền điện tháng 1/2025', 312000, 'paid', 'vnpay', now(), now() - interval '400 days')`,
		`INSERT INTO payments (id, purpose, dossier_id, description, amount, state, provider, expires_at, created_at)
			VALUES ('CS00000000000FEE', 'fee', 'D2', 'Lệ phí chứng thực', 20000, 'expired', 'vnpay', now(), now() - interval '300 days')`,
	} {
		if _, err := e.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := database.Migrate(ctx, e.pool); err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	rows, _ := e.pool.Query(ctx, `SELECT id, coalesce(lookup_code, '') FROM payments`)
	for rows.Next() {
		var id, code string
		rows.Scan(&id, &code)
		if c, ok := payments.NormalizeLookupCode(code); !ok || c != code {
			t.Errorf("order %s: code %q", id, code)
		}
		codes[id] = code
	}
	if len(codes) != 2 || codes["CS0000000000B111"] == codes["CS00000000000FEE"] {
		t.Fatalf("codes %v", codes)
	}
	bill := payments.FormatLookupCode(codes["CS0000000000B111"])
	for _, c := range []struct{ last4, want string }{
		{"12ab", ""}, {"12AB", ""}, {"0012", "payment_lookup_not_found"}, {"2ab", "last4_invalid"}, {"12a*", "last4_invalid"},
	} {
		r := e.do(t, "POST", "/api/v1/payments/lookup/"+bill, map[string]string{"last4": c.last4})
		if r.code() != c.want || (c.want == "" && r.status != 200) {
			t.Errorf("last4 %q: %d %s", c.last4, r.status, r.body)
		}
	}
	if p, err := e.pay.Lookup(ctx, "198.51.100.8", codes["CS00000000000FEE"], "5678"); err != nil || p.ID != "CS00000000000FEE" {
		t.Errorf("old fee order by its dossier's digits: %+v, %v", p, err)
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = strings.NewReader(string(pdf))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
