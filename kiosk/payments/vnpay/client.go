package vnpay

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Client is the merchant's side: it builds pay URLs and queries
// transactions.
type Client struct {
	TmnCode    string
	Secret     string
	GatewayURL string // e.g. https://sandbox.vnpayment.vn/paymentv2/vpcpay.html
	APIURL     string // e.g. https://sandbox.vnpayment.vn/merchant_webapi/api/transaction
	ReturnURL  string // where the resident's browser comes back
	HTTP       *http.Client
}

// Order is what a pay URL asks the gateway to collect.
type Order struct {
	TxnRef    string
	Amount    int64 // VND
	OrderInfo string
	OrderType string // VNPay category code; "other" when empty
	IPAddr    string
	CreatedAt time.Time
	ExpiresAt time.Time
	Locale    string // vn or en; vn when empty
}

// PayURL returns the signed URL the resident's browser opens.
func (c *Client) PayURL(o Order) (string, error) {
	u, err := url.Parse(c.GatewayURL)
	if err != nil {
		return "", fmt.Errorf("vnpay: pay URL: %w", err)
	}
	if o.OrderType == "" {
		o.OrderType = "other"
	}
	if o.Locale == "" {
		o.Locale = "vn"
	}
	if o.IPAddr == "" {
		o.IPAddr = "127.0.0.1"
	}
	p := url.Values{
		"vnp_Version":    {Version},
		"vnp_Command":    {"pay"},
		"vnp_TmnCode":    {c.TmnCode},
		"vnp_Amount":     {strconv.FormatInt(o.Amount*100, 10)},
		"vnp_CreateDate": {FormatDate(o.CreatedAt)},
		"vnp_ExpireDate": {FormatDate(o.ExpiresAt)},
		"vnp_CurrCode":   {"VND"},
		"vnp_IpAddr":     {o.IPAddr},
		"vnp_Locale":     {o.Locale},
		"vnp_OrderInfo":  {OrderInfo(o.OrderInfo)},
		"vnp_OrderType":  {o.OrderType},
		"vnp_ReturnUrl":  {c.ReturnURL},
		"vnp_TxnRef":     {o.TxnRef},
	}
	Sign(c.Secret, p)
	u.RawQuery = Canonical(p) + "&vnp_SecureHash=" + p.Get("vnp_SecureHash")
	return u.String(), nil
}

// Query asks the gateway about a transaction (querydr). createdAt is the
// original order's vnp_CreateDate. The answer's signature is checked.
func (c *Client) Query(ctx context.Context, txnRef string, createdAt time.Time) (*APIResponse, error) {
	return c.call(ctx, &APIRequest{Command: "querydr", TxnRef: txnRef, OrderInfo: "Truy van giao dich " + txnRef,
		TransactionDate: FormatDate(createdAt)})
}

// Refund asks the gateway to refund a whole transaction. A 00 answer means
// the refund was accepted; the money moves later.
func (c *Client) Refund(ctx context.Context, txnRef string, amount int64, transactionNo string, createdAt time.Time, by string) (*APIResponse, error) {
	return c.call(ctx, &APIRequest{Command: "refund", TransactionType: "02", TxnRef: txnRef,
		Amount: strconv.FormatInt(amount*100, 10), TransactionNo: transactionNo, TransactionDate: FormatDate(createdAt),
		CreateBy: by, OrderInfo: "Hoan tien giao dich " + txnRef})
}

// call signs and sends a transaction API request and checks the answer.
func (c *Client) call(ctx context.Context, q *APIRequest) (*APIResponse, error) {
	id := make([]byte, 16)
	rand.Read(id)
	q.RequestID = hex.EncodeToString(id)
	q.Version = Version
	q.TmnCode = c.TmnCode
	q.CreateDate = FormatDate(time.Now())
	q.IPAddr = "127.0.0.1"
	q.SecureHash = HMAC(c.Secret, q.signed())
	body, _ := json.Marshal(q)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.APIURL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("vnpay %s: %w", q.Command, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("vnpay %s: HTTP %s", q.Command, resp.Status)
	}
	var r APIResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("vnpay %s: %w", q.Command, err)
	}
	if !hmacEqual(c.Secret, r.signed(), r.SecureHash) {
		return nil, fmt.Errorf("vnpay %s: answer for %s has an invalid signature", q.Command, q.TxnRef)
	}
	if r.TmnCode != "" && r.TmnCode != c.TmnCode {
		return nil, fmt.Errorf("vnpay %s: answer for terminal %q, not ours", q.Command, r.TmnCode)
	}
	return &r, nil
}
