package assistant

import (
	"errors"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/procedures"
)

func TestParseDate(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in, want string
	}{
		{"12/3/1950", "1950-03-12"},
		{"12/03/1950", "1950-03-12"},
		{"12-03-50", "1950-03-12"},
		{"12.3.1950", "1950-03-12"},
		{"12 3 1950", "1950-03-12"},
		{"ngày 12 tháng 3 năm 1950", "1950-03-12"},
		{"ngay 12 thang 3 nam 1950", "1950-03-12"},
		{"Ngày 5 tháng 11 năm 2001.", "2001-11-05"},
		{"12 thang 3 1950", "1950-03-12"},
		{"1950-03-12", "1950-03-12"},
		{"12031950", "1950-03-12"},
		{"1/1/05", "2005-01-01"},
		{"  29/2/2024 ", "2024-02-29"},
		// Relative dates are days of Vietnam's time, counted from today.
		{"mùng 5 tháng 3 năm 1952", "1952-03-05"},
		{"hôm qua", "2026-11-23"},
		{"dạ hôm kia", "2026-11-22"},
		{"tuần trước", "2026-11-17"},
		{"3 ngay truoc", "2026-11-21"},
		{"thang truoc", "2026-10-24"},
		{"hôm nay", "2026-11-24"},
	}
	for _, tt := range tests {
		got, err := parseDate(tt.in, now, true)
		if err != nil || got != tt.want {
			t.Errorf("parseDate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"31/2/1950", "ngày mai", "1950", "12/13/1950", "12/3", "1/1/2030", "29/2/2023", "12/3/195"} {
		if got, err := parseDate(bad, now, true); err == nil {
			t.Errorf("parseDate(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseValue(t *testing.T) {
	sex := procedures.Field{Name: "sex", Label: "Giới tính", Type: procedures.FieldSelect, Required: true,
		Options: []procedures.Option{{Value: "nam", Label: "Nam"}, {Value: "nu", Label: "Nữ"}}}
	relation := procedures.Field{Name: "relation", Label: "Quan hệ", Type: procedures.FieldSelect,
		Options: []procedures.Option{{Value: "chu_ho", Label: "Là chủ hộ"}, {Value: "vo_chong", Label: "Vợ hoặc chồng"}, {Value: "con", Label: "Con"}}}
	field := func(name string, typ procedures.FieldType) procedures.Field {
		return procedures.Field{Name: name, Type: typ, Required: true}
	}
	idNumber, phone, amount := field("id_number", procedures.FieldIDNumber), field("phone", procedures.FieldPhone), field("value", procedures.FieldNumber)
	yesNo, address := field("b", procedures.FieldBoolean), field("address", procedures.FieldAddress)
	tests := []struct {
		name  string
		field procedures.Field
		in    string
		want  string // "" means an error is expected
	}{
		{"id with spaces", idNumber, "0790 5000 1234", "079050001234"},
		{"id in a sentence", idNumber, "số của tôi là 079050001234 nhé", "079050001234"},
		{"id too short", idNumber, "07905000123", ""},
		{"phone dots", phone, "0903.123.456", "0903123456"},
		{"phone +84", phone, "+84 903 123 456", "0903123456"},
		{"phone 9 digits", phone, "090312345", ""},
		{"date words", field("dob", procedures.FieldDate), "ngay 2 thang 9 nam 1945", "1945-09-02"},
		{"select by number", sex, "2", "nu"},
		{"select by label no marks", sex, "nu", "nu"},
		{"select by label", sex, "Nữ", "nu"},
		{"select so 1", sex, "số 1", "nam"},
		{"select partial", relation, "vo", "vo_chong"},
		{"select thu ba", relation, "thu ba", "con"},
		{"amount in words", amount, "35 triệu", "35000000"},
		{"amount with dots", amount, "35.000.000 đồng", "35000000"},
		{"count", field("quantity", procedures.FieldNumber), "2 cái", "2"},
		{"select words", relation, "vo chong", "vo_chong"},
		{"date of a stay may be ahead", field("stay_until", procedures.FieldDate), "1/6/2099", "2099-06-01"},
		{"birth date may not", field("date_of_birth", procedures.FieldDate), "1/6/2099", ""},
		{"select unknown", sex, "khác", ""},
		{"yes", yesNo, "Dạ có", "true"},
		{"no no marks", yesNo, "khong", "false"},
		{"yes unclear", yesNo, "để tôi nghĩ", ""},
		{"name title case", field("full_name", procedures.FieldText), "  nguyễn   văn an ", "Nguyễn Văn An"},
		{"name as said", field("full_name", procedures.FieldText), "Dạ, tên tôi là Trần Thị Bé ạ", "Trần Thị Bé"},
		{"name as said, no marks", field("requester_name", procedures.FieldText), "da ten toi la tran thi be", "Tran Thi Be"},
		{"a surname like a word", field("full_name", procedures.FieldText), "La Văn Cầu", "La Văn Cầu"},
		{"yes is no name", field("full_name", procedures.FieldText), "có", ""},
		{"yes politely is no name", field("mother_full_name", procedures.FieldText), "dạ vâng", ""},
		{"a name has no digits", field("full_name", procedures.FieldText), "Nguyễn Văn 123", ""},
		{"a name has two words at least", field("full_name", procedures.FieldText), "An", ""},
		{"a business keeps its words", field("business_name", procedures.FieldText), "cửa hàng an khang", "Cửa Hàng An Khang"},
		{"address", address, "12 Lê Lợi, phường Bến Thành", "12 Lê Lợi, phường Bến Thành"},
		{"address too short", address, "Lê Lợi", ""},
		{"address as said", address, "dạ, nhà tôi ở 25 Hai Bà Trưng, phường Tân Định ạ", "25 Hai Bà Trưng, phường Tân Định"},
		{"a lot is no lead-in", address, "Ô 5, lô B, chung cư Bàu Cát", "Ô 5, lô B, chung cư Bàu Cát"},
		{"text as said", field("occupation", procedures.FieldText), "dạ hưu trí ạ", "hưu trí"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseValue(tt.field, tt.in)
			if tt.want == "" {
				var fe *procedures.FieldError
				if !errors.As(err, &fe) || fe.Message == "" {
					t.Fatalf("ParseValue(%q) = %q, %v; want a FieldError with a message", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseValue(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
