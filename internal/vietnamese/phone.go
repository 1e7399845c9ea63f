package vietnamese

import (
	"regexp"
	"strings"
)

// phoneForms are the Vietnamese numbers a person can be told to call, in
// the national form: mobiles (10 digits, 03/05/07/08/09), fixed lines
// (11 digits, 02 and the province's code), 1800/1900 service numbers and
// the short public hotlines (113, 1022).
var phoneForms = regexp.MustCompile(`^(?:0[35789][0-9]{8}|02[0-9]{9}|1[89]00[0-9]{4,6}|1[0-9]{2,3})$`)

// PhoneNumber returns a Vietnamese phone number as its digits in the
// national form ("028 3812 3456", "+84 903.123.456" and "(028) 38123456"
// are "02838123456" and "0903123456"); false when s is not one.
func PhoneNumber(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	d := b.String()
	if rest, ok := strings.CutPrefix(d, "+84"); ok {
		d = "0" + rest
	} else if rest, ok := strings.CutPrefix(d, "84"); ok && (len(d) == 11 || len(d) == 12) {
		d = "0" + rest
	}
	return d, phoneForms.MatchString(d)
}

// SpacedPhone writes a phone number in groups, as it is read aloud:
// "1022" stays, "02838123456" is "028 3812 3456", "0903123456" is
// "0903 123 456", "19001234" is "1900 1234".
func SpacedPhone(phone string) string {
	switch {
	case len(phone) <= 5:
		return phone
	case len(phone) == 10 && phone[0] == '0':
		return phone[:4] + " " + phone[4:7] + " " + phone[7:]
	case phone[0] == '1' && len(phone) <= 8:
		return phone[:4] + " " + phone[4:]
	case phone[0] == '1':
		return phone[:4] + " " + phone[4:7] + " " + phone[7:]
	}
	out := phone[:3]
	for i := 3; i < len(phone); i += 4 {
		out += " " + phone[i:min(i+4, len(phone))]
	}
	return out
}
