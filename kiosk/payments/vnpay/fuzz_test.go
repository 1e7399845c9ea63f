package vnpay

import (
	"net/url"
	"testing"
)

// FuzzSignature reads any query string as the gateway's parameters:
// unsigned, they never verify; signed, they verify after going through a
// URL and back; and any signed value changed makes them fail again.
func FuzzSignature(f *testing.F) {
	f.Add("vnp_Amount=3875000000&vnp_TxnRef=CS0123456789ABCD&vnp_ResponseCode=00&vnp_TransactionStatus=00", "vnp_Amount")
	f.Add("vnp_OrderInfo=Thanh+toan+ti%E1%BB%81n+%C4%91i%E1%BB%87n&vnp_TmnCode=CSDEMO01", "vnp_OrderInfo")
	f.Add("vnp_Amount=1&vnp_Amount=999999&vnp_SecureHash=00", "vnp_Amount")
	f.Add("vnp_SecureHash=ABCDEF&vnp_SecureHashType=HmacSHA512&x=%00%ff", "x")
	f.Add("vnp_TxnRef=a%26b%3Dc&vnp_BankCode=+NCB+", "vnp_TxnRef")
	const secret = "FUZZ-SECRET-0123456789"
	f.Fuzz(func(t *testing.T, query, field string) {
		params, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		if Verify(secret, params) {
			t.Fatalf("unsigned parameters verify: %q", query)
		}
		Sign(secret, params)
		back, err := url.ParseQuery(params.Encode())
		if err != nil || !Verify(secret, back) {
			t.Fatalf("signed parameters do not verify after a round trip: %q (%v)", params.Encode(), err)
		}
		if v := back.Get(field); len(field) > 4 && field[:4] == "vnp_" && field != "vnp_SecureHash" && field != "vnp_SecureHashType" && v != "" {
			back.Set(field, v+"1")
			if Verify(secret, back) {
				t.Fatalf("changing %s still verifies: %q", field, back.Encode())
			}
		}
	})
}
