package ocr

import (
	"errors"
	"strings"
	"time"
)

// MRZ is the machine-readable zone of the chip ID card's back: ICAO 9303
// TD1, three lines of 30 characters. Vietnam puts the last 9 digits of the
// personal ID number in the document number and the whole 12-digit number
// in the optional data of line 1, whose last character is that number's
// check digit.
type MRZ struct {
	DocumentNumber string
	IDNumber       string
	DateOfBirth    string // YYYY-MM-DD, empty when unreadable
	Sex            string // Nam, Nữ or empty
	ExpiryDate     string // YYYY-MM-DD, empty when the card has none
	Nationality    string
	FullName       string // as the MRZ has it: upper case, no diacritics
	// Failed names the fields whose check digit does not match:
	// document_number, id_number, date_of_birth, expiry_date, composite.
	Failed []string
}

// The MRZ check digit fields, in the order they are verified.
const (
	checkDocumentNumber = "document_number"
	checkIDNumber       = "id_number"
	checkDateOfBirth    = "date_of_birth"
	checkExpiryDate     = "expiry_date"
	checkComposite      = "composite"
)

// ErrNotMRZ is returned when text is not a TD1 machine-readable zone.
var ErrNotMRZ = errors.New("not a TD1 machine-readable zone")

// MRZCheckDigit computes the ICAO 9303 check digit of s: digits count as
// themselves, A–Z as 10–35, '<' as 0, weighted 7, 3, 1 in turn, modulo 10.
func MRZCheckDigit(s string) byte {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10)
}

// ParseMRZ reads a TD1 zone from three lines of text as OCR gives them:
// spaces are dropped, the usual misreadings of '<' are mended, and letters
// in digit-only positions (O for 0, I for 1, ...) are read as digits. Every
// check digit is verified; a mismatch is listed in Failed, never hidden.
func ParseMRZ(lines []string) (*MRZ, error) {
	if len(lines) != 3 {
		return nil, ErrNotMRZ
	}
	var l [3][]byte
	for i, s := range lines {
		l[i] = cleanMRZLine(s)
		if len(l[i]) < 24 || len(l[i]) > 34 {
			return nil, ErrNotMRZ
		}
		l[i] = fitMRZLine(l[i])
	}
	if l[0][0] != 'I' && l[0][0] != 'A' && l[0][0] != 'C' {
		return nil, ErrNotMRZ
	}
	// Positions that hold only digits on a Vietnamese card.
	digits := func(line []byte, from, to int) {
		for i := from; i < to; i++ {
			line[i] = toDigit(line[i])
		}
	}
	letters := func(line []byte, from, to int) {
		for i := from; i < to; i++ {
			line[i] = toLetter(line[i])
		}
	}
	letters(l[0], 0, 5)
	digits(l[0], 5, 27)
	digits(l[0], 29, 30)
	digits(l[1], 0, 7)
	digits(l[1], 8, 15)
	letters(l[1], 15, 18)
	digits(l[1], 29, 30)
	letters(l[2], 0, 30)
	if l[1][7] != 'M' && l[1][7] != 'F' && l[1][7] != '<' {
		l[1][7] = map[byte]byte{'H': 'M', 'N': 'M', 'E': 'F', 'P': 'F'}[l[1][7]]
	}

	l1, l2, l3 := string(l[0]), string(l[1]), string(l[2])
	m := &MRZ{
		DocumentNumber: strings.TrimRight(l1[5:14], "<"),
		Nationality:    strings.TrimRight(l2[15:18], "<"),
	}
	check := func(name, data string, digit byte) {
		if MRZCheckDigit(data) != digit {
			m.Failed = append(m.Failed, name)
		}
	}
	check(checkDocumentNumber, l1[5:14], l1[14])
	optional := strings.TrimRight(l1[15:29], "<")
	if len(optional) == 12 && allDigits(optional) {
		m.IDNumber = optional
		check(checkIDNumber, optional, l1[29])
	} else if len(optional) >= 12 && allDigits(optional[:12]) {
		m.IDNumber = optional[:12]
		check(checkIDNumber, optional[:12], l1[29])
	}
	check(checkDateOfBirth, l2[0:6], l2[6])
	m.DateOfBirth = mrzDate(l2[0:6], birthCentury(m.IDNumber, l2[0:2]))
	switch l2[7] {
	case 'M':
		m.Sex = "Nam"
	case 'F':
		m.Sex = "Nữ"
	}
	if l2[8:14] != "<<<<<<" {
		check(checkExpiryDate, l2[8:14], l2[14])
		m.ExpiryDate = mrzDate(l2[8:14], 2000)
	}
	check(checkComposite, l1[5:30]+l2[0:7]+l2[8:15]+l2[18:29], l2[29])
	surname, given, _ := strings.Cut(strings.TrimRight(l3, "<"), "<<")
	name := strings.TrimSpace(strings.ReplaceAll(surname, "<", " ") + " " + strings.ReplaceAll(given, "<", " "))
	m.FullName = strings.Join(strings.Fields(name), " ")
	return m, nil
}

