package payments_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/paper"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/paymentstest"
	"github.com/citizenstation/citizenstation/kiosk/payments/vietqr"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

const (
	secret  = "TEST-HASH-SECRET-0123456789"
	tmnCode = "CSTEST01"
)

// testFees is a dossier fee source over a real table, standing for the
// dossiers package until it is wired.
type testFees struct{ pool *pgxpool.Pool }

func (f testFees) FeeDue(ctx context.Context, id string) (payments.Fee, error) {
	var (
		fee    payments.Fee
		paidBy *string
	)
	err := f.pool.QueryRow(ctx, `SELECT fee, name, paid_by FROM test_dossiers WHERE id = $1`, id).Scan(&fee.Amount, &fee.Description, &paidBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return fee, apperr.New(apperr.NotFound, "dossier_not_found", "Không tìm thấy hồ sơ.")
	}
	if paidBy != nil {
		return fee, apperr.New(apperr.Conflict, "fee_already_paid", "Lệ phí hồ sơ đã được thanh toán.")
	}
	return fee, err
}

func (testFees) MarkFeePaid(ctx context.Context, tx pgx.Tx, id, paymentID string, amount int64) error {
	tag, err := tx.Exec(ctx, `UPDATE test_dossiers SET paid_by = $2, status = 'fee_paid' WHERE id = $1 AND paid_by IS NULL AND fee = $3`,
		id, paymentID, amount)
	if err == nil && tag.RowsAffected() != 1 {
		err = fmt.Errorf("dossier %s not payable", id)
	}
	return err
}

// Owns checks the four digits the test dossier was "filed" with.
func (f testFees) Owns(ctx context.Context, id, last4 string) (bool, error) {
	var n int
	err := f.pool.QueryRow(ctx, `SELECT count(*) FROM test_dossiers WHERE id = $1 AND last4 = $2`, id, last4).Scan(&n)
	return n == 1, err
}

// quiet keeps the test output to the failures.
var quiet = slog.New(slog.DiscardHandler)

type env struct {
	pool      *pgxpool.Pool
	kiosk     *kiosk.Service
	pay       *payments.Service
	sandbox   *vnpay.Sandbox
	gateway   *httptest.Server
	api       *httptest.Server
	stationID string
	token     string
	handler   http.Handler
}

// setHandler serves the API with h from now on.
func (e *env) setHandler(h http.Handler) { e.handler = h }

