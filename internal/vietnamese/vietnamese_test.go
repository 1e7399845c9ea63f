package vietnamese

import (
	"reflect"
	"sync"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Làm lại Căn cước", "lam lai can cuoc"},
		{"  Đăng ký   thường trú ", "dang ky thuong tru"},
		{"lam lai cccd", "lam lai cccd"},
		{"Giấy phép lái xe", "giay phep lai xe"},
		{"Hộ\u0323 khẩu", "ho khau"}, // stray combining dot
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNFC(t *testing.T) {
	decomposed := "Vie\u0302\u0323t Nam" // ệ as e + circumflex + dot below
	if got := NFC(decomposed); got != "Việt Nam" {
		t.Errorf("NFC = %q", got)
	}
}

func TestStripMarksAndWords(t *testing.T) {
	if got := StripMarks("Nguyễn Văn Đức"); got != "Nguyen Van Duc" {
		t.Errorf("StripMarks = %q", got)
	}
	if got := Words("Cấp lại CCCD, bị mất!"); !reflect.DeepEqual(got, []string{"cap", "lai", "cccd", "bi", "mat"}) {
		t.Errorf("Words = %q", got)
	}
}

// TestStripMarksIsSafeForConcurrentUse guards against a shared stateful
// transformer: go test -race reports the race, and interleaved calls would
// garble each other's output.
func TestStripMarksIsSafeForConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if got := StripMarks("Nguyễn Thị Đào"); got != "Nguyen Thi Dao" {
					t.Errorf("StripMarks = %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"cccd", "cccd", 0}, {"tru", "tru", 0},
		{"thuong", "thuog", 1}, {"khau", "khẩu", 1}, {"kitten", "sitting", 3}, {"", "abc", 3},
	}
	for _, tt := range tests {
		if got := EditDistance([]rune(tt.a), []rune(tt.b)); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPhoneNumber(t *testing.T) {
	for _, tc := range []struct {
		in, want, spaced string
		ok               bool
	}{
		{"028 3812 3456", "02838123456", "028 3812 3456", true},
		{"(028) 38.12.34.56", "02838123456", "028 3812 3456", true},
		{"0903 123 456", "0903123456", "0903 123 456", true},
		{"+84 903-123-456", "0903123456", "0903 123 456", true},
		{"84903123456", "0903123456", "0903 123 456", true},
		{"1022", "1022", "1022", true},
		{"113", "113", "113", true},
		{"1900 1234", "19001234", "1900 1234", true},
		{"1900 123 456", "1900123456", "1900 123 456", true},
		{"0123456789", "", "", false}, // 01x is no mobile prefix any more
		{"090312345", "", "", false},  // a digit short
		{"02838123456789", "", "", false},
		{"12", "", "", false},
		{"0903 123 45a", "", "", false},
		{"0903+123456", "", "", false},
		{"", "", "", false},
	} {
		got, ok := PhoneNumber(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("PhoneNumber(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if ok && SpacedPhone(got) != tc.spaced {
			t.Errorf("SpacedPhone(%q) = %q, want %q", got, SpacedPhone(got), tc.spaced)
		}
	}
}

func TestWardLabel(t *testing.T) {
	tests := []struct{ code, name, label, first string }{
		{"26740", "Phường Bến Nghé", "Phường Bến Nghé", "Phường Bến Nghé"},
		{"26740", "", "phường mã 26740", "Phường mã 26740"},
		{"", "", "phường mã ", "Phường mã "},
	}
	for _, tt := range tests {
		label := WardLabel(tt.code, tt.name)
		if label != tt.label {
			t.Errorf("WardLabel(%q, %q) = %q, want %q", tt.code, tt.name, label, tt.label)
		}
		if got := UpperFirst(label); got != tt.first {
			t.Errorf("UpperFirst(%q) = %q, want %q", label, got, tt.first)
		}
	}
	for in, want := range map[string]string{"": "", "đường": "Đường", "ấp 3": "Ấp 3", "Xã": "Xã", "12 Lê Lợi": "12 Lê Lợi"} {
		if got := UpperFirst(in); got != want {
			t.Errorf("UpperFirst(%q) = %q, want %q", in, got, want)
		}
	}
}
