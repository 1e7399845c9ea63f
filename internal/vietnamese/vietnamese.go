// Package vietnamese holds the text rules the whole service shares: every
// stored or compared string is NFC, and matching folds diacritics (and đ) so
// that "lam lai cccd" finds "Làm lại căn cước", while display keeps the
// original text.
package vietnamese

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode normalisation form C, the form the service stores.
func NFC(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	return norm.NFC.String(s)
}

// Fold returns s lower-cased with every diacritic removed and đ turned into
// d, for matching only. Whitespace runs become one space and the ends are
// trimmed.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	decomposed := norm.NFD.String(s)
	space := true // drops leading spaces
	for _, r := range decomposed {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.TrimRight(b.String(), " ")
}

// FoldingReader-free helper: StripMarks removes diacritics but keeps case and
// spacing, for things like names in an MRZ.
func StripMarks(s string) string {
	// A chained transformer keeps state between calls, so each call makes
	// its own: a shared one races when goroutines strip marks at once.
	stripMarks := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(stripMarks, s)
	if err != nil {
		return s
	}
	out = strings.ReplaceAll(out, "đ", "d")
	return strings.ReplaceAll(out, "Đ", "D")
}

// Words splits folded text into words of letters and digits.
func Words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// SameMarksMisplaced reports whether a and b are one syllable with the same
// letters and the same marks, a mark merely typed on another vowel
// ("chiêú" for "chiếu", "hoà" for "hòa").
func SameMarksMisplaced(a, b string) bool {
	if Fold(a) != Fold(b) {
		return false
	}
	marks := func(s string) string {
		var m []rune
		for _, r := range norm.NFD.String(strings.ToLower(s)) {
			if unicode.Is(unicode.Mn, r) {
				m = append(m, r)
			}
		}
		slices.Sort(m)
		return string(m)
	}
	return marks(a) == marks(b)
}

// EditDistance is the Levenshtein distance between two rune strings: the
// typo tolerance of matching, and the character error rate of OCR.
func EditDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
