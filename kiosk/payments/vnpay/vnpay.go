// Package vnpay speaks the VNPay payment gateway protocol, version 2.1.0:
// the signed payment URL the resident is sent to, the signed parameters of
// the return redirect and the IPN call, and the transaction query
// (querydr). The same code signs for the merchant (Client) and for the
// local sandbox gateway (Sandbox), so both sides of the wire are the real
// protocol.
package vnpay

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Version is the protocol version spoken.
const Version = "2.1.0"

// Zone is the gateway's clock: every vnp_*Date is GMT+7, the city's zone.
var Zone = vietnamese.Zone

// DateLayout is yyyyMMddHHmmss.
const DateLayout = "20060102150405"

// FormatDate writes t as a vnp_*Date.
func FormatDate(t time.Time) string { return t.In(Zone).Format(DateLayout) }

// ParseDate reads a vnp_*Date.
func ParseDate(s string) (time.Time, error) { return time.ParseInLocation(DateLayout, s, Zone) }

// Canonical is the string signed for the pay URL, return and IPN: every
// vnp_* field except the hash itself, sorted by key, each key and value
// URL-encoded with spaces as '+', joined by '&'.
func Canonical(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if strings.HasPrefix(k, "vnp_") && k != "vnp_SecureHash" && k != "vnp_SecureHashType" && params.Get(k) != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(params.Get(k)))
	}
	return b.String()
}

// HMAC is the lower-case hex HMAC-SHA512 of data under secret.
func HMAC(secret, data string) string {
	m := hmac.New(sha512.New, []byte(secret))
	m.Write([]byte(data))
	return hex.EncodeToString(m.Sum(nil))
}

// Sign sets vnp_SecureHash on params.
func Sign(secret string, params url.Values) {
	params.Del("vnp_SecureHashType")
	params.Set("vnp_SecureHash", HMAC(secret, Canonical(params)))
}

// Verify reports whether params carry a valid vnp_SecureHash, comparing in
// constant time.
func Verify(secret string, params url.Values) bool {
	got, err := hex.DecodeString(strings.ToLower(params.Get("vnp_SecureHash")))
	if err != nil || len(got) != sha512.Size {
		return false
	}
	want, _ := hex.DecodeString(HMAC(secret, Canonical(params)))
	return hmac.Equal(got, want)
}

// Response codes of vnp_ResponseCode and vnp_TransactionStatus that mean
// success.
const Success = "00"

// IPN reply codes (RspCode).
const (
	RspConfirmed        = "00"
	RspOrderNotFound    = "01"
	RspAlreadyConfirmed = "02"
	RspInvalidAmount    = "04"
	RspInvalidSignature = "97"
	RspUnknown          = "99"
)

// IPNReply is the JSON body the merchant answers an IPN with.
type IPNReply struct {
	RspCode string `json:"RspCode"`
	Message string `json:"Message"`
}

// APIRequest is the JSON body of a call to the transaction API: querydr
// (a transaction's state) or refund.
type APIRequest struct {
	RequestID       string `json:"vnp_RequestId"`
	Version         string `json:"vnp_Version"`
	Command         string `json:"vnp_Command"` // querydr or refund
	TmnCode         string `json:"vnp_TmnCode"`
	TransactionType string `json:"vnp_TransactionType,omitempty"` // refund: 02 full, 03 partial
	TxnRef          string `json:"vnp_TxnRef"`
	Amount          string `json:"vnp_Amount,omitempty"` // refund: VND × 100
	OrderInfo       string `json:"vnp_OrderInfo"`
	TransactionNo   string `json:"vnp_TransactionNo,omitempty"`
	TransactionDate string `json:"vnp_TransactionDate"` // the order's vnp_CreateDate
	CreateBy        string `json:"vnp_CreateBy,omitempty"`
	CreateDate      string `json:"vnp_CreateDate"`
	IPAddr          string `json:"vnp_IpAddr"`
	SecureHash      string `json:"vnp_SecureHash"`
}

// signed is the |-joined string the checksum covers, in the command's order.
func (q *APIRequest) signed() string {
	if q.Command == "refund" {
		return strings.Join([]string{q.RequestID, q.Version, q.Command, q.TmnCode, q.TransactionType, q.TxnRef,
			q.Amount, q.TransactionNo, q.TransactionDate, q.CreateBy, q.CreateDate, q.IPAddr, q.OrderInfo}, "|")
	}
	return strings.Join([]string{q.RequestID, q.Version, q.Command, q.TmnCode, q.TxnRef,
		q.TransactionDate, q.CreateDate, q.IPAddr, q.OrderInfo}, "|")
}

// APIResponse is the gateway's answer to querydr or refund.
type APIResponse struct {
	ResponseID        string `json:"vnp_ResponseId"`
	Command           string `json:"vnp_Command"`
	ResponseCode      string `json:"vnp_ResponseCode"`
	Message           string `json:"vnp_Message"`
	TmnCode           string `json:"vnp_TmnCode"`
	TxnRef            string `json:"vnp_TxnRef"`
	Amount            string `json:"vnp_Amount"`
	BankCode          string `json:"vnp_BankCode"`
	PayDate           string `json:"vnp_PayDate"`
	TransactionNo     string `json:"vnp_TransactionNo"`
	TransactionType   string `json:"vnp_TransactionType"`
	TransactionStatus string `json:"vnp_TransactionStatus"`
	OrderInfo         string `json:"vnp_OrderInfo"`
	PromotionCode     string `json:"vnp_PromotionCode,omitempty"`
	PromotionAmount   string `json:"vnp_PromotionAmount,omitempty"`
	SecureHash        string `json:"vnp_SecureHash"`
}

// signed is the |-joined string the answer's checksum covers: querydr's
// includes the promotion fields (empty when absent), refund's does not.
func (r *APIResponse) signed() string {
	f := []string{r.ResponseID, r.Command, r.ResponseCode, r.Message, r.TmnCode, r.TxnRef,
		r.Amount, r.BankCode, r.PayDate, r.TransactionNo, r.TransactionType, r.TransactionStatus, r.OrderInfo}
	if r.Command != "refund" {
		f = append(f, r.PromotionCode, r.PromotionAmount)
	}
	return strings.Join(f, "|")
}

// QueryNotFound is querydr's vnp_ResponseCode for an unknown transaction.
const QueryNotFound = "91"

func hmacEqual(secret, data, hash string) bool {
	got, err := hex.DecodeString(strings.ToLower(hash))
	if err != nil {
		return false
	}
	want, _ := hex.DecodeString(HMAC(secret, data))
	return hmac.Equal(got, want)
}

// OrderInfo makes text safe for vnp_OrderInfo: no diacritics, and only
// letters, digits, spaces and ._:- (encoders disagree on other characters).
func OrderInfo(s string) string {
	var b strings.Builder
	for _, r := range vietnamese.StripMarks(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" ._:-", r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > 255 {
		out = out[:255]
	}
	return out
}
