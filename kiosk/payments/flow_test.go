package payments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/paymentstest"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// listen collects the payment events published on payments.Channel.
func listen(t *testing.T, e *env) func() []payments.Event {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, e.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+payments.Channel); err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		events []payments.Event
		done   = make(chan struct{})
	)
	go func() {
		defer close(done)
		for {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				return
			}
			var ev payments.Event
			json.Unmarshal([]byte(n.Payload), &ev)
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); <-done; conn.Close(context.Background()) })
	return func() []payments.Event {
		time.Sleep(100 * time.Millisecond) // notifications arrive after commit
		mu.Lock()
		defer mu.Unlock()
		return append([]payments.Event(nil), events...)
	}
}

// payAtGateway plays the resident at the sandbox's pay page: it opens the
// pay URL, presses a button and returns where the gateway redirects.
func payAtGateway(t *testing.T, e *env, p payments.Payment, choice string) string {
	t.Helper()
	page := e.do(t, "GET", p.PayURL, nil)
	if page.status != 200 || !strings.Contains(string(page.body), fmt.Sprintf("%d VND", p.Amount)) {
		t.Fatalf("pay page: %d %s", page.status, page.body)
	}
	return paymentstest.Confirm(t, e.gateway.URL, p.ID, choice)
}

// TestPayFlowThroughTheSandboxGateway pays through the sandbox gateway as a
// station and a resident do: a dossier fee paid, then a bill cancelled at
// the gateway and paid with a new order, and reads what the three orders
// left: state changes, published events, ledger entries and receipts. It
// is kept whole over 80 lines because the records counted at the end are
// exactly those of the orders made along the way, in their order.
func TestPayFlowThroughTheSandboxGateway(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	events := listen(t, e)
	visit, err := e.kiosk.StartSession(ctx, e.stationID)
	if err != nil {
		t.Fatal(err)
	}

	// A dossier fee, paid.
	p := e.order(t, "fee-1", map[string]any{"purpose": "fee", "dossier_id": "D1", "kiosk_session_id": visit.ID})
	if p.Amount != 8000 || p.Description != "Lệ phí đăng ký khai sinh" {
		t.Fatalf("fee order %+v", p)
	}
	back := payAtGateway(t, e, p, "pay")
	if replies := e.sandbox.IPNReplies(p.ID); len(replies) != 1 || replies[0].RspCode != "00" {
		t.Fatalf("IPN replies %+v", replies)
	}
	if !strings.HasPrefix(back, e.api.URL+"/api/v1/payments/vnpay/return?") {
		t.Fatalf("gateway sent the browser to %s", back)
	}
	page := e.do(t, "GET", back, nil, "Accept", "text/html")
	if page.status != 200 || !strings.Contains(string(page.body), "Đã thanh toán") || !strings.Contains(string(page.body), "Biên lai số") {
		t.Errorf("return page: %d %s", page.status, page.body)
	}
	var got payments.Payment
	e.device(t, "GET", "/api/v1/payments/"+p.ID, nil).json(t, &got) // as the station that made it
	if got.State != "paid" || got.PaidAt == nil || got.Receipt == nil || got.Receipt.Amount != 8000 ||
		!strings.HasPrefix(got.Receipt.Number, "BL") || got.ProviderTxnNo == "" || got.PayURL != "" {
		t.Errorf("paid order %+v", got)
	}
	// The fee moved the dossier on, in the same transaction.
	var status, paidBy string
	e.pool.QueryRow(ctx, `SELECT status, paid_by FROM test_dossiers WHERE id = 'D1'`).Scan(&status, &paidBy)
	if status != "fee_paid" || paidBy != p.ID {
		t.Errorf("dossier %s paid by %s", status, paidBy)
	}
	if r := e.device(t, "POST", "/api/v1/payments", map[string]any{"purpose": "fee", "dossier_id": "D1"}, "Idempotency-Key", "fee-2"); r.status != 409 {
		t.Errorf("a paid fee ordered again: %d %s", r.status, r.body)
	}
	// The visit records the payment.
	k, _ := e.kiosk.Session(ctx, e.stationID, visit.ID)
	if len(k.Outcomes) != 1 || k.Outcomes[0] != kiosk.OutcomePaymentMade {
		t.Errorf("visit outcomes %v", k.Outcomes)
	}

	// A bill: the resident cancels, then pays with a new order.
	bill := map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0004", "bill_id": "ELE-202610-DEMO0004"}
	cancelled := e.order(t, "bill-1", bill)
	back = payAtGateway(t, e, cancelled, "cancel")
	var view payments.ReturnView
	e.do(t, "GET", back, nil, "Accept", "application/json").json(t, &view)
	if !view.Valid || view.Payment.State != "failed" || view.GatewayResponseCode != "24" {
		t.Errorf("cancelled return %+v", view)
	}
	paid := e.order(t, "bill-2", bill)
	payAtGateway(t, e, paid, "pay")
	var bills struct{ Bills []payments.Bill }
	e.device(t, "GET", "/api/v1/bills?biller=demo&customer_code=DEMO0004", nil).json(t, &bills)
	for _, b := range bills.Bills {
		if b.ID == "ELE-202610-DEMO0004" {
			t.Error("a paid bill is still listed as unpaid")
		}
	}
	if len(bills.Bills) != 4 {
		t.Errorf("%d bills left, want 4", len(bills.Bills))
	}

	// Every state change is recorded and published; a ledger entry and a
	// receipt for each paid order, none for the failed one.
	var changes []string
	rows, _ := e.pool.Query(ctx, `SELECT payment_id, coalesce(from_state, ''), to_state FROM payment_state_changes ORDER BY id`)
	for rows.Next() {
		var id, from, to string
		rows.Scan(&id, &from, &to)
		changes = append(changes, map[string]string{p.ID: "fee", cancelled.ID: "cancelled", paid.ID: "bill"}[id]+":"+from+">"+to)
	}
	want := "fee:>created fee:created>pending fee:pending>paid cancelled:>created cancelled:created>pending cancelled:pending>failed bill:>created bill:created>pending bill:pending>paid"
	if strings.Join(changes, " ") != want {
		t.Errorf("state changes\n got %v\nwant %s", changes, want)
	}
	var published []string
	for _, ev := range events() {
		published = append(published, ev.From+">"+ev.State)
		if ev.PaymentID == p.ID && ev.State == "paid" && (ev.KioskSessionID != visit.ID || ev.StationID != e.stationID || ev.Amount != 8000) {
			t.Errorf("paid event %+v", ev)
		}
	}
	if strings.Join(published, " ") != "created>pending pending>paid created>pending pending>failed created>pending pending>paid" {
		t.Errorf("published %v", published)
	}
	if n := e.count(t, `SELECT count(*) FROM payment_ledger`); n != 2 {
		t.Errorf("%d ledger entries, want 2", n)
	}
	if n := e.count(t, `SELECT count(*) FROM payment_ledger WHERE credit_account = 'biller:demo' AND amount = $1`, paid.Amount); n != 1 {
		t.Error("bill not credited to its biller")
	}
	if n := e.count(t, `SELECT count(*) FROM payment_receipts`); n != 2 {
		t.Errorf("%d receipts, want 2", n)
	}
}

