package dossiers

import (
	"strings"
	"testing"
)

func TestTrackingCodes(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		c := NewTrackingCode()
		if strings.ContainsAny(c, "0O1IL U") || len(c) != 9 {
			t.Fatalf("code %q uses a confusable symbol or has the wrong length", c)
		}
		if got, ok := NormalizeTrackingCode(c); !ok || got != c {
			t.Fatalf("fresh code %q does not check", c)
		}
		if seen[c] {
			t.Fatalf("duplicate code %q", c)
		}
		seen[c] = true

		// Every single wrong symbol is caught.
		for pos := 0; pos < len(c); pos++ {
			for _, r := range codeAlphabet {
				if byte(r) == c[pos] {
					continue
				}
				bad := c[:pos] + string(r) + c[pos+1:]
				if _, ok := NormalizeTrackingCode(bad); ok {
					t.Fatalf("%q with symbol %d changed to %q still checks", c, pos, bad)
				}
			}
		}
	}
	// Swaps of neighbours are caught nearly always.
	var swaps, caught int
	for c := range seen {
		for pos := 0; pos+1 < len(c); pos++ {
			if c[pos] == c[pos+1] {
				continue
			}
			b := []byte(c)
			b[pos], b[pos+1] = b[pos+1], b[pos]
			swaps++
			if _, ok := NormalizeTrackingCode(string(b)); !ok {
				caught++
			}
		}
	}
	if float64(caught)/float64(swaps) < 0.95 {
		t.Errorf("only %d of %d neighbour swaps caught", caught, swaps)
	}

	tests := []struct {
		in, want string
		ok       bool
	}{
		{" abc-def-gh" + string(checkSymbol("ABCDEFGH")) + " ", "ABCDEFGH" + string(checkSymbol("ABCDEFGH")), true},
		{"ABCDEFGH", "ABCDEFGH", false},   // no check symbol
		{"ABCDEFGH0", "ABCDEFGH0", false}, // 0 is not in the alphabet
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeTrackingCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeTrackingCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := FormatTrackingCode("ABCDEFGHJ"); got != "ABC-DEF-GHJ" {
		t.Errorf("FormatTrackingCode = %q", got)
	}
}