// newEnv runs the service and the sandbox gateway on real loopback HTTP
// servers, wired to each other as in production.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{pool: dbtest.New(t)}
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `CREATE TABLE test_dossiers (id text PRIMARY KEY, name text NOT NULL, fee bigint NOT NULL,
		status text NOT NULL DEFAULT 'submitted', paid_by text, last4 text NOT NULL DEFAULT '5678')`); err != nil {
		t.Fatal(err)
	}
	e.pool.Exec(ctx, `INSERT INTO test_dossiers (id, name, fee) VALUES ('D1', 'Lệ phí đăng ký khai sinh', 8000), ('D2', 'Lệ phí chứng thực', 20000)`)

	e.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { e.handler.ServeHTTP(w, r) }))
	t.Cleanup(e.api.Close)
	var cfg payments.Config
	e.sandbox, e.gateway, cfg = paymentstest.StartGateway(t, e.api.URL, tmnCode, secret)
	fonts, err := paper.LoadFonts(paper.FontDir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Papers.Fonts = fonts
	demo, err := payments.NewDemoBiller("")
	if err != nil {
		t.Fatal(err)
	}
	e.kiosk = kiosk.NewService(e.pool, kiosk.DefaultConfig(), quiet)
	e.pay = payments.NewService(e.pool, cfg, quiet, testFees{e.pool}, demo)
	e.handler = httpserver.New(httpserver.Options{Logger: quiet}, &payments.Handler{Service: e.pay, Device: e.kiosk.RequireDevice}).Handler()

	st, token, err := e.kiosk.AddStation(ctx, audit.Actor{Role: "test"}, kiosk.NewStation{Name: "Trạm thử", WardCode: "26740"})
	if err != nil {
		t.Fatal(err)
	}
	e.stationID, e.token = st.ID, token
	return e
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

func (r response) code() string {
	var b httpserver.ErrorBody
	json.Unmarshal(r.body, &b)
	return b.Error.Code
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a real HTTP request; headers are name, value pairs.
func (e *env) do(t *testing.T, method, rawURL string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	if strings.HasPrefix(rawURL, "/") {
		rawURL = e.api.URL + rawURL
	}
	req, _ := http.NewRequest(method, rawURL, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

func (e *env) device(t *testing.T, method, path string, body any, headers ...string) response {
	t.Helper()
	return e.do(t, method, path, body, append([]string{"Authorization", "Bearer " + e.token}, headers...)...)
}

// order makes an order as the kiosk does.
func (e *env) order(t *testing.T, key string, body any) payments.Payment {
	t.Helper()
	r := e.device(t, "POST", "/api/v1/payments", body, "Idempotency-Key", key)
	if r.status != 201 {
		t.Fatalf("create order: %d %s", r.status, r.body)
	}
	var p payments.Payment
	r.json(t, &p)
	return p
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// ipn builds the gateway's notification for an order, signed with key.
func ipn(key, tmn, ref string, amount100 int64, code, status string) url.Values {
	p := url.Values{
		"vnp_TmnCode": {tmn}, "vnp_Amount": {fmt.Sprint(amount100)}, "vnp_BankCode": {"NCB"},
		"vnp_BankTranNo": {"VNP01"}, "vnp_CardType": {"ATM"}, "vnp_PayDate": {"20261124093000"},
		"vnp_OrderInfo": {"Thanh toan"}, "vnp_TransactionNo": {"14999001"}, "vnp_ResponseCode": {code},
		"vnp_TransactionStatus": {status}, "vnp_TxnRef": {ref},
	}
	vnpay.Sign(key, p)
	return p
}

func (e *env) sendIPN(t *testing.T, p url.Values) vnpay.IPNReply {
	t.Helper()
	r := e.do(t, "GET", "/api/v1/payments/vnpay/ipn?"+p.Encode(), nil)
	var reply vnpay.IPNReply
	if r.status != 200 {
		t.Fatalf("IPN answered HTTP %d", r.status)
	}
	r.json(t, &reply)
	return reply
}

func TestBillersAndBills(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "GET", "/api/v1/billers", nil)
	var billers struct{ Billers []payments.BillerInfo }
	r.json(t, &billers)
	if r.status != 200 || len(billers.Billers) != 1 || billers.Billers[0].ID != "demo" || !billers.Billers[0].Demonstration ||
		!strings.Contains(billers.Billers[0].Name, "MINH HỌA") {
		t.Fatalf("billers: %d %s", r.status, r.body)
	}
	for _, code := range []string{"DEMO0001", "DEMO0002", "DEMO0003", "DEMO0004", "demo0005"} {
		r := e.device(t, "GET", "/api/v1/bills?biller=demo&customer_code="+code, nil)
		var got struct{ Bills []payments.Bill }
		r.json(t, &got)
		categories := map[string]bool{}
		for _, b := range got.Bills {
			categories[b.Category] = true
			if b.Amount <= 0 || len(b.Period) != 7 || b.ID == "" {
				t.Errorf("%s: bill %+v", code, b)
			}
		}
		if r.status != 200 || len(categories) != 5 {
			t.Errorf("%s: %d bills in %d categories: %s", code, len(got.Bills), len(categories), r.body)
		}
	}
	for _, tt := range []struct {
		name, path string
		auth       bool
		status     int
		code       string
	}{
		{"needs a station", "/api/v1/bills?biller=demo&customer_code=DEMO0001", false, 401, "device_token_invalid"},
		{"unknown biller", "/api/v1/bills?biller=evn&customer_code=DEMO0001", true, 404, "biller_not_found"},
		{"bad customer code", "/api/v1/bills?biller=demo&customer_code=DEMO%200001", true, 400, "customer_code_invalid"},
	} {
		var r response
		if tt.auth {
			r = e.device(t, "GET", tt.path, nil)
		} else {
			r = e.do(t, "GET", tt.path, nil)
		}
		if r.status != tt.status || r.code() != tt.code {
			t.Errorf("%s: %d %s", tt.name, r.status, r.body)
		}
	}
	r = e.device(t, "GET", "/api/v1/bills?biller=demo&customer_code=NOBODY", nil)
	if r.status != 200 || string(r.body) != `{"bills":[]}` {
		t.Errorf("unknown customer: %s", r.body)
	}
}

// TestOrderRefusals: the orders a station may not make are refused, each
// with its code, and leave no order behind.
func TestOrderRefusals(t *testing.T) {
	e := newEnv(t)
	bill := map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0002", "bill_id": "WAT-202610-DEMO0002"}
	for _, tt := range []struct {
		name   string
		key    string
		body   any
		status int
		code   string
	}{
		{"no idempotency key", "", bill, 400, "idempotency_key_required"},
		{"unknown purpose", "k1", map[string]any{"purpose": "donation"}, 400, "purpose_invalid"},
		{"bill without id", "k2", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0002"}, 400, "bill_required"},
		{"bill that does not exist", "k3", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0002", "bill_id": "X"}, 404, "bill_not_found"},
		{"fee without dossier", "k4", map[string]any{"purpose": "fee"}, 400, "dossier_id_required"},
		{"fee of an unknown dossier", "k5", map[string]any{"purpose": "fee", "dossier_id": "NOPE"}, 404, "dossier_not_found"},
		{"a client-sent amount is not a field", "k6", `{"purpose":"bill","amount":1}`, 400, "body_invalid"},
		{"another station's visit", "k7", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0002",
			"bill_id": "WAT-202610-DEMO0002", "kiosk_session_id": "not-a-visit-here"}, 400, "kiosk_session_invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body any = tt.body
			if s, ok := tt.body.(string); ok {
				body = json.RawMessage(s)
			}
			r := e.device(t, "POST", "/api/v1/payments", body, "Idempotency-Key", tt.key)
			if tt.code == "body_invalid" {
				// Unknown fields are ignored by the binder; the order is refused for lacking a bill.
				tt.status, tt.code = 400, "bill_required"
			}
			if r.status != tt.status || r.code() != tt.code {
				t.Errorf("%d %s, want %d %s", r.status, r.body, tt.status, tt.code)
			}
		})
	}
	if n := e.count(t, `SELECT count(*) FROM payments`); n != 0 {
		t.Fatalf("%d orders left by refused requests", n)
	}
}

// TestCreateOrder makes a bill's order and reads its VietQR and signed pay
// URL; the same idempotency key gives the same order, and a bill is never
// ordered twice, even by ten racing retries.
func TestCreateOrder(t *testing.T) {
	e := newEnv(t)
	bill := map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0002", "bill_id": "WAT-202610-DEMO0002"}
	p := e.order(t, "key-A", bill)
	if p.Amount != 123000 || p.State != "pending" || p.Description != "Tiền nước kỳ 10/2026" || p.StationID != e.stationID {
		t.Errorf("order %+v", p)
	}
	// The VietQR names the order and its amount; the pay URL is signed for the gateway.
	if !vietqr.Valid(p.VietQR.Payload) || !strings.Contains(p.VietQR.Payload, "5406123000") ||
		!strings.Contains(p.VietQR.Payload, "0116"+p.ID) || p.VietQR.PNG != "/api/v1/payments/"+p.ID+"/qr.png" {
		t.Errorf("vietqr %+v", p.VietQR)
	}
	u, _ := url.Parse(p.PayURL)
	if !vnpay.Verify(secret, u.Query()) || u.Query().Get("vnp_TxnRef") != p.ID || u.Query().Get("vnp_Amount") != "12300000" {
		t.Errorf("pay URL %s", p.PayURL)
	}
	png := e.do(t, "GET", p.VietQR.PNG, nil)
	if png.status != 200 || png.header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png.body, []byte("\x89PNG")) {
		t.Errorf("qr.png: %d %s", png.status, png.header.Get("Content-Type"))
	}

	// The same key and body: the same order. The same key, another body: refused.
	r := e.device(t, "POST", "/api/v1/payments", bill, "Idempotency-Key", "key-A")
	var again payments.Payment
	r.json(t, &again)
	if r.status != 200 || again.ID != p.ID {
		t.Errorf("repeat: %d %s", r.status, r.body)
	}
	other := map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0002", "bill_id": "INT-202610-DEMO0002"}
	if r := e.device(t, "POST", "/api/v1/payments", other, "Idempotency-Key", "key-A"); r.status != 409 || r.code() != "idempotency_key_reused" {
		t.Errorf("key reused: %d %s", r.status, r.body)
	}
	// Another key for a bill already being paid: refused, nothing is paid twice.
	if r := e.device(t, "POST", "/api/v1/payments", bill, "Idempotency-Key", "key-B"); r.status != 409 || r.code() != "already_paid_or_paying" {
		t.Errorf("second order for the bill: %d %s", r.status, r.body)
	}

	// Ten kiosks' retries racing with one key make one order.
	results := make(chan string, 10)
	for range 10 {
		go func() {
			r := e.device(t, "POST", "/api/v1/payments", other, "Idempotency-Key", "key-C")
			var p payments.Payment
			json.Unmarshal(r.body, &p)
			results <- fmt.Sprintf("%d %s", r.status/100, p.ID)
		}()
	}
	ids := map[string]bool{}
	for range 10 {
		ids[<-results] = true // "2 ID" for each success
	}
	if len(ids) != 1 || e.count(t, `SELECT count(*) FROM payments WHERE bill_id = 'INT-202610-DEMO0002'`) != 1 {
		t.Errorf("racing requests made %v", ids)
	}
	if r := e.do(t, "GET", "/api/v1/payments/CS000000000000000", nil); r.status != 404 {
		t.Errorf("unknown order: %d", r.status)
	}
}

func TestIPNChecksBeforeTouchingTheDatabase(t *testing.T) {
	e := newEnv(t)
	p := e.order(t, "k", map[string]any{"purpose": "fee", "dossier_id": "D2"})
	amount := p.Amount * 100
	tampered := ipn(secret, tmnCode, p.ID, amount, "00", "00")
	tampered.Set("vnp_Amount", fmt.Sprint(amount*10))

	for _, tt := range []struct {
		name   string
		params url.Values
		rsp    string
	}{
		{"tampered field", tampered, "97"},
		{"wrong secret", ipn("ANOTHER-SECRET", tmnCode, p.ID, amount, "00", "00"), "97"},
		{"wrong terminal", ipn(secret, "OTHERTMN", p.ID, amount, "00", "00"), "97"},
		{"amount mismatch", ipn(secret, tmnCode, p.ID, amount-100, "00", "00"), "04"},
		{"amount not in cents", ipn(secret, tmnCode, p.ID, -5, "00", "00"), "04"},
		{"unknown order", ipn(secret, tmnCode, "CS0000000000ZZZZ", amount, "00", "00"), "01"},
		{"malformed order id", ipn(secret, tmnCode, "1 OR 1=1", amount, "00", "00"), "01"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.sendIPN(t, tt.params); got.RspCode != tt.rsp {
				t.Errorf("RspCode %s (%s), want %s", got.RspCode, got.Message, tt.rsp)
			}
		})
	}
	if n := e.count(t, `SELECT count(*) FROM payment_provider_events`); n != 0 {
		t.Errorf("%d provider events written by refused IPNs", n)
	}
	if got, _ := e.pay.Get(context.Background(), p.ID); got.State != "pending" {
		t.Errorf("state %s after refused IPNs", got.State)
	}

	// Response code 00 with transaction status 01 is not a payment.
	if got := e.sendIPN(t, ipn(secret, tmnCode, p.ID, amount, "00", "01")); got.RspCode != "00" {
		t.Errorf("not completed: %+v", got)
	}
	if got, _ := e.pay.Get(context.Background(), p.ID); got.State != "pending" {
		t.Errorf("an incomplete transaction moved the order to %s", got.State)
	}
	// A declined payment fails the order; a later success for it is refused
	// as already confirmed.
	if got := e.sendIPN(t, ipn(secret, tmnCode, p.ID, amount, "51", "02")); got.RspCode != "00" {
		t.Errorf("declined: %+v", got)
	}
	if got, _ := e.pay.Get(context.Background(), p.ID); got.State != "failed" || got.Receipt != nil {
		t.Errorf("declined order: %+v", got)
	}
	if got := e.sendIPN(t, ipn(secret, tmnCode, p.ID, amount, "00", "00")); got.RspCode != "02" {
		t.Errorf("success after failure: %+v", got)
	}
	if n := e.count(t, `SELECT count(*) FROM payment_ledger`); n != 0 {
		t.Errorf("%d ledger entries for a failed order", n)
	}
}

// When recording the payment fails (here the dossier's fee changed after the
// order was made), the IPN answers 99 so the gateway tries again, and
// nothing is half-written.
func TestIPNAnswers99WhenThePaymentCannotBeRecorded(t *testing.T) {
	e := newEnv(t)
	p := e.order(t, "k", map[string]any{"purpose": "fee", "dossier_id": "D1"})
	e.pool.Exec(context.Background(), `UPDATE test_dossiers SET fee = fee + 1000 WHERE id = 'D1'`)
	if got := e.sendIPN(t, ipn(secret, tmnCode, p.ID, p.Amount*100, "00", "00")); got.RspCode != "99" {
		t.Errorf("IPN answered %+v, want 99", got)
	}
	if got, _ := e.pay.Get(context.Background(), p.ID); got.State != "pending" || got.Receipt != nil {
		t.Errorf("order after the failed IPN: %+v", got)
	}
	for _, table := range []string{"payment_provider_events", "payment_ledger", "payment_receipts"} {
		if n := e.count(t, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s has %d rows", table, n)
		}
	}
}

func TestRefundGivesABillBack(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	by := audit.Actor{Username: "os:operator", Role: "cli"}
	bill := map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0003", "bill_id": "APA-202610-DEMO0003"}
	p := e.order(t, "k1", bill)
	if _, err := e.pay.Refund(ctx, by, p.ID, "Thu nhầm"); apperr.CodeOf(err) != "payment_not_paid" {
		t.Errorf("refunding a pending order: %v", err)
	}
	payAtGateway(t, e, p, "pay")
	if _, err := e.pay.Refund(ctx, by, p.ID, " "); apperr.CodeOf(err) != "refund_reason_required" {
		t.Errorf("refund without a reason: %v", err)
	}
	got, err := e.pay.Refund(ctx, by, p.ID, "Cư dân thanh toán hai lần")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "refunded" {
		t.Errorf("state %s", got.State)
	}
	// A second refund is refused here and would be at the gateway.
	if _, err := e.pay.Refund(ctx, by, p.ID, "lần nữa"); apperr.CodeOf(err) != "payment_not_paid" {
		t.Errorf("second refund: %v", err)
	}
	var debit, credit string
	e.pool.QueryRow(ctx, `SELECT debit_account, credit_account FROM payment_ledger WHERE payment_id = $1 AND kind = 'refund'`, p.ID).Scan(&debit, &credit)
	if debit != "biller:demo" || credit != "gateway:vnpay" {
		t.Errorf("refund entry %s → %s", debit, credit)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'payment.refund' AND subject_id = $1`, p.ID); n != 1 {
		t.Errorf("%d audit entries", n)
	}
	// The bill is unpaid again and can be paid with a new order.
	e.order(t, "k2", bill)

	fee := e.order(t, "k3", map[string]any{"purpose": "fee", "dossier_id": "D2"})
	payAtGateway(t, e, fee, "pay")
	if _, err := e.pay.Refund(ctx, by, fee.ID, "Thu nhầm"); apperr.CodeOf(err) != "fee_refund_by_ward" {
		t.Errorf("refunding a fee: %v", err)
	}
}
