package pii

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CCCD 079203001234 của tôi", "CCCD ********1234 của tôi"},
		{"gọi 0903 123 456 nhé", "gọi **** **3 456 nhé"},
		{"+84903123456", "+*******3456"},
		{"CMND cũ 123456789", "CMND cũ *****6789"},
		{"phí 50000 đồng", "phí 50000 đồng"},
		// The security review's variants.
		{"CCCD:079203001234", "CCCD:********1234"},
		{"CCCD079203001234", "CCCD********1234"},
		{"số 079 203 001 234", "số *** *** **1 234"},
		{"số 079.203.001.234.", "số ***.***.**1.234."},
		{"số 079-203-001-234", "số ***-***-**1-234"},
		{"số ０７９２０３００１２３４", "số ********１２３４"},
		{"SĐT +84 903 123 456", "SĐT +** *** **3 456"},
		{"SĐT (+84) 903-123-456", "SĐT (+**) ***-**3-456"},
		{"SĐT 0084 903 123 456", "SĐT **** *** **3 456"},
		{"máy bàn 028 3829 1234", "máy bàn *** **** 1234"},
		{"CMND 123.456.789", "CMND ***.**6.789"},
		{"hộ chiếu C1234567, hạn 2030", "hộ chiếu C***4567, hạn 2030"},
		{"passport: b7654321", "passport: b***4321"},
		{"CCCD 079203001234 và 0903123456", "CCCD ********1234 và ******3456"},
		{"079203001234 0903123456", "********1234 ******3456"},
		// Not personal numbers.
		{"lệ phí 100.000.000 đồng", "lệ phí 100.000.000 đồng"},
		{"tổng 1.500.000đ", "tổng 1.500.000đ"},
		{"ngày 12/03/1980, 10:30", "ngày 12/03/1980, 10:30"},
		{"biên lai BL20261124-000123", "biên lai BL20261124-000123"},
		{"mã DEMO0001", "mã DEMO0001"},
		{"ABC1234567", "ABC1234567"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if !Contains("số 079203001234") || Contains("phí 50.000 đồng") {
		t.Error("Contains wrong")
	}
}

// variant writes a personal number of the given kind as a person might,
// chosen by the bits of form: separators, full-width digits, a prefix.
func variant(kind uint8, seed, form uint64) (text, number string) {
	digits := func(n int, first string) string {
		s := first
		for x := seed; len(s) < n; x = x*6364136223846793005 + 1442695040888963407 {
			s += string(rune('0' + (x>>33)%10))
		}
		return s
	}
	prefixes := []string{"", "CCCD:", "CCCD ", "số ", "SĐT: ", "CMND", "Số định danh cá nhân: ", "gọi "}
	prefix := prefixes[form%uint64(len(prefixes))]
	form /= uint64(len(prefixes))
	switch kind % 6 {
	case 0:
		number = digits(12, "0")
	case 1:
		number = digits(9, "")
	case 2:
		number = digits(10, "09")
	case 3:
		number = "+84" + digits(9, "9")
	case 4:
		number = "028" + digits(8, "3")
	default:
		return prefix + "hộ chiếu " + string(rune('A'+seed%26)) + digits(7, "") + " nhé", ""
	}
	seps := []string{"", " ", ".", "-", " - ", "\u00a0", "．"}
	var b strings.Builder
	for i, r := range number {
		if i > 0 && unicode.IsDigit(r) && form&1 == 1 {
			b.WriteString(seps[(form>>1)%uint64(len(seps))])
		}
		form >>= 1
		if form&1 == 1 && unicode.IsDigit(r) {
			r += '０' - '0' // full-width
		}
		b.WriteRune(r)
	}
	return prefix + b.String() + " nhé", number
}

// FuzzMask writes IDs, old IDs, phones and passports in generated forms and
// checks that no more than their last four digits survive the mask.
func FuzzMask(f *testing.F) {
	for kind := range uint8(6) {
		f.Add(kind, uint64(42), uint64(0))
		f.Add(kind, uint64(7), uint64(0b1011_0110_1))
		f.Add(kind, uint64(123456789), uint64(1<<40-1))
	}
	f.Fuzz(func(t *testing.T, kind uint8, seed, form uint64) {
		text, _ := variant(kind, seed, form)
		masked := Mask(text)
		left := 0
		for _, r := range masked {
			if unicode.IsDigit(r) {
				left++
			}
		}
		if left > 4 {
			t.Fatalf("Mask(%q) = %q: %d digits left", text, masked, left)
		}
		if !Contains(text) || Contains(masked) {
			t.Fatalf("Contains(%q) = %v, Contains(%q) = %v", text, Contains(text), masked, Contains(masked))
		}
		if len([]rune(masked)) != len([]rune(text)) {
			t.Fatalf("Mask changed the text's length: %q → %q", text, masked)
		}
	})
}

// FuzzMaskAnyText: whatever the text, masking keeps it valid and as long,
// and changes nothing but digits into '*'.
func FuzzMaskAnyText(f *testing.F) {
	for _, s := range []string{"", "CCCD:079203001234", "+84 (0) 903.123.456", "１２３４５６７８９", "C1234567", "\xff\xfe0903123456", "100.000.000 đồng"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		masked := Mask(s)
		if len([]rune(masked)) != len([]rune(s)) || (utf8.ValidString(s) && !utf8.ValidString(masked)) {
			t.Fatalf("Mask(%q) = %q", s, masked)
		}
		in, out := []rune(s), []rune(masked)
		for i := range in {
			if in[i] != out[i] && (out[i] != '*' || !unicode.IsDigit(in[i])) {
				t.Fatalf("Mask(%q) = %q: changed %q at %d", s, masked, in[i], i)
			}
		}
	})
}
