package assistant

import (
	"testing"

	"github.com/citizenstation/citizenstation/procedures"
)

func TestCodeOnScan(t *testing.T) {
	customer := procedures.Field{Name: "customer_code", Type: procedures.FieldText, MaxLength: 30, Pattern: "[A-Za-z0-9-]{4,30}"}
	labels := scanCodes[SlugBillPayment].labels
	qr := func(v string) map[string]ScanField {
		return map[string]ScanField{ScanQRPayload: {Value: v, Confidence: 1, Source: "qr"}}
	}
	tests := []struct {
		name     string
		scan     Scan
		want     string
		wantProv Provenance
	}{
		{"the QR code's text", Scan{Fields: qr(" demo0003 ")}, "DEMO0003", procedures.FromQR},
		{"the word after the label", Scan{Text: "HÓA ĐƠN TIỀN ĐIỆN\nMã khách hàng: PE01000123\nKỳ: 10/2026"}, "PE01000123", procedures.FromOCR},
		{"the label typed without marks, code on the next line", Scan{Text: "Ma KH\nDEMO0002"}, "DEMO0002", procedures.FromOCR},
		{"a QR code that is no code, the label's word is", Scan{Fields: qr("https://evn.vn/tra-cuu?x=1"), Text: "Mã khách hàng: DEMO0004"}, "DEMO0004", procedures.FromOCR},
		{"no label", Scan{Text: "Tổng tiền: 350.000 đồng"}, "", ""},
		{"a label with no code after it", Scan{Text: "Mã khách hàng: ???"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, prov, _ := codeOnScan(customer, labels, &tt.scan)
			if got != tt.want || prov != tt.wantProv {
				t.Fatalf("got %q (%s), want %q (%s)", got, prov, tt.want, tt.wantProv)
			}
		})
	}
}
