package assistant

import (
	"testing"

	"github.com/citizenstation/citizenstation/procedures"
)

func TestRelevantTo(t *testing.T) {
	passport := &procedures.Entry{Name: "Cấp hộ chiếu phổ thông", Summary: "Công dân Việt Nam xin cấp hộ chiếu để đi nước ngoài.", Aliases: []string{"làm hộ chiếu", "passport"}}
	lottery := []procedures.Citation{{Text: "Thông tin về số định danh cá nhân được ghi trên tờ khai."}}
	tests := []struct {
		query    string
		passages []procedures.Citation
		want     bool
	}{
		{"lam ho chieu", nil, true},
		{"làm hộ chiếu", nil, true},
		{"xin ho chiu", nil, true}, // a typo
		{"lam hochieu", nil, true}, // two syllables typed as one
		{"passport", nil, true},
		{"nấu phở thế nào", nil, false},
		{"thời tiết hôm nay thế nào", nil, false},
		{"tôi muốn mua vé số", lottery, false}, // "vé số" is not "về số"
		{"đăng ký", nil, false},
		{"lm hộ chiêú", nil, true}, // the mark typed on the other vowel
		{"tối nay Việt Nam đá với Thái Lan mấy giờ?", nil, false},
		{"cho tôi xin con số đẹp để mua vé số", []procedures.Citation{{Text: "Lệ phí chưa ghi con số; xin con dấu."}}, false},
	}
	for _, tt := range tests {
		if got := relevantTo(tt.query, passport, tt.passages); got != tt.want {
			t.Errorf("relevantTo(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}
