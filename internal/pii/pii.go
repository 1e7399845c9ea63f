// Package pii finds and masks personal data in free text: 12-digit citizen
// ID numbers, old 9-digit ID numbers and Vietnamese phone numbers. Logs,
// lists and text bound for an external model all go through it.
package pii

import (
	"regexp"
	"strings"
)

var (
	// A citizen ID is 12 digits; the old ID card 9. Phones: 0 or +84 then 9
	// digits, optionally grouped by spaces, dots or dashes.
	idPattern    = regexp.MustCompile(`\b\d{12}\b|\b\d{9}\b`)
	phonePattern = regexp.MustCompile(`(?:\+84|\b0)(?:[\s.\-]?\d){9}\b`)
)

// Mask replaces every ID and phone number in s by its masked form.
func Mask(s string) string {
	s = phonePattern.ReplaceAllStringFunc(s, MaskNumber)
	return idPattern.ReplaceAllStringFunc(s, MaskNumber)
}

// MaskNumber keeps the last four digits of a number and hides the rest, so a
// person can recognise their own without anyone learning it.
func MaskNumber(s string) string {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
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

// Contains reports whether s holds an ID or phone number.
func Contains(s string) bool {
	return idPattern.MatchString(s) || phonePattern.MatchString(s)
}
