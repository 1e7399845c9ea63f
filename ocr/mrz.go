package ocr

import (
	"errors"
	"regexp"
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
	// NoExpiry is true for a card without expiry ("Không thời hạn", held
	// by people over 60): the expiry is six fillers, which ICAO 9303's
	// check-digit rules accept with a filler or a 0 as their check digit.
	NoExpiry    bool
	Nationality string
	FullName    string // as the MRZ has it: upper case, no diacritics
	// Failed names the fields whose check digit does not match as read:
	// document_number, id_number, date_of_birth, expiry_date, composite
	// (and document_number_in_id_number when the two disagree).
	Failed []string
	// Corrected names the fields mended by their check digits; their
	// values are the mended ones, and Failed still tells what was read.
	Corrected []string
}

// The MRZ check digit fields, in the order they are verified.
const (
	checkDocumentNumber = "document_number"
	checkIDNumber       = "id_number"
	checkDateOfBirth    = "date_of_birth"
	checkExpiryDate     = "expiry_date"
	checkComposite      = "composite"
	// checkDocumentIsID is Vietnam's rule that the document number is the
	// ID number's last nine digits.
	checkDocumentIsID = "document_number_in_id_number"
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
// in digit-only positions (O for 0, I for 1, ...) are read as digits. A
// line a character too long or short is aligned where the most check digits
// then match. Every check digit is verified, and a mismatch is listed in
// Failed, never hidden; a single misread digit that exactly one
// substitution among look-alikes (3 and 8, 5 and 6, ...) makes consistent
// with both its own and the composite check digit is mended and listed in
// Corrected.
func ParseMRZ(lines []string) (*MRZ, error) {
	if len(lines) != 3 {
		return nil, ErrNotMRZ
	}
	var raw [3][]byte
	for i, s := range lines {
		raw[i] = cleanMRZLine(s)
		// The name line's trailing fillers are often read short.
		if (i < 2 && len(raw[i]) < 24) || len(raw[i]) < 8 || len(raw[i]) > 34 {
			return nil, ErrNotMRZ
		}
	}
	l3 := normalizeMRZLine(fitMRZLine(raw[2]), 2)
	// Of the alignments, the one where most check digits match wins, and
	// among those the one whose fixed parts (IDVNM, VNM, the fillers) are
	// where they belong.
	var best [2][]byte
	bestScore := -1
	for _, c1 := range alignments(raw[0]) {
		c1 = normalizeMRZLine(c1, 0)
		for _, c2 := range alignments(raw[1]) {
			c2 = normalizeMRZLine(c2, 1)
			score := 100*len(mrzChecks(c1, c2)) + misplaced(c1, c2)
			if bestScore < 0 || score < bestScore {
				best, bestScore = [2][]byte{c1, c2}, score
			}
		}
	}
	l1, l2 := best[0], best[1]
	failed := mrzChecks(l1, l2)
	if len(failed) >= 5 && misplaced(l1, l2) > 4 {
		// Nothing checks out and nothing is where a TD1 zone has it.
		return nil, ErrNotMRZ
	}
	corrected := correctMRZ(l1, l2)
	m := mrzFields(string(l1), string(l2), string(l3))
	m.Failed, m.Corrected = failed, corrected
	return m, nil
}

// alignments are the ways to make a line 30 characters long: as is, or
// with one character dropped or one filler added at each place, or else
// trimmed or padded at the end.
func alignments(l []byte) [][]byte {
	if out := alignTo(l, 30); out != nil {
		return out
	}
	return [][]byte{fitMRZLine(l)}
}

// alignTo returns the ways to make l n characters long by dropping one
// character or adding one filler anywhere, or nil when l is further off.
func alignTo(l []byte, n int) [][]byte {
	switch len(l) {
	case n:
		return [][]byte{l}
	case n + 1:
		out := make([][]byte, 0, n+1)
		for i := range l {
			out = append(out, append(append([]byte{}, l[:i]...), l[i+1:]...))
		}
		return out
	case n - 1:
		out := make([][]byte, 0, n)
		for i := 0; i <= len(l); i++ {
			out = append(out, append(append(append([]byte{}, l[:i]...), '<'), l[i:]...))
		}
		return out
	}
	return nil
}

// misplaced counts the characters of a Vietnamese card's fixed parts that
// are not what they should be.
func misplaced(l1, l2 []byte) int {
	n := 0
	for i, c := range []byte("IDVNM") {
		if l1[i] != c {
			n++
		}
	}
	if string(l1[27:29]) != "<<" {
		n++
	}
	if string(l2[15:18]) != "VNM" {
		n++
	}
	for _, c := range l2[18:29] {
		if c != '<' {
			n++
		}
	}
	return n
}

// normalizeMRZLine reads letters in digit-only positions as digits and the
// other way round, per line of a Vietnamese TD1 zone.
func normalizeMRZLine(l []byte, line int) []byte {
	l = append([]byte{}, l...)
	digits := func(from, to int) {
		for i := from; i < to; i++ {
			l[i] = toDigit(l[i])
		}
	}
	letters := func(from, to int) {
		for i := from; i < to; i++ {
			l[i] = toLetter(l[i])
		}
	}
	switch line {
	case 0:
		letters(0, 5)
		digits(5, 27)
		digits(29, 30)
	case 1:
		digits(0, 7)
		digits(8, 15)
		letters(15, 18)
		digits(29, 30)
		if noExpiry(l[8:15]) {
			copy(l[8:15], "<<<<<<<")
		}
		if c := l[7]; c != 'M' && c != 'F' && c != '<' {
			l[7] = map[byte]byte{'H': 'M', 'N': 'M', 'E': 'F', 'P': 'F'}[c]
			if l[7] == 0 {
				l[7] = '<'
			}
		}
	case 2:
		letters(0, 30)
	}
	return l
}

// mrzChecks returns the names of the check digits that do not match.
func mrzChecks(l1, l2 []byte) []string {
	var failed []string
	check := func(name string, data []byte, digit byte) {
		if MRZCheckDigit(string(data)) != digit {
			failed = append(failed, name)
		}
	}
	check(checkDocumentNumber, l1[5:14], l1[14])
	if id := vnIDNumber(l1); id != "" {
		check(checkIDNumber, []byte(id), l1[29])
		// On a Vietnamese card the document number is the ID's last nine
		// digits: a free second check.
		if string(l1[5:14]) != id[3:] {
			failed = append(failed, checkDocumentIsID)
		}
	}
	check(checkDateOfBirth, l2[0:6], l2[6])
	if string(l2[8:14]) != "<<<<<<" {
		check(checkExpiryDate, l2[8:14], l2[14])
	}
	composite := string(l1[5:30]) + string(l2[0:7]) + string(l2[8:15]) + string(l2[18:29])
	check(checkComposite, []byte(composite), l2[29])
	return failed
}

// noExpiry reports whether the expiry and its check digit as read are the
// fillers of a card without expiry: mostly '<', no digit among the six
// (OCR reads a run of fillers with a K or a « now and then), and a filler
// or 0 for the check digit.
func noExpiry(f []byte) bool {
	fillers := 0
	for _, c := range f[:6] {
		switch {
		case c == '<':
			fillers++
		case c >= '0' && c <= '9':
			return false
		}
	}
	return fillers >= 4 && (f[6] == '<' || f[6] == '0' || f[6] == 'K')
}

// mrzWarn warns of each failed check digit and returns them as a set.
func mrzWarn(res *Result, failed []string) map[string]bool {
	set := map[string]bool{}
	for _, f := range failed {
		set[f] = true
		res.warn("mrz_check_digit:" + f)
	}
	return set
}

// zoneValues are what a machine-readable zone, an ID card's or a
// passport's, tells of its holder.
type zoneValues struct {
	// numberCheck names the document's number both as a field and as its
	// check digit: document_number or passport_number.
	numberCheck, number   string
	idNumber, dateOfBirth string
	// expiryCheck is the check digit that vouches for expiry: the
	// composite for a card without expiry, which has no digit of its own.
	expiryCheck, expiry    string
	sex, nationality, name string
}

// setZoneFields puts a zone found at box on the result, each value with
// the confidence conf gives its check digit; the name has none and gets
// mrzNameConfidence.
func setZoneFields(res *Result, box [4]int, z zoneValues, conf func(check string) float64) {
	set := func(name, value string, c float64) {
		res.setField(name, Field{Value: value, Confidence: c, Source: SourceMRZ, Box: box})
	}
	set(z.numberCheck, z.number, conf(z.numberCheck))
	set("id_number", z.idNumber, conf(checkIDNumber))
	set("date_of_birth", z.dateOfBirth, conf(checkDateOfBirth))
	set("expiry_date", z.expiry, conf(z.expiryCheck))
	set("sex", z.sex, conf(checkComposite))
	set("nationality", z.nationality, conf(checkComposite))
	set("full_name", z.name, mrzNameConfidence)
}

// vnIDNumber returns the 12-digit ID number in line 1's optional data.
func vnIDNumber(l1 []byte) string {
	opt := strings.TrimRight(string(l1[15:29]), "<")
	if len(opt) >= 12 && allDigits(opt[:12]) {
		return opt[:12]
	}
	return ""
}

// lookAlikes are the digits OCR takes for one another.
var lookAlikes = map[byte]string{
	'0': "869", '1': "74", '2': "7", '3': "859", '4': "1",
	'5': "36", '6': "508", '7': "12", '8': "3069", '9': "830",
}

// correctMRZ mends, in place, each field whose check fails when exactly
// one look-alike substitution in it makes every check pass. It returns the
// names of the fields mended.
func correctMRZ(l1, l2 []byte) []string {
	failed := mrzChecks(l1, l2)
	if len(failed) == 0 {
		return nil
	}
	type span struct {
		name string
		line []byte
		pos  []int
	}
	rangeOf := func(from, to int, extra ...int) []int {
		var p []int
		for i := from; i < to; i++ {
			p = append(p, i)
		}
		return append(p, extra...)
	}
	spans := []span{
		{checkDocumentNumber, l1, rangeOf(5, 15)},
		{checkIDNumber, l1, rangeOf(15, 27, 29)},
		{checkDateOfBirth, l2, rangeOf(0, 7)},
		{checkExpiryDate, l2, rangeOf(8, 15)},
		{checkComposite, l2, []int{29}},
	}
	var corrected []string
	for _, sp := range spans {
		type fix struct {
			pos int
			c   byte
		}
		var fixes []fix
		for _, p := range sp.pos {
			orig := sp.line[p]
			for _, alt := range []byte(lookAlikes[orig]) {
				sp.line[p] = alt
				if len(mrzChecks(l1, l2)) == 0 {
					fixes = append(fixes, fix{p, alt})
				}
			}
			sp.line[p] = orig
		}
		if len(fixes) == 1 {
			sp.line[fixes[0].pos] = fixes[0].c
			corrected = append(corrected, sp.name)
			return corrected
		}
	}
	return corrected
}

// mrzFields reads the fields of three aligned 30-character lines.
func mrzFields(l1, l2, l3 string) *MRZ {
	m := &MRZ{
		DocumentNumber: strings.TrimRight(l1[5:14], "<"),
		IDNumber:       vnIDNumber([]byte(l1)),
		Nationality:    strings.TrimRight(l2[15:18], "<"),
	}
	m.DateOfBirth = mrzDate(l2[0:6], birthCentury(m.IDNumber, l2[0:2]))
	switch l2[7] {
	case 'M':
		m.Sex = "Nam"
	case 'F':
		m.Sex = "Nữ"
	}
	if l2[8:14] != "<<<<<<" {
		m.ExpiryDate = mrzDate(l2[8:14], 2000)
	} else {
		m.NoExpiry = true
	}
	m.FullName = mrzName(l3)
	return m
}

// mrzName reads SURNAME<<GIVEN<NAMES. OCR reads a filler '<' as K or X
// now and then, or doubles a round letter; a word that is no Vietnamese
// syllable is mended when dropping one letter, or splitting at a K or X,
// makes it one. Words that are syllables are never touched.
func mrzName(l3 string) string {
	surname, given, _ := strings.Cut(strings.TrimRight(l3, "<"), "<<")
	if i := strings.Index(given, "<<"); i >= 0 {
		given = given[:i] // the rest is fillers
	}
	var words []string
	for _, w := range strings.FieldsFunc(surname+"<"+given, func(r rune) bool { return r == '<' }) {
		words = append(words, mendSyllable(w)...)
	}
	return strings.Join(words, " ")
}

// syllableRe matches a Vietnamese syllable written without diacritics:
// an initial consonant, one to three vowels, and a final.
var syllableRe = regexp.MustCompile(`^(NGH|NG|NH|CH|GH|GI|KH|PH|QU|TH|TR|B|C|D|G|H|K|L|M|N|P|R|S|T|V|X)?[AEIOUY]{1,3}(NG|NH|CH|C|M|N|P|T)?$`)

// isSyllable reports whether w is one; of doubled vowels only UU (LƯU,
// CỨU) occurs in names.
func isSyllable(w string) bool {
	for _, d := range []string{"AA", "EE", "II", "OO", "YY"} {
		if strings.Contains(w, d) {
			return false
		}
	}
	return syllableRe.MatchString(w)
}

func mendSyllable(w string) []string {
	if w == "K" || w == "X" {
		return nil // a filler misread, never a name
	}
	if isSyllable(w) || len(w) < 2 {
		return []string{w}
	}
	// No syllable ends in K or X, nor starts with K before anything but
	// H, I, Y or E: fillers read next to the word.
	if last := w[len(w)-1]; last == 'K' || last == 'X' {
		if m := mendSyllable(w[:len(w)-1]); len(m) == 1 && isSyllable(m[0]) {
			return m
		}
	}
	if w[0] == 'K' && !strings.ContainsRune("HIYE", rune(w[1])) {
		if m := mendSyllable(w[1:]); len(m) == 1 && isSyllable(m[0]) {
			return m
		}
	}
	// Split at a K or X that stands for a filler between two words.
	for i := 1; i < len(w)-1; i++ {
		if w[i] == 'K' || w[i] == 'X' {
			left, right := mendSyllable(w[:i]), mendSyllable(w[i+1:])
			if len(left) == 1 && len(right) == 1 && isSyllable(left[0]) && isSyllable(right[0]) {
				return []string{left[0], right[0]}
			}
		}
	}
	// Drop one letter: a stray K or X first, then a doubled letter.
	for _, pass := range []func(i int) bool{
		func(i int) bool { return w[i] == 'K' || w[i] == 'X' },
		func(i int) bool { return i > 0 && w[i] == w[i-1] },
	} {
		for i := 0; i < len(w); i++ {
			if pass(i) {
				if m := w[:i] + w[i+1:]; isSyllable(m) {
					return []string{m}
				}
			}
		}
	}
	return []string{w}
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
	if len(id) == 12 && allDigits(id) && id[3] <= '3' {
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
