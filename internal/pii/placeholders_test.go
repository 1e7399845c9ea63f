package pii

import (
	"strings"
	"testing"
)

func TestPlaceholdersHideAndRestore(t *testing.T) {
	p := NewPlaceholders()
	p.Know(KindName, "Nguyễn Thị Lan")
	p.Know(KindBirthDate, "1950-03-12")
	tests := []struct {
		in, hidden string
		never      []string
	}{
		{"tôi là nguyen thi lan, sinh 12/03/1950", "tôi là [HO_TEN_A], sinh [NGAY_SINH_A]", []string{"lan", "1950"}},
		{"Mẹ tôi Nguyễn Thị Lan gọi 0903 123 456", "Mẹ tôi [HO_TEN_A] gọi [SO_DIEN_THOAI_A]", []string{"Lan", "456"}},
		{"số căn cước 079203001234 của ông Trần Văn Bình", "số căn cước [SO_DINH_DANH_A] của ông [HO_TEN_B]", []string{"1234", "Bình"}},
		{"ngày 5-11-1948 tôi sinh", "ngày [NGAY_A] tôi sinh", []string{"1948"}},
		{"NGUYỄN VĂN AN xin cấp lại", "[HO_TEN_C] xin cấp lại", []string{"AN"}},
		{"Bác Cần làm tạm trú", "Bác Cần làm tạm trú", nil},
		{"số cũ ******3456 và ********1234", "số cũ [SO_DIEN_THOAI_B] và [SO_DINH_DANH_B]", []string{"3456", "1234"}},
		{"làm căn cước mất bao nhiêu tiền", "làm căn cước mất bao nhiêu tiền", nil},
	}
	for _, tc := range tests {
		got := p.Hide(tc.in)
		if got != tc.hidden {
			t.Errorf("Hide(%q) = %q, want %q", tc.in, got, tc.hidden)
		}
		for _, w := range tc.never {
			if strings.Contains(got, w) {
				t.Errorf("Hide(%q) leaves %q", tc.in, w)
			}
		}
	}
	reply := "Dạ, hồ sơ của [HO_TEN_A] (sinh NGAY_SINH_A) sẽ báo qua số [SO_DIEN_THOAI_A]; [HO_TEN_Z] không có."
	want := "Dạ, hồ sơ của Nguyễn Thị Lan (sinh 12/03/1950) sẽ báo qua số 0903 123 456; [HO_TEN_Z] không có."
	if got := p.Restore(reply); got != want {
		t.Errorf("Restore = %q, want %q", got, want)
	}
}

func TestPlaceholderLetters(t *testing.T) {
	for n, want := range map[int]string{1: "A", 26: "Z", 27: "AA", 28: "AB", 53: "BA"} {
		if got := letters(n); got != want {
			t.Errorf("letters(%d) = %q, want %q", n, got, want)
		}
	}
}
