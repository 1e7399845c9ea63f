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