// The same valid IPN 1,000 times from 20 concurrent clients: one state
// change, one ledger entry.
func TestRepeatedIPNChangesOnce(t *testing.T) {
	e := newEnv(t)
	p := e.order(t, "k", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0003", "bill_id": "TUI-202610-DEMO0003"})
	target := e.api.URL + "/api/v1/payments/vnpay/ipn?" + ipn(secret, tmnCode, p.ID, p.Amount*100, "00", "00").Encode()

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = map[string]int{}
		next  = make(chan int)
	)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			for range next {
				resp, err := client.Get(target)
				if err != nil {
					t.Error(err)
					continue
				}
				var reply vnpay.IPNReply
				json.NewDecoder(resp.Body).Decode(&reply)
				resp.Body.Close()
				mu.Lock()
				codes[reply.RspCode]++
				mu.Unlock()
			}
		}()
	}
	for i := range 1000 {
		next <- i
	}
	close(next)
	wg.Wait()

	if codes["00"] != 1 || codes["02"] != 999 {
		t.Errorf("replies %v, want one 00 and 999 02", codes)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM payment_state_changes WHERE payment_id = $1 AND to_state = 'paid'`: 1,
		`SELECT count(*) FROM payment_ledger WHERE payment_id = $1`:                              1,
		`SELECT count(*) FROM payment_receipts WHERE payment_id = $1`:                            1,
		`SELECT count(*) FROM payment_provider_events WHERE payment_id = $1`:                     1,
	} {
		if n := e.count(t, query, p.ID); n != want {
			t.Errorf("%s: %d, want %d", query, n, want)
		}
	}
}

func TestQuerySweepSettlesSilentOrders(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.sandbox.IPNURL = "http://127.0.0.1:1/unreachable" // the gateway's IPNs never arrive

	paid := e.order(t, "a", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0001", "bill_id": "ELE-202609-DEMO0001"})
	payAtGateway(t, e, paid, "pay")
	declined := e.order(t, "b", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0001", "bill_id": "ELE-202610-DEMO0001"})
	payAtGateway(t, e, declined, "insufficient")
	abandoned := e.order(t, "c", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0001", "bill_id": "WAT-202610-DEMO0001"})
	fresh := e.order(t, "d", map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0001", "bill_id": "INT-202610-DEMO0001"})
	payAtGateway(t, e, fresh, "pay")

	// The first three have been pending for over 5 minutes; the abandoned
	// one (never opened at the gateway) is past its time as well. The
	// query signs the original create date, so the orders keep it.
	e.pool.Exec(ctx, `UPDATE payments SET created_at = created_at - interval '6 minutes' WHERE id = ANY ($1)`,
		[]string{paid.ID, declined.ID})
	e.pool.Exec(ctx, `UPDATE payments SET created_at = created_at - interval '20 minutes', expires_at = now() - interval '5 minutes' WHERE id = $1`, abandoned.ID)

	n, err := e.pay.SweepPending(ctx)
	if err != nil || n != 3 {
		t.Fatalf("sweep changed %d orders, %v; want 3", n, err)
	}
	for id, want := range map[string]string{paid.ID: "paid", declined.ID: "failed", abandoned.ID: "expired", fresh.ID: "pending"} {
		if got, _ := e.pay.Get(ctx, id); got.State != want {
			t.Errorf("%s: %s, want %s", id, got.State, want)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM payment_state_changes WHERE source = 'querydr'`); n != 3 {
		t.Errorf("%d changes from querydr", n)
	}
	// The IPN arrives late: already confirmed, nothing changes.
	if got := e.sendIPN(t, ipn(secret, tmnCode, paid.ID, paid.Amount*100, "00", "00")); got.RspCode != "02" {
		t.Errorf("late IPN: %+v", got)
	}
	if n := e.count(t, `SELECT count(*) FROM payment_ledger WHERE payment_id = $1`, paid.ID); n != 1 {
		t.Errorf("%d ledger entries after the late IPN", n)
	}
}

