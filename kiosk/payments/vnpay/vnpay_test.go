package vnpay

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const secret = "TESTSECRET0123456789"

func TestCanonicalEncodesLikeTheOfficialExample(t *testing.T) {
	p := url.Values{
		"vnp_OrderInfo":      {"Thanh toan don hang :5"},
		"vnp_ReturnUrl":      {"https://domainmerchant.vn/ReturnUrl"},
		"vnp_Amount":         {"1806000"},
		"vnp_SecureHash":     {"ignored"},
		"vnp_SecureHashType": {"ignored"},
		"other":              {"not a vnp field"},
	}
	want := "vnp_Amount=1806000&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
	if got := Canonical(p); got != want {
		t.Errorf("Canonical\n got %s\nwant %s", got, want)
	}
}

func TestSignatures(t *testing.T) {
	signed := func() url.Values {
		p := url.Values{"vnp_TxnRef": {"CS0123456789ABCD"}, "vnp_Amount": {"5000000"}, "vnp_ResponseCode": {"00"},
			"vnp_TransactionStatus": {"00"}, "vnp_TmnCode": {"CSDEMO01"}, "vnp_OrderInfo": {"Thanh toan hoa don"}}
		Sign(secret, p)
		return p
	}
	for _, tt := range []struct {
		name   string
		change func(url.Values)
		secret string
		valid  bool
	}{
		{"valid", func(url.Values) {}, secret, true},
		{"upper-case hex is the same signature", func(p url.Values) { p.Set("vnp_SecureHash", strings.ToUpper(p.Get("vnp_SecureHash"))) }, secret, true},
		{"tampered amount", func(p url.Values) { p.Set("vnp_Amount", "500000") }, secret, false},
		{"tampered response code", func(p url.Values) { p.Set("vnp_ResponseCode", "24") }, secret, false},
		{"added field", func(p url.Values) { p.Set("vnp_BankCode", "NCB") }, secret, false},
		{"wrong secret", func(url.Values) {}, "ANOTHERSECRET", false},
		{"no signature", func(p url.Values) { p.Del("vnp_SecureHash") }, secret, false},
		{"garbage signature", func(p url.Values) { p.Set("vnp_SecureHash", "zz") }, secret, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := signed()
			tt.change(p)
			if got := Verify(tt.secret, p); got != tt.valid {
				t.Errorf("Verify = %v, want %v", got, tt.valid)
			}
		})
	}
}

func TestPayURL(t *testing.T) {
	c := &Client{TmnCode: "CSDEMO01", Secret: secret, GatewayURL: "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
		ReturnURL: "https://station.example/api/v1/payments/vnpay/return"}
	created := time.Date(2026, 11, 24, 2, 30, 0, 0, time.UTC) // 09:30 in Vietnam
	raw, err := c.PayURL(Order{TxnRef: "CS0123456789ABCD", Amount: 180000, OrderInfo: "Thanh toán tiền điện #10/2026",
		IPAddr: "10.0.0.7", CreatedAt: created, ExpiresAt: created.Add(15 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	for k, want := range map[string]string{
		"vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "CSDEMO01", "vnp_Amount": "18000000",
		"vnp_CurrCode": "VND", "vnp_CreateDate": "20261124093000", "vnp_ExpireDate": "20261124094500",
		"vnp_OrderInfo": "Thanh toan tien dien 10 2026", "vnp_TxnRef": "CS0123456789ABCD", "vnp_Locale": "vn",
		"vnp_IpAddr": "10.0.0.7", "vnp_OrderType": "other",
	} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if q.Has("vnp_SecureHashType") || !Verify(secret, q) {
		t.Error("pay URL is not signed as 2.1.0 wants")
	}
	if !strings.HasPrefix(raw, "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?vnp_Amount=18000000&") {
		t.Errorf("pay URL %s", raw)
	}
}

func TestOrderInfoRemovesDiacriticsAndSymbols(t *testing.T) {
	if got := OrderInfo("Lệ phí cấp đổi CCCD: hồ sơ #12 (Đợt 1) ~ *"); got != "Le phi cap doi CCCD: ho so 12 Dot 1" {
		t.Errorf("OrderInfo = %q", got)
	}
}

func TestQuerySignedBothWays(t *testing.T) {
	sb := &Sandbox{TmnCode: "CSDEMO01", Secret: secret}
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	c := &Client{TmnCode: "CSDEMO01", Secret: secret, APIURL: srv.URL + "/merchant_webapi/api/transaction"}
	r, err := c.Query(context.Background(), "CSUNKNOWN0000000", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r.ResponseCode != QueryNotFound {
		t.Errorf("unknown transaction: %+v", r)
	}
	// A client with the wrong secret is refused by the gateway, and refuses
	// the gateway's answer.
	c.Secret = "WRONG"
	if _, err := c.Query(context.Background(), "CSUNKNOWN0000000", time.Now()); err == nil {
		t.Error("answer signed with another secret accepted")
	}
}
