package ocr

import (
	"reflect"
	"testing"
)

// The kiosk shows a card's fields in the card's order, named in words,
// with dates as the card prints them; empty fields are left out.
func TestShownFields(t *testing.T) {
	r := &Result{Fields: map[string]Field{
		"date_of_birth":   {Value: "1953-02-12", Source: "qr", Confidence: 1},
		"full_name":       {Value: "LÊ MỸ ANH", Source: "text", Confidence: 0.6},
		"sex":             {Value: "Nữ", Source: "text", Confidence: 0.9},
		"place_of_origin": {Value: "", Source: "text"},
		"customer_code":   {Value: "PE0123", Source: "text", Confidence: 0.9},
	}}
	want := []Shown{
		{Name: "full_name", Label: "Họ và tên", Value: "LÊ MỸ ANH", Source: "text", Confidence: 0.6},
		{Name: "date_of_birth", Label: "Ngày sinh", Value: "12/02/1953", Source: "qr", Confidence: 1},
		{Name: "sex", Label: "Giới tính", Value: "Nữ", Source: "text", Confidence: 0.9},
		{Name: "customer_code", Label: "Mã khách hàng", Value: "PE0123", Source: "text", Confidence: 0.9},
	}
	if got := r.ShownFields(); !reflect.DeepEqual(got, want) {
		t.Fatalf("shown:\n got %+v\nwant %+v", got, want)
	}
}
