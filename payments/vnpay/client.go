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
func (c *Client) Query(ctx context.Context, txnRef string, createdAt time.Time) (*QueryResponse, error) {
	id := make([]byte, 16)
	rand.Read(id)
	q := QueryRequest{
		RequestID:       hex.EncodeToString(id),
		Version:         Version,
		Command:         "querydr",
		TmnCode:         c.TmnCode,
		TxnRef:          txnRef,
		OrderInfo:       "Truy van giao dich " + txnRef,
		TransactionDate: FormatDate(createdAt),
		CreateDate:      FormatDate(time.Now()),
		IPAddr:          "127.0.0.1",
	}
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
		return nil, fmt.Errorf("vnpay querydr: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("vnpay querydr: HTTP %s", resp.Status)
	}
	var r QueryResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("vnpay querydr: %w", err)
	}
	if !hmacEqual(c.Secret, r.signed(), r.SecureHash) {
		return nil, fmt.Errorf("vnpay querydr: answer for %s has an invalid signature", txnRef)
	}
	if r.TmnCode != "" && r.TmnCode != c.TmnCode {
		return nil, fmt.Errorf("vnpay querydr: answer for terminal %q, not ours", r.TmnCode)
	}
	return &r, nil
}