func TestReconcileSettlementFile(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var orders []payments.Payment
	for i, bill := range []string{"ELE-202610-DEMO0005", "WAT-202610-DEMO0005", "INT-202610-DEMO0005"} {
		p := e.order(t, fmt.Sprint("k", i), map[string]any{"purpose": "bill", "biller": "demo", "customer_code": "DEMO0005", "bill_id": bill})
		orders = append(orders, p)
	}
	payAtGateway(t, e, orders[0], "pay")
	payAtGateway(t, e, orders[1], "pay")
	// The third is paid at the gateway but its IPN is lost.
	e.sandbox.IPNURL = "http://127.0.0.1:1/unreachable"
	payAtGateway(t, e, orders[2], "pay")

	today := time.Now().In(vnpay.Zone).Format(time.DateOnly)
	file := e.do(t, "GET", e.gateway.URL+"/settlement?date="+today, nil)
	if file.status != 200 {
		t.Fatalf("settlement: %d %s", file.status, file.body)
	}
	diffs, err := e.pay.Reconcile(ctx, strings.NewReader(string(file.body)), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 1 || diffs[0].PaymentID != orders[2].ID || diffs[0].Kind != payments.DiffNotPaidHere {
		t.Errorf("diffs %+v, want the lost IPN", diffs)
	}

	// A file that disagrees in every way.
	lines := strings.Split(strings.TrimSpace(string(file.body)), "\n")
	var edited []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, orders[0].ID):
			f := strings.Split(l, ",")
			f[2] = "1000"
			edited = append(edited, strings.Join(f, ","))
		case strings.HasPrefix(l, orders[1].ID):
			// dropped: paid here, missing there
		default:
			edited = append(edited, l)
		}
	}
	edited = append(edited, "CSZZZZZZZZZZZZZZ,14000999,50000,"+vnpay.FormatDate(time.Now())+",00", "broken line")
	diffs, err = e.pay.Reconcile(ctx, strings.NewReader(strings.Join(edited, "\n")), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range diffs {
		got[d.Kind] = d.PaymentID
	}
	for kind, id := range map[string]string{
		payments.DiffAmount: orders[0].ID, payments.DiffMissing: orders[1].ID, payments.DiffNotPaidHere: orders[2].ID,
		payments.DiffUnknownOrder: "CSZZZZZZZZZZZZZZ", payments.DiffMalformedEntry: "broken line",
	} {
		if gotID, ok := got[kind]; !ok || gotID != id {
			t.Errorf("%s: %q (present %v), want %q", kind, gotID, ok, id)
		}
	}
	if len(diffs) != 5 {
		t.Errorf("%d differences: %+v", len(diffs), diffs)
	}
}
