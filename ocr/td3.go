package ocr

import (
	"errors"
	"strings"
)

// PassportMRZ is the machine-readable zone of a passport's data page:
// ICAO 9303 TD3, two lines of 44 characters. A Vietnamese passport puts the
// holder's 12-digit personal ID number in the optional data (personal
// number) of line 2.
type PassportMRZ struct {
	Type           string // P
	Issuer         string // VNM
	FullName       string // upper case, no diacritics
	PassportNumber string
	Nationality    string
	DateOfBirth    string // YYYY-MM-DD
	Sex            string // Nam, Nữ or empty
	ExpiryDate     string // YYYY-MM-DD
	IDNumber       string // the personal number when it is 12 digits
	// Failed names the check digits that do not match: passport_number,
	// date_of_birth, expiry_date, id_number (the personal number) and
	// composite.
	Failed []string
}

// ErrNotTD3 is returned when text is not a TD3 machine-readable zone.
var ErrNotTD3 = errors.New("not a TD3 machine-readable zone")

const checkPassportNumber = "passport_number"

// ParsePassportMRZ reads a TD3 zone from its two lines as OCR gives them.
// Every check digit is verified; a line a character long or short is
// aligned where the most check digits match.
func ParsePassportMRZ(lines []string) (*PassportMRZ, error) {
	if len(lines) != 2 {
		return nil, ErrNotTD3
	}
	l1 := cleanMRZLine(lines[0])
	raw2 := cleanMRZLine(lines[1])
	if len(l1) < 30 || len(raw2) < 42 || len(raw2) > 46 || l1[0] != 'P' {
		return nil, ErrNotTD3
	}
	for len(l1) < 44 {
		l1 = append(l1, '<')
	}
	l1 = l1[:44]
	for i := 5; i < 44; i++ {
		l1[i] = toLetter(l1[i]) // the name: letters and fillers only
	}
	var l2 []byte
	var failed []string
	for _, c := range td3Alignments(raw2) {
		c = normalizeTD3Line(c)
		f := td3Checks(c)
		if l2 == nil || len(f) < len(failed) {
			l2, failed = c, f
		}
	}
	if len(failed) >= 4 {
		return nil, ErrNotTD3
	}
	m := &PassportMRZ{
		Type:           strings.TrimRight(string(l1[0:2]), "<"),
		Issuer:         strings.TrimRight(string(l1[2:5]), "<"),
		PassportNumber: strings.TrimRight(string(l2[0:9]), "<"),
		Nationality:    strings.TrimRight(string(l2[10:13]), "<"),
		Failed:         failed,
	}
	m.FullName = mrzName(string(l1[5:]))
	switch l2[20] {
	case 'M':
		m.Sex = "Nam"
	case 'F':
		m.Sex = "Nữ"
	}
	if personal := strings.TrimRight(string(l2[28:42]), "<"); len(personal) == 12 && allDigits(personal) {
		m.IDNumber = personal
	}
	m.DateOfBirth = mrzDate(string(l2[13:19]), birthCentury(m.IDNumber, string(l2[13:15])))
	m.ExpiryDate = mrzDate(string(l2[21:27]), 2000)
	return m, nil
}

func td3Alignments(l []byte) [][]byte {
	if out := alignTo(l, 44); out != nil {
		return out
	}
	for len(l) < 44 {
		l = append(l, '<')
	}
	return [][]byte{l[:44]}
}

// normalizeTD3Line reads letters in digit-only positions of line 2 as
// digits and the other way round.
func normalizeTD3Line(l []byte) []byte {
	l = append([]byte{}, l...)
	for _, r := range [][2]int{{9, 10}, {13, 20}, {21, 28}, {42, 44}} {
		for i := r[0]; i < r[1]; i++ {
			l[i] = toDigit(l[i])
		}
	}
	for i := 10; i < 13; i++ {
		l[i] = toLetter(l[i])
	}
	if c := l[20]; c != 'M' && c != 'F' && c != '<' {
		l[20] = map[byte]byte{'H': 'M', 'N': 'M', 'E': 'F', 'P': 'F'}[c]
		if l[20] == 0 {
			l[20] = '<'
		}
	}
	// A personal number of twelve digits is digits too.
	if opt := l[28:40]; strings.Count(string(opt), "<") < 6 {
		for i := 28; i < 40; i++ {
			l[i] = toDigit(l[i])
		}
	}
	return l
}

// td3Checks returns the names of the check digits of line 2 that fail.
func td3Checks(l2 []byte) []string {
	var failed []string
	check := func(name string, data []byte, digit byte) {
		want := MRZCheckDigit(string(data))
		// A field of fillers may carry a filler for its check digit.
		if digit == '<' && strings.Trim(string(data), "<") == "" {
			return
		}
		if want != digit {
			failed = append(failed, name)
		}
	}
	check(checkPassportNumber, l2[0:9], l2[9])
	check(checkDateOfBirth, l2[13:19], l2[19])
	check(checkExpiryDate, l2[21:27], l2[27])
	check(checkIDNumber, l2[28:42], l2[42])
	composite := string(l2[0:10]) + string(l2[13:20]) + string(l2[21:43])
	check(checkComposite, []byte(composite), l2[43])
	return failed
}
