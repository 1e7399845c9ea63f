package pii

import "testing"

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CCCD 079203001234 của tôi", "CCCD ********1234 của tôi"},
		{"gọi 0903 123 456 nhé", "gọi **** **3 456 nhé"},
		{"+84903123456", "+*******3456"},
		{"CMND cũ 123456789", "CMND cũ *****6789"},
		{"phí 50000 đồng", "phí 50000 đồng"},
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
