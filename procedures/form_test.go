package procedures

import (
	"errors"
	"testing"
)

func TestFieldNormalize(t *testing.T) {
	sel := Field{Name: "sex", Label: "Giới tính", Type: FieldSelect, Required: true,
		Options: []Option{{Value: "male", Label: "Nam"}, {Value: "female", Label: "Nữ"}}}
	tests := []struct {
		field   Field
		in      string
		want    string
		wantErr bool
	}{
		{Field{Name: "id", Label: "Số định danh", Type: FieldIDNumber}, "079 203 001 234", "079203001234", false},
		{Field{Name: "id", Label: "Số định danh", Type: FieldIDNumber}, "07920300123", "", true},
		{Field{Name: "dob", Label: "Ngày sinh", Type: FieldDate}, "1950-03-12", "1950-03-12", false},
		{Field{Name: "dob", Label: "Ngày sinh", Type: FieldDate}, "1950-02-30", "", true},
		{Field{Name: "phone", Label: "Điện thoại", Type: FieldPhone}, "0903.123.456", "0903123456", false},
		{Field{Name: "phone", Label: "Điện thoại", Type: FieldPhone}, "12345", "", true},
		{Field{Name: "name", Label: "Họ tên", Type: FieldText, Required: true}, "  ", "", true},
		{Field{Name: "note", Label: "Ghi chú", Type: FieldText}, "", "", false},
		{Field{Name: "name", Label: "Họ tên", Type: FieldText, MaxLength: 5}, "Nguyễn Văn A", "", true},
		{sel, "nu", "female", false},
		{sel, "male", "male", false},
		{sel, "khác", "", true},
		{Field{Name: "ok", Label: "Đồng ý", Type: FieldBoolean}, "Có", "true", false},
		{Field{Name: "code", Label: "Mã", Type: FieldText, Pattern: `[A-Z]{2}\d+`}, "AB12", "AB12", false},
		{Field{Name: "customer_code", Label: "Mã khách hàng", Type: FieldText, Upper: true, Pattern: `[A-Z0-9]{4,}`}, "demo0001", "DEMO0001", false},
		{Field{Name: "code", Label: "Mã", Type: FieldText, Pattern: `[A-Z]{2}\d+`}, "AB12x", "", true},
	}
	for _, tt := range tests {
		got, err := tt.field.Normalize(tt.in)
		var fe *FieldError
		if tt.wantErr {
			if !errors.As(err, &fe) || fe.Message == "" {
				t.Errorf("%s(%q): want a FieldError, got %q, %v", tt.field.Name, tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s(%q) = %q, %v; want %q", tt.field.Name, tt.in, got, err, tt.want)
		}
	}
}
