// Package pii finds and masks personal data in free text: 12-digit citizen
// ID numbers, old 9-digit ID numbers, passport numbers and Vietnamese phone
// numbers, however they are written: grouped by spaces, dots or dashes,
// after a prefix such as "CCCD:", in full-width digits, or in the +84 form.
// Logs, lists and text bound for an external model all go through it.
package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask replaces every ID, passport and phone number in s by its masked
// form: the last four digits stay, the others become '*', and what
// separates them stays as written.
func Mask(s string) string {
	return replaceNumbers(s, func(_ Kind, number string) string { return MaskNumber(number) })
}

// Contains reports whether s holds an ID, passport or phone number.
func Contains(s string) bool { return len(find(s)) > 0 }

// MaskNumber keeps the last four digits of a number and hides the rest, so a
// person can recognise their own without anyone learning it.
func MaskNumber(s string) string {
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			seen++
			if seen <= digits-4 {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// span is a personal number at s[start:end], of kind KindID (citizen,
// old or passport) or KindPhone.
type span struct {
	start, end int
	kind       Kind
}

// replaceNumbers replaces each personal number of s by what with gives for
// its kind and text.
func replaceNumbers(s string, with func(kind Kind, number string) string) string {
	var b strings.Builder
	last := 0
	for _, sp := range find(s) {
		b.WriteString(s[last:sp.start])
		b.WriteString(with(sp.kind, s[sp.start:sp.end]))
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// group is a block of digits at s[start:end] and its digits' values (-1
// for a digit of a script whose values are not known here).
type group struct {
	start, end int
	digits     []int
}

// find returns the personal numbers in s, in order. It reads s as runs of
// digit groups joined by short separators; within a run it takes, from the
// left, the longest sequence of whole groups whose digits make a number of
// a known kind.
func find(s string) []span {
	var out []span
	for _, run := range runs(s) {
		for i := 0; i < len(run); {
			j, kind := longestNumber(s, run, i)
			if j < 0 {
				i++
				continue
			}
			out = append(out, span{run[i].start, run[j].end, kind})
			i = j + 1
		}
	}
	return out
}

// longestNumber returns the last group of the longest personal number
// that starts at run[i] and its kind, or -1.
func longestNumber(s string, run []group, i int) (int, Kind) {
	var digits []int
	best, kind := -1, Kind("")
	for j := i; j < len(run) && len(digits) <= 14; j++ {
		digits = append(digits, run[j].digits...)
		if k := numberKind(digits); k != "" && !isMoney(s, run[i:j+1]) {
			best, kind = j, k
		}
	}
	if best < 0 && len(run[i].digits) == 7 && passportLetter(s, run[i].start) {
		return i, KindID
	}
	return best, kind
}

// numberKind says whether digits make an ID (12 digits, always starting
// with 0, the province code's first digit; 9 for the old card) or a phone
// number (0 then 9 or 10 digits; 84 or 0084 then 9 or 10), or neither ("").
func numberKind(d []int) Kind {
	n := len(d)
	switch {
	case (n == 11 || n == 12) && d[0] == 8 && d[1] == 4:
		return KindPhone
	case n == 12 || n == 9:
		return KindID
	case (n == 10 || n == 11) && d[0] == 0:
		return KindPhone
	case (n == 13 || n == 14) && d[0] == 0 && d[1] == 0 && d[2] == 8 && d[3] == 4:
		return KindPhone
	}
	return ""
}

// isMoney says whether groups read as an amount of money: thousands
// grouped by dots or commas and a currency after them ("100.000.000 đồng").
func isMoney(s string, groups []group) bool {
	if len(groups) < 2 {
		return false
	}
	for k, g := range groups {
		if k > 0 && (len(g.digits) != 3 || !strings.ContainsAny(s[groups[k-1].end:g.start], ".,")) {
			return false
		}
	}
	rest := strings.ToLower(strings.TrimLeft(s[groups[len(groups)-1].end:], " \u00a0"))
	for _, unit := range []string{"đồng", "đ", "vnd", "vnđ", "₫", "dong"} {
		if strings.HasPrefix(rest, unit) {
			return true
		}
	}
	return false
}

// passportLetter says whether the seven digits at s[at:] follow a single
// letter that starts a word: a passport number such as C1234567.
func passportLetter(s string, at int) bool {
	r, n := utf8.DecodeLastRuneInString(s[:at])
	if n == 0 || !unicode.IsLetter(r) || r > unicode.MaxASCII && (r < 'Ａ' || r > 'ｚ') {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:at-n])
	return at-n == 0 || !(unicode.IsLetter(before) || unicode.IsDigit(before))
}

// runs splits s into runs of digit groups: groups joined by one to three
// separators (spaces, dots, dashes, brackets, a plus sign) belong to one
// run.
func runs(s string) [][]group {
	var out [][]group
	var cur []group
	gap := 0 // separators since the last group
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsDigit(r):
			if len(cur) > 0 && cur[len(cur)-1].end == i {
				g := &cur[len(cur)-1]
				g.end, g.digits = i+n, append(g.digits, digitValue(r))
			} else {
				if len(cur) > 0 && gap > 3 {
					out, cur = append(out, cur), nil
				}
				cur = append(cur, group{start: i, end: i + n, digits: []int{digitValue(r)}})
			}
			gap = 0
		case separator(r) && len(cur) > 0:
			gap++
		default:
			if len(cur) > 0 {
				out, cur = append(out, cur), nil
			}
			gap = 0
		}
		i += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func separator(r rune) bool {
	switch r {
	case ' ', '.', '-', '(', ')', '+', '\u00a0', '\u3000', '．', '－', '‐', '–', '（', '）', '＋':
		return true
	}
	return false
}

// digitZeros are the zeros of the digit blocks whose values matter here:
// ASCII and full-width.
var digitZeros = []rune{'0', '０', '٠', '۰', '०', '০'}

func digitValue(r rune) int {
	for _, z := range digitZeros {
		if r >= z && r <= z+9 {
			return int(r - z)
		}
	}
	return -1
}