// cleanMRZLine upper-cases s, drops spaces and mends what OCR makes of '<'.
func cleanMRZLine(s string) []byte {
	s = strings.NewReplacer("«", "<<", "‹", "<", "≤", "<", "(", "<", "{", "<", "[", "<", "_", "<").Replace(strings.ToUpper(s))
	out := make([]byte, 0, 32)
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '<':
			out = append(out, byte(r))
		}
	}
	return out
}

// fitMRZLine makes a line exactly 30 characters: fillers lost or doubled
// by OCR are added or removed at the end, which is where they run.
func fitMRZLine(l []byte) []byte {
	for len(l) > 30 {
		if i := strings.LastIndex(string(l), "<<"); i >= 0 {
			l = append(l[:i], l[i+1:]...)
		} else {
			l = l[:30]
		}
	}
	for len(l) < 30 {
		// Missing fillers: insert before the last character, which on
		// lines 1 and 2 is a check digit.
		i := len(l) - 1
		if i < 0 || l[i] == '<' {
			l = append(l, '<')
			continue
		}
		l = append(l[:i], append([]byte{'<'}, l[i:]...)...)
	}
	return l
}

func toDigit(c byte) byte {
	switch c {
	case 'O', 'D', 'Q':
		return '0'
	case 'I', 'L', 'T':
		return '1'
	case 'Z':
		return '2'
	case 'S':
		return '5'
	case 'B':
		return '8'
	case 'G':
		return '6'
	}
	return c
}

func toLetter(c byte) byte {
	switch c {
	case '0':
		return 'O'
	case '1':
		return 'I'
	case '2':
		return 'Z'
	case '5':
		return 'S'
	case '8':
		return 'B'
	case '6':
		return 'G'
	}
	return c
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// birthCentury takes the century from the ID number's fourth digit (0–1:
// 1900s, 2–3: 2000s, ...) and otherwise guesses the most recent past one.
func birthCentury(id, yy string) int {
	if len(id) == 12 && allDigits(id) {
		return 1900 + 100*int((id[3]-'0')/2)
	}
	if yy > time.Now().Format("06") {
		return 1900
	}
	return 2000
}

// mrzDate turns YYMMDD into YYYY-MM-DD, or "" when it is not a date.
func mrzDate(s string, century int) string {
	if len(s) != 6 || !allDigits(s) {
		return ""
	}
	y := century + int(s[0]-'0')*10 + int(s[1]-'0')
	d, err := time.Parse("2006-01-02", pad4(y)+"-"+s[2:4]+"-"+s[4:6])
	if err != nil {
		return ""
	}
	return d.Format(time.DateOnly)
}

func pad4(y int) string {
	b := []byte{'0', '0', '0', '0'}
	for i := 3; i >= 0 && y > 0; i-- {
		b[i] = byte('0' + y%10)
		y /= 10
	}
	return string(b)
}
