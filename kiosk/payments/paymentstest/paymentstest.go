// Package paymentstest runs the VNPay sandbox gateway for other packages'
// tests, wired to the service under test as in production, and plays the
// resident at its pay page.
package paymentstest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// StartGateway runs the sandbox of terminal tmnCode and secret on a
// loopback HTTP server until the end of tb, sending its IPNs to the
// service at apiURL, and returns it, its server and the payments settings
// that pay through it.
func StartGateway(tb testing.TB, apiURL, tmnCode, secret string) (*vnpay.Sandbox, *httptest.Server, payments.Config) {
	tb.Helper()
	sandbox := &vnpay.Sandbox{TmnCode: tmnCode, Secret: secret, IPNURL: apiURL + "/api/v1/payments/vnpay/ipn"}
	gateway := httptest.NewServer(sandbox.Handler())
	tb.Cleanup(gateway.Close)
	cfg := payments.DefaultConfig()
	cfg.VNPayTmnCode, cfg.VNPaySecret = tmnCode, secret
	cfg.VNPayURL = gateway.URL + "/paymentv2/vpcpay.html"
	cfg.VNPayAPIURL = gateway.URL + "/merchant_webapi/api/transaction"
	cfg.ReturnURL = apiURL + "/api/v1/payments/vnpay/return"
	cfg.VietQRBIN, cfg.VietQRAccount = "970403", "0011012345678"
	if err := cfg.Validate(); err != nil {
		tb.Fatalf("paymentstest: %v", err)
	}
	return sandbox, gateway, cfg
}

// Confirm presses a button of the order's pay page at the gateway (pay,
// cancel, insufficient) and returns where the gateway sends the resident.
func Confirm(tb testing.TB, gatewayURL, orderID, choice string) string {
	tb.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(gatewayURL+"/paymentv2/confirm", url.Values{"txn_ref": {orderID}, "result": {choice}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		tb.Fatalf("gateway confirm: %s", resp.Status)
	}
	return resp.Header.Get("Location")
}
