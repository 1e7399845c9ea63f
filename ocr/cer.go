package ocr

import (
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// CER is the character error rate of got against want: the edit distance
// over the length of want, after both are NFC with whitespace runs made one
// space (line breaks are layout, not text).
func CER(want, got string) float64 {
	w := []rune(strings.Join(strings.Fields(vietnamese.NFC(want)), " "))
	g := []rune(strings.Join(strings.Fields(vietnamese.NFC(got)), " "))
	if len(w) == 0 {
		if len(g) == 0 {
			return 0
		}
		return 1
	}
	return float64(vietnamese.EditDistance(w, g)) / float64(len(w))
}
