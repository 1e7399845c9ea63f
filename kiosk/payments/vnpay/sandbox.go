package vnpay

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Sandbox is a local payment gateway that speaks the same protocol as
// VNPay's sandbox: the pay page, the signed return redirect and IPN call,
// the transaction query and refund, and a day's settlement file. It lets a fresh
// machine, and the tests, run the whole payment flow without credentials.
// It is a stand-in for an outside system, so it keeps its transactions in
// memory.
type Sandbox struct {
	TmnCode string
	Secret  string
	// IPNURL is the merchant's IPN endpoint, as registered with the gateway.
	IPNURL string
	HTTP   *http.Client

	mu   sync.Mutex
	txns map[string]*sandboxTxn // by vnp_TxnRef
	seq  int64
}

type sandboxTxn struct {
	params     url.Values // the pay request
	result     url.Values // the signed outcome, once the payer chose
	createdAt  time.Time
	paidAt     time.Time
	refunded   bool
	IPNReplies []IPNReply
}

// Handler serves the gateway's endpoints.
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /paymentv2/vpcpay.html", s.payPage)
	mux.HandleFunc("POST /paymentv2/confirm", s.confirm)
	mux.HandleFunc("POST /merchant_webapi/api/transaction", s.api)
	mux.HandleFunc("GET /settlement", s.settlement)
	return mux
}

