package payments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// The security review's findings about payments, replayed over HTTP
// against the real stack and the sandbox gateway.

// confirmAtGateway presses a button on a pay page the resident opened
// earlier (the sandbox then calls the IPN) and returns the IPN's answer.
func confirmAtGateway(t *testing.T, e *env, id, choice string) vnpay.IPNReply {
	t.Helper()
	before := len(e.sandbox.IPNReplies(id))
	resp, err := noRedirect.PostForm(e.gateway.URL+"/paymentv2/confirm", url.Values{"txn_ref": {id}, "result": {choice}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	replies := e.sandbox.IPNReplies(id)
	if resp.StatusCode != http.StatusFound || len(replies) != before+1 {
		t.Fatalf("confirm %s: %s, %d IPN replies", id, resp.Status, len(replies))
	}
	return replies[len(replies)-1]
}

// state reads an order as a station does.
func (e *env) state(t *testing.T, id string) payments.Payment {
	t.Helper()
	var p payments.Payment
	e.device(t, "GET", "/api/v1/payments/"+id, nil).json(t, &p)
	return p
}

// Medium: a success IPN for an expired order, after the resident made a
// newer order for the same bill, used to fail on the one-live-order rule:
// the gateway got 99 and retried forever, the payment was never recorded,
// and the newer order waited to be paid a second time. Now the late
// payment is recorded, the newer order is superseded, and money taken on
// it all the same is owed back and listed for staff. It is kept whole over
// 80 lines because it is one story of the two orders of one bill: each
// step starts from the states the step before left them in.
func TestSecurityLatePaymentOfAnExpiredOrder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	staffSvc := staff.NewService(e.pool, staff.DefaultConfig())
	e.setHandler(httpserver.New(httpserver.Options{Logger: quiet}, &staff.Handler{Service: staffSvc},
		&payments.Handler{Service: e.pay, Device: e.kiosk.RequireDevice, Admin: staffSvc.Require(staff.RoleAdmin)}).Handler())
	admin, clerk := stafftest.SignIn(t, e.pool, staff.RoleAdmin), stafftest.SignIn(t, e.pool, staff.RoleWardStaff, "26740")
	events := listen(t, e)
	bill := map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0003", "bill_id": "APA-202610-DEMO0003"}

	// The resident opens the bank's page for the first order, and the
	// bank is slow: the order expires (the sweep asks the gateway).
	first := e.order(t, "late-1", bill)
	e.do(t, "GET", first.PayURL, nil)
	if _, err := e.pool.Exec(ctx, `UPDATE payments SET created_at = created_at - interval '20 minutes',
		expires_at = now() - interval '5 minutes' WHERE id = $1`, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pay.SweepPending(ctx); err != nil {
		t.Fatal(err)
	}
	if s := e.state(t, first.ID).State; s != payments.StateExpired {
		t.Fatalf("first order %s, want expired", s)
	}
	// A new QR for the same bill; its page is opened too.
	second := e.order(t, "late-2", bill)
	e.do(t, "GET", second.PayURL, nil)

	// The first payment goes through after all.
	steps := []struct {
		name, id, choice, rsp string
		first, second         string // states after
	}{
		{"the late payment is recorded; the newer order superseded", first.ID, "pay", vnpay.RspConfirmed, "paid", "superseded"},
		{"the same IPN again changes nothing", first.ID, "pay", vnpay.RspAlreadyConfirmed, "paid", "superseded"},
		{"the superseded order paid too: owed back", second.ID, "pay", vnpay.RspConfirmed, "paid", "refund_due"},
	}
	for _, st := range steps {
		if reply := confirmAtGateway(t, e, st.id, st.choice); reply.RspCode != st.rsp {
			t.Fatalf("%s: gateway answered %+v, want %s", st.name, reply, st.rsp)
		}
		a, b := e.state(t, first.ID), e.state(t, second.ID)
		if a.State != st.first || b.State != st.second || b.RelatedPaymentID != first.ID {
			t.Fatalf("%s: orders %s and %s (related %q)", st.name, a.State, b.State, b.RelatedPaymentID)
		}
	}
	if e.state(t, first.ID).Receipt == nil {
		t.Error("the late payment has no receipt")
	}
	// The kiosk watching the second order heard that it needs no paying.
	var superseded bool
	for _, ev := range events() {
		superseded = superseded || (ev.PaymentID == second.ID && ev.State == payments.StateSuperseded)
	}
	if !superseded {
		t.Errorf("no superseded event: %+v", events())
	}
	if n := e.count(t, `SELECT count(*) FROM payment_ledger WHERE credit_account = 'biller:demo'`); n != 1 {
		t.Errorf("the biller was credited %d times", n)
	}

	// Staff see what is owed back, and give it back.
	for _, tt := range []struct {
		name   string
		as     *stafftest.Client
		status int
	}{{"a ward clerk", clerk, 403}, {"nobody signed in", nil, 401}, {"an admin", admin, 200}} {
		rec := tt.as.Do(t, e.handler, "GET", "/api/v1/payment-refunds", nil)
		if rec.Code != tt.status {
			t.Fatalf("%s lists refunds: %d %s", tt.name, rec.Code, rec.Body)
		}
		if tt.status == 200 {
			var list struct{ Payments []payments.Payment }
			json.Unmarshal(rec.Body.Bytes(), &list)
			if len(list.Payments) != 1 || list.Payments[0].ID != second.ID || list.Payments[0].RelatedPaymentID != first.ID {
				t.Fatalf("refunds due: %s", rec.Body)
			}
		}
	}
	rec := admin.Do(t, e.handler, "POST", "/api/v1/payment-refunds/"+second.ID, map[string]string{"reason": "Cư dân trả hai lần cho một hóa đơn"})
	if rec.Code != 200 || e.state(t, second.ID).State != payments.StateRefunded {
		t.Fatalf("refund: %d %s", rec.Code, rec.Body)
	}
	if n := e.count(t, `SELECT count(*) FROM payments WHERE state = 'refund_due'`); n != 0 {
		t.Errorf("%d still owed", n)
	}
}

// Low: the payment status (GET /api/v1/payments/{id}, the gateway's return
// page) showed the dossier, the customer and the station to anyone holding
// the link. Only the station that made the order sees them now; anyone
// else sees what is paid, how much and the receipt.
func TestSecurityPaymentStatusHidesWhoPays(t *testing.T) {
	e := newEnv(t)
	bill := e.order(t, "pub-1", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0003", "bill_id": "APA-202610-DEMO0003"})
	fee := e.order(t, "pub-2", map[string]any{"purpose": "fee", "dossier_id": "D1"})
	ret := payAtGateway(t, e, fee, "pay")
	_, other, err := e.kiosk.AddStation(context.Background(), audit.Actor{Role: "test"}, kiosk.NewStation{Name: "Trạm khác", WardCode: "26740"})
	if err != nil {
		t.Fatal(err)
	}
	private := []string{"dossier_id", "customer_code", "bill_id", "station_id", "kiosk_session_id", "provider_txn_no"}
	for _, tt := range []struct {
		name, path, bearer string
		private            bool
	}{
		{"a link holder, the bill", "/api/v1/payments/" + bill.ID, "", false},
		{"a link holder, the fee", "/api/v1/payments/" + fee.ID, "", false},
		{"another station", "/api/v1/payments/" + fee.ID, other, false},
		{"the station that made it", "/api/v1/payments/" + fee.ID, e.token, true},
		{"the gateway's return page", ret, "", false},
	} {
		var headers []string
		if tt.bearer != "" {
			headers = []string{"Authorization", "Bearer " + tt.bearer, "Accept", "application/json"}
		} else {
			headers = []string{"Accept", "application/json"}
		}
		r := e.do(t, "GET", tt.path, nil, headers...)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", tt.name, r.status, r.body)
		}
		var got map[string]any
		r.json(t, &got)
		if p, ok := got["payment"].(map[string]any); ok { // the return page
			got = p
		}
		if got["state"] == nil || got["amount"] == nil {
			t.Errorf("%s: no state or amount: %s", tt.name, r.body)
		}
		for _, k := range private {
			if _, shown := got[k]; shown && !tt.private {
				t.Errorf("%s: shows %s: %s", tt.name, k, r.body)
			}
		}
		if tt.private && got["dossier_id"] != "D1" {
			t.Errorf("%s: the station does not see its own order: %s", tt.name, r.body)
		}
		if receipt, ok := got["receipt"].(map[string]any); ok && receipt["provider_txn_no"] != nil && receipt["provider_txn_no"] != "" && !tt.private {
			t.Errorf("%s: shows the gateway's transaction: %s", tt.name, r.body)
		}
	}
}

// TestSecurityLookupDigitsStayOutOfAddresses: the four characters of a
// lookup go in a POST's body; the receipt's link the lookup answers
// carries a short-lived pass for that code alone, never the characters;
// the pass prints the receipt, a pass of another code or a changed one
// does not; the old GET forms with the characters in the address answer
// 400 proof_in_address (lookup_by_post); and the access log holds
// neither the characters nor a query.
func TestSecurityLookupDigitsStayOutOfAddresses(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	e.setHandler(httpserver.New(httpserver.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))},
		&payments.Handler{Service: e.pay, Device: e.kiosk.RequireDevice}).Handler())
	p := e.order(t, "digits-1", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0002",
		"bill_id": "WAT-202610-DEMO0002"})
	other := e.order(t, "digits-2", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0003",
		"bill_id": "WAT-202610-DEMO0003"})
	payAtGateway(t, e, p, "pay")
	payAtGateway(t, e, other, "pay")

	lookup := func(code, last4 string) lookedUp {
		t.Helper()
		var got lookedUp
		r := e.do(t, "POST", "/api/v1/payments/lookup/"+code, map[string]string{"last4": last4})
		if r.status != 200 {
			t.Fatalf("lookup of %s by POST: %d %s", code, r.status, r.body)
		}
		r.json(t, &got)
		return got
	}
	paid, otherPaid := lookup(p.LookupCode, "0002"), lookup(other.LookupCode, "0003")
	if paid.State != "paid" || paid.ReceiptPDF == "" || strings.Contains(paid.ReceiptPDF, "last4") || strings.Contains(paid.ReceiptPDF, "0002") {
		t.Fatalf("receipt link %q", paid.ReceiptPDF)
	}
	if r := e.do(t, "GET", paid.ReceiptPDF, nil); r.status != 200 || !strings.HasPrefix(string(r.body), "%PDF-") {
		t.Errorf("receipt by its pass: %d %s", r.status, r.body)
	}
	pass := paid.ReceiptPDF[strings.Index(paid.ReceiptPDF, "?"):]
	otherPass := otherPaid.ReceiptPDF[strings.Index(otherPaid.ReceiptPDF, "?"):]
	for _, c := range []struct{ name, path string }{
		{"another code's pass", "/api/v1/payments/lookup/" + p.LookupCode + "/receipt.pdf" + otherPass},
		{"a changed pass", "/api/v1/payments/lookup/" + p.LookupCode + "/receipt.pdf" + pass[:len(pass)-2] + "AA"},
	} {
		if r := e.do(t, "GET", c.path, nil); r.code() != "pass_invalid" {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	if r := e.do(t, "POST", "/api/v1/payments/lookup/"+p.LookupCode, map[string]string{"last4": "0001"}); r.code() != "payment_lookup_not_found" {
		t.Errorf("wrong characters by POST: %d %s", r.status, r.body)
	}
	// The GET forms that carried the characters in the address are gone:
	// refused with a code that names the way, the right characters
	// included, before anything is looked up or counted.
	var counted int
	if err := e.pool.QueryRow(context.Background(), `SELECT coalesce(sum(hits), 0) FROM rate_limits`).Scan(&counted); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, path, code string }{
		{"lookup by GET with the characters", "/api/v1/payments/lookup/" + p.LookupCode + "?last4=0002", "proof_in_address"},
		{"lookup by GET", "/api/v1/payments/lookup/" + p.LookupCode, "lookup_by_post"},
		{"receipt with the characters", "/api/v1/payments/lookup/" + p.LookupCode + "/receipt.pdf?last4=0002", "proof_in_address"},
		{"receipt with its pass and the characters", paid.ReceiptPDF + "&last4=0002", "proof_in_address"},
	} {
		if r := e.do(t, "GET", c.path, nil); r.status != http.StatusBadRequest || r.code() != c.code {
			t.Errorf("%s: %d %s, want 400 %s", c.name, r.status, r.body, c.code)
		}
	}
	if r := e.do(t, "POST", "/api/v1/payments/lookup/"+p.LookupCode+"?last4=0002", map[string]string{"last4": "0002"}); r.code() != "proof_in_address" {
		t.Errorf("lookup by POST with the characters in the address too: %d %s", r.status, r.body)
	}
	var after int
	if err := e.pool.QueryRow(context.Background(), `SELECT coalesce(sum(hits), 0) FROM rate_limits`).Scan(&after); err != nil || after != counted {
		t.Errorf("refused GETs counted %d look-ups (%v)", after-counted, err)
	}

	if !strings.Contains(logs.String(), "/receipt.pdf") {
		t.Fatalf("no access log of the receipt:\n%s", logs.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		path, _ := entry["path"].(string)
		if strings.Contains(line, "last4") || strings.Contains(line, "pass=") || strings.Contains(path, "?") || strings.Contains(path, "0002") {
			t.Errorf("the access log holds a proof: %s", line)
		}
	}
}