var payPage = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Cổng thanh toán thử nghiệm</title>
<style>body{font:20px sans-serif;max-width:40em;margin:2em auto}button{font-size:22px;padding:.6em 1.2em;margin:.3em}</style></head>
<body><h1>Cổng thanh toán THỬ NGHIỆM (sandbox)</h1>
<p>Không có tiền thật. Đơn hàng <b>{{.TxnRef}}</b>: {{.OrderInfo}}</p>
<p>Số tiền: <b>{{.Amount}} VND</b></p>
<form method="post" action="/paymentv2/confirm">
<input type="hidden" name="txn_ref" value="{{.TxnRef}}">
<button name="result" value="pay">Thanh toán</button>
<button name="result" value="cancel">Hủy giao dịch</button>
<button name="result" value="insufficient">Tài khoản không đủ số dư</button>
</form></body></html>`))

func (s *Sandbox) payPage(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query()
	if !Verify(s.Secret, p) {
		http.Error(w, "Sai chữ ký (vnp_SecureHash)", http.StatusBadRequest)
		return
	}
	if p.Get("vnp_TmnCode") != s.TmnCode || p.Get("vnp_Version") != Version || p.Get("vnp_Command") != "pay" {
		http.Error(w, "Sai mã website (vnp_TmnCode) hoặc phiên bản", http.StatusBadRequest)
		return
	}
	amount, err := strconv.ParseInt(p.Get("vnp_Amount"), 10, 64)
	if err != nil || amount <= 0 || amount%100 != 0 {
		http.Error(w, "Số tiền không hợp lệ", http.StatusBadRequest)
		return
	}
	if exp, err := ParseDate(p.Get("vnp_ExpireDate")); err != nil || time.Now().After(exp) {
		http.Error(w, "Giao dịch đã quá thời gian chờ thanh toán", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if s.txns == nil {
		s.txns = map[string]*sandboxTxn{}
	}
	if _, ok := s.txns[p.Get("vnp_TxnRef")]; !ok {
		s.txns[p.Get("vnp_TxnRef")] = &sandboxTxn{params: p, createdAt: time.Now()}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	payPage.Execute(w, map[string]any{"TxnRef": p.Get("vnp_TxnRef"), "OrderInfo": p.Get("vnp_OrderInfo"), "Amount": amount / 100})
}

// confirm plays the payer's choice: it signs the outcome, calls the
// merchant's IPN (server to server) and sends the browser to the return URL.
func (s *Sandbox) confirm(w http.ResponseWriter, r *http.Request) {
	ref := r.FormValue("txn_ref")
	s.mu.Lock()
	t, ok := s.txns[ref]
	if !ok {
		s.mu.Unlock()
		http.Error(w, "Không có giao dịch", http.StatusNotFound)
		return
	}
	if t.result == nil {
		code, status := "00", "00"
		switch r.FormValue("result") {
		case "cancel":
			code, status = "24", "02"
		case "insufficient":
			code, status = "51", "02"
		}
		s.seq++
		t.paidAt = time.Now()
		t.result = url.Values{
			"vnp_TmnCode":           {s.TmnCode},
			"vnp_Amount":            {t.params.Get("vnp_Amount")},
			"vnp_BankCode":          {"NCB"},
			"vnp_BankTranNo":        {fmt.Sprintf("VNP%08d", s.seq)},
			"vnp_CardType":          {"ATM"},
			"vnp_PayDate":           {FormatDate(t.paidAt)},
			"vnp_OrderInfo":         {t.params.Get("vnp_OrderInfo")},
			"vnp_TransactionNo":     {strconv.FormatInt(14000000+s.seq, 10)},
			"vnp_ResponseCode":      {code},
			"vnp_TransactionStatus": {status},
			"vnp_TxnRef":            {ref},
		}
		Sign(s.Secret, t.result)
	}
	result := cloneValues(t.result)
	s.mu.Unlock()

	reply, err := s.CallIPN(r, result)
	s.mu.Lock()
	if err == nil {
		t.IPNReplies = append(t.IPNReplies, *reply)
	}
	s.mu.Unlock()
	ret, err := url.Parse(t.params.Get("vnp_ReturnUrl"))
	if err != nil {
		http.Error(w, "vnp_ReturnUrl không hợp lệ", http.StatusBadRequest)
		return
	}
	ret.RawQuery = result.Encode()
	http.Redirect(w, r, ret.String(), http.StatusFound)
}

// CallIPN sends the signed outcome to the merchant's IPN URL and reads the
// reply.
func (s *Sandbox) CallIPN(r *http.Request, result url.Values) (*IPNReply, error) {
	hc := s.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, s.IPNURL+"?"+result.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var reply IPNReply
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&reply); err != nil {
		return nil, fmt.Errorf("IPN reply: %w", err)
	}
	return &reply, nil
}

// IPNReplies returns what the merchant answered to a transaction's IPNs.
func (s *Sandbox) IPNReplies(txnRef string) []IPNReply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.txns[txnRef]; ok {
		return append([]IPNReply(nil), t.IPNReplies...)
	}
	return nil
}

// api answers querydr and refund calls.
func (s *Sandbox) api(w http.ResponseWriter, r *http.Request) {
	var q APIRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&q); err != nil {
		http.Error(w, "JSON không hợp lệ", http.StatusBadRequest)
		return
	}
	resp := APIResponse{ResponseID: q.RequestID, Command: q.Command, TmnCode: s.TmnCode, TxnRef: q.TxnRef}
	s.mu.Lock()
	t, ok := s.txns[q.TxnRef]
	switch {
	case !hmacEqual(s.Secret, q.signed(), q.SecureHash):
		resp.ResponseCode, resp.Message = "97", "Invalid Checksum"
	case q.TmnCode != s.TmnCode:
		resp.ResponseCode, resp.Message = "02", "Invalid TmnCode"
	case q.Command != "querydr" && q.Command != "refund":
		resp.ResponseCode, resp.Message = "99", "Unknown command"
	case !ok:
		resp.ResponseCode, resp.Message = QueryNotFound, "Transaction not found"
	case t.result == nil:
		if q.Command == "refund" {
			resp.ResponseCode, resp.Message = "94", "Transaction not paid"
			break
		}
		// Opened the pay page, not paid yet.
		resp.ResponseCode, resp.Message = "00", "Success"
		resp.Amount = t.params.Get("vnp_Amount")
		resp.TransactionType = "01"
		resp.TransactionStatus = "01"
		resp.OrderInfo = t.params.Get("vnp_OrderInfo")
	case q.Command == "refund" && (t.result.Get("vnp_TransactionStatus") != Success || q.Amount != t.result.Get("vnp_Amount") ||
		q.TransactionNo != t.result.Get("vnp_TransactionNo") || t.refunded):
		resp.ResponseCode, resp.Message = "94", "Refund not allowed"
	default:
		resp.ResponseCode, resp.Message = "00", "Success"
		resp.Amount = t.result.Get("vnp_Amount")
		resp.BankCode = t.result.Get("vnp_BankCode")
		resp.PayDate = t.result.Get("vnp_PayDate")
		resp.TransactionNo = t.result.Get("vnp_TransactionNo")
		resp.TransactionType = "01"
		resp.TransactionStatus = t.result.Get("vnp_TransactionStatus")
		resp.OrderInfo = t.result.Get("vnp_OrderInfo")
		if q.Command == "refund" {
			t.refunded = true
			resp.TransactionType, resp.TransactionStatus = q.TransactionType, "05" // refund in progress
		}
	}
	s.mu.Unlock()
	resp.SecureHash = HMAC(s.Secret, resp.signed())
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// SettlementHeader is the header row of a settlement file.
var SettlementHeader = []string{"txn_ref", "transaction_no", "amount", "pay_date", "status"}

// settlement writes the successful transactions of one GMT+7 day
// (?date=YYYY-MM-DD) as CSV: reference, gateway number, amount in VND,
// pay time, status.
func (s *Sandbox) settlement(w http.ResponseWriter, r *http.Request) {
	day, err := time.ParseInLocation(time.DateOnly, r.URL.Query().Get("date"), Zone)
	if err != nil {
		http.Error(w, "date=YYYY-MM-DD", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	cw := csv.NewWriter(w)
	cw.Write(SettlementHeader)
	s.mu.Lock()
	for ref, t := range s.txns {
		if t.result == nil || t.result.Get("vnp_TransactionStatus") != Success {
			continue
		}
		if d := t.paidAt.In(Zone); t.refunded || d.Before(day) || !d.Before(day.AddDate(0, 0, 1)) {
			continue
		}
		amount, _ := strconv.ParseInt(t.result.Get("vnp_Amount"), 10, 64)
		cw.Write([]string{ref, t.result.Get("vnp_TransactionNo"), strconv.FormatInt(amount/100, 10), t.result.Get("vnp_PayDate"), "00"})
	}
	s.mu.Unlock()
	cw.Flush()
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
