package assistant

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// The parsers turn what a resident types — with or without diacritics, with
// the usual separators — into the canonical value procedures.Field.Normalize
// then checks. They never guess: input they cannot read is an error that
// asks again with an example.

// askAgain is a parser's error: a message for the resident, in Vietnamese,
// that says what was wrong and how to write it.
type askAgain string

func (a askAgain) Error() string { return string(a) }

// ParseValue reads input as a value of field f and returns it normalised.
func ParseValue(f procedures.Field, input string) (string, error) {
	in := strings.TrimSpace(vietnamese.NFC(input))
	var (
		v   string
		err error
	)
	switch f.Type {
	case procedures.FieldDate:
		if g := yearRe.FindStringSubmatch(trimPolite(vietnamese.Fold(in))); g != nil && f.YearOnly {
			v = g[1]
			break
		}
		v, err = parseDate(in, time.Now(), strings.Contains(f.Name, "birth"))
	case procedures.FieldIDNumber:
		v, err = parseDigits(in, 12, 12)
	case procedures.FieldPhone:
		v, err = parsePhone(in)
	case procedures.FieldBoolean:
		var b bool
		b, err = parseYesNo(in)
		v = strconv.FormatBool(b)
	case procedures.FieldSelect:
		v, err = parseOption(f, in)
	case procedures.FieldNumber:
		v, err = parseNumber(in)
	case procedures.FieldAddress:
		v, err = parseAddress(in)
	case procedures.FieldEmail:
		v = strings.ToLower(strings.Join(strings.Fields(in), ""))
	default:
		switch {
		case isPersonName(f):
			v, err = parsePersonName(in)
		case strings.Contains(f.Name, "name"):
			v = titleCase(joinWords(unsaid(in, politeLeadIns)))
		default:
			v = joinWords(unsaid(in, politeLeadIns))
		}
	}
	if err != nil {
		return "", &procedures.FieldError{Field: f.Name, Message: err.Error()}
	}
	return f.Normalize(v)
}

var (
	// 12/3/1950, 12-03-50, 12.3.1950, 12 3 1950
	dmyRe = regexp.MustCompile(`^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2}|\d{4})$`)
	// ngay 12 thang 3 nam 1950, mung 5 thang 3 nam 1952 (folded), with any
	// of the words left out
	wordsDateRe = regexp.MustCompile(`^(?:(?:ngay|mung|mong)\s*)?(\d{1,2})\s*(?:thang|/|-)\s*(\d{1,2})\s*(?:nam|/|-)?\s*(\d{2}|\d{4})$`)
	isoRe       = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	compactRe   = regexp.MustCompile(`^(\d{2})(\d{2})(\d{4})$`) // 12031950
)

// parseDate reads the common Vietnamese ways of writing a date (day first)
// and returns YYYY-MM-DD. Two-digit years fall in the last hundred years.
// A birth date cannot be in the future; other dates (a stay's end) can.
func parseDate(in string, now time.Time, past bool) (string, error) {
	s := vietnamese.Fold(in)
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	s = strings.ReplaceAll(s, ",", " ")
	s = strings.Join(strings.Fields(s), " ")
	var d, m, y string
	if g := isoRe.FindStringSubmatch(s); g != nil {
		y, m, d = g[1], g[2], g[3]
	} else if g := dmyRe.FindStringSubmatch(s); g != nil {
		d, m, y = g[1], g[2], g[3]
	} else if g := wordsDateRe.FindStringSubmatch(s); g != nil {
		d, m, y = g[1], g[2], g[3]
	} else if g := compactRe.FindStringSubmatch(s); g != nil {
		d, m, y = g[1], g[2], g[3]
	} else if t, ok := relativeDate(s, now); ok {
		d, m, y = strconv.Itoa(t.Day()), strconv.Itoa(int(t.Month())), strconv.Itoa(t.Year())
	} else if yearRe.MatchString(trimPolite(s)) {
		return "", askAgain("Xin cho biết cả ngày và tháng, ví dụ 12/3/1950. Nếu không nhớ, Bác nói “không nhớ”.")
	} else {
		return "", askAgain("Tôi chưa đọc được ngày này. Xin viết theo dạng ngày/tháng/năm, ví dụ 12/3/1950.")
	}
	day, _ := strconv.Atoi(d)
	month, _ := strconv.Atoi(m)
	year, _ := strconv.Atoi(y)
	if len(y) == 2 {
		year += 2000
		if year > now.Year() {
			year -= 100
		}
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month || year < 1900 {
		return "", askAgain(fmt.Sprintf("Ngày %d/%d/%d không có trên lịch. Xin xem lại giúp tôi.", day, month, year))
	}
	if past && t.After(now) {
		return "", askAgain(fmt.Sprintf("Ngày %02d/%02d/%d chưa tới. Xin xem lại giúp tôi.", day, month, year))
	}
	return t.Format(time.DateOnly), nil
}

// digitRunRe finds a number written with spaces, dots or dashes between
// groups of digits.
var digitRunRe = regexp.MustCompile(`\+?\d[\d .\-]*\d|\d`)

// oneNumber returns the one number in the input, as typed (spaces, dots
// and dashes between its digits) and as its digits only; false when there
// is none or more than one.
func oneNumber(in string) (run, digits string, ok bool) {
	runs := digitRunRe.FindAllString(in, -1)
	if len(runs) != 1 {
		return "", "", false
	}
	return runs[0], digitsOf(runs[0]), true
}

// parseDigits finds the one number in the input and checks its length.
func parseDigits(in string, min, max int) (string, error) {
	_, digits, ok := oneNumber(in)
	if !ok {
		if min == 12 {
			return "", askAgain("Xin nhập số định danh cá nhân gồm 12 chữ số, in trên thẻ căn cước.")
		}
		return "", askAgain("Xin nhập một con số.")
	}
	if len(digits) < min || len(digits) > max {
		if min == 12 {
			return "", askAgain(fmt.Sprintf("Số định danh cá nhân gồm đúng 12 chữ số; số vừa nhập có %d chữ số. Xin xem lại trên thẻ căn cước.", len(digits)))
		}
		return "", askAgain("Số này chưa đúng. Xin nhập lại.")
	}
	return digits, nil
}

// parseNumber reads a count or an amount: "2", "35.000.000", "35 triệu".
func parseNumber(in string) (string, error) {
	if m := amountRe.FindStringSubmatch(strings.ToLower(in)); m != nil {
		return strconv.FormatInt(parseAmount(m[1], m[2]), 10), nil
	}
	return parseDigits(in, 1, 18)
}

// parsePhone accepts 0903 123 456, 0903.123.456 and +84 903 123 456.
func parsePhone(in string) (string, error) {
	run, digits, ok := oneNumber(in)
	if !ok {
		return "", askAgain("Xin nhập số điện thoại 10 chữ số, ví dụ 0903 123 456.")
	}
	if strings.HasPrefix(run, "+84") || (strings.HasPrefix(digits, "84") && len(digits) == 11) {
		digits = "0" + strings.TrimPrefix(digits, "84")
	}
	if len(digits) != 10 || digits[0] != '0' {
		return "", askAgain(fmt.Sprintf("Số điện thoại gồm 10 chữ số, bắt đầu bằng số 0. Số vừa nhập có %d chữ số.", len(digits)))
	}
	return digits, nil
}

var (
	yesWords = map[string]bool{"co": true, "dung": true, "vang": true, "da": true, "u": true, "uh": true, "ok": true, "phai": true, "roi": true, "yes": true, "duoc": true, "chinh xac": true, "dung roi": true, "co a": true, "da co": true, "vang a": true, "da dung": true, "dung vay": true}
	noWords  = map[string]bool{"khong": true, "ko": true, "k": true, "sai": true, "chua": true, "no": true, "khong phai": true, "khong dung": true, "sai roi": true, "da khong": true, "khong a": true, "chua co": true}
)

// parseYesNo reads có/không and their common spoken forms.
func parseYesNo(in string) (bool, error) {
	s := strings.Trim(vietnamese.Fold(in), " .!?")
	if yesWords[s] {
		return true, nil
	}
	if noWords[s] {
		return false, nil
	}
	words := vietnamese.Words(in)
	hasNo, hasYes := false, false
	for _, w := range words {
		switch {
		case noWords[w]:
			hasNo = true
		case yesWords[w]:
			hasYes = true
		}
	}
	if hasNo != hasYes {
		return hasYes, nil
	}
	return false, askAgain("Xin trả lời “có” hoặc “không”.")
}

// parseOption picks a select option by its number, its value or its label,
// with or without diacritics.
func parseOption(f procedures.Field, in string) (string, error) {
	if n, ok := choiceNumber(in); ok && n >= 1 && n <= len(f.Options) {
		return f.Options[n-1].Value, nil
	}
	s := trimPolite(vietnamese.Fold(in))
	if v, ok := optionByKin(f, in); ok {
		return v, nil
	}
	if v, ok := optionByKeyword(f, s); ok {
		return v, nil
	}
	var partial []procedures.Option
	for _, o := range f.Options {
		label := vietnamese.Fold(o.Label)
		if s == label || s == vietnamese.Fold(o.Value) {
			return o.Value, nil
		}
		if s != "" && (strings.Contains(label, s) || strings.Contains(s, label) || wordsWithin(s, label)) {
			partial = append(partial, o)
		}
	}
	if len(partial) == 1 {
		return partial[0].Value, nil
	}
	return "", askAgain("Xin chọn một trong các số ở dưới.")
}

// wordsWithin reports whether every word of a is a word of b.
func wordsWithin(a, b string) bool {
	bw := strings.Fields(b)
	for _, w := range strings.Fields(a) {
		if !slices.Contains(bw, w) {
			return false
		}
	}
	return true
}

// parseAddress keeps an address as written but asks again when it is too
// short to find a house (a street or a ward must be there).
func parseAddress(in string) (string, error) {
	s := strings.Trim(joinWords(unsaid(in, addressLeadIns)), " ,.")
	if len(vietnamese.Words(s)) < 3 {
		return "", askAgain("Địa chỉ còn thiếu. Xin ghi số nhà, tên đường, phường, ví dụ: 12 Lê Lợi, phường Bến Thành.")
	}
	return s, nil
}

// isPersonName reports whether f asks a person's full name (not a
// business's or a host's, which may be a hotel).
func isPersonName(f procedures.Field) bool {
	return strings.HasSuffix(f.Name, "full_name") ||
		slices.Contains([]string{"household_head_name", "requester_name", "record_person_name"}, f.Name)
}

// What residents say around an answer, folded, longest first: a polite
// opening ("dạ", "vâng"), and the words that introduce a name or an
// address ("tên tôi là", "nhà tôi ở").
var (
	politeLeadIns  = []string{"da vang", "da thua", "da", "vang", "thua"}
	nameLeadIns    = append([]string{"ho va ten la", "ho ten la", "ten toi la", "toi ten la", "ten cua toi la", "ten toi", "toi ten", "ten la", "ten"}, politeLeadIns...)
	addressLeadIns = append([]string{"dia chi cua toi la", "dia chi la", "dia chi", "nha toi o", "toi o"}, politeLeadIns...)
	politeClosings = []string{"ạ", "nhé", "nha"}
)

// unsaid drops the words said around an answer: any of leadIns at its
// start (folded, so typed with or without diacritics) and a closing "ạ",
// and returns the answer's own words as written.
func unsaid(in string, leadIns []string) []string {
	words := strings.Fields(strings.NewReplacer(",", " , ", ".", " ").Replace(in))
	folded := strings.Fields(vietnamese.Fold(strings.Join(words, " ")))
	for again := len(folded) == len(words); again; {
		again = false
		for _, lead := range leadIns {
			n := len(strings.Fields(lead))
			if len(folded) > n && strings.Join(folded[:n], " ") == lead {
				words, folded, again = words[n:], folded[n:], true
				break
			}
		}
		for len(words) > 0 && words[0] == "," {
			words, folded = words[1:], folded[1:]
		}
	}
	if n := len(words); n > 0 && slices.Contains(politeClosings, strings.ToLower(words[n-1])) {
		words = words[:n-1]
	}
	return words
}

// joinWords writes words back with a comma against the word before it.
func joinWords(words []string) string {
	return strings.ReplaceAll(strings.Join(words, " "), " ,", ",")
}

// notNames are answers that are no name: yes, no and fillers, folded.
var notNames = []string{"co", "khong", "vang", "da", "da vang", "da co", "da khong", "vang a", "co a", "u", "uh", "ok", "oke",
	"dung", "dung roi", "roi", "xong", "tiep", "tiep tuc", "chua", "khong biet", "khong nho"}

// parsePersonName reads a person's full name as residents give it: the
// words said before it ("dạ, tên tôi là") and a closing "ạ" are dropped,
// and each word is written with a capital. A yes or no, a name with
// digits or a single word is asked again.
func parsePersonName(in string) (string, error) {
	if slices.Contains(notNames, trimPolite(vietnamese.Fold(in))) || slices.Contains(notNames, vietnamese.Fold(strings.Trim(in, " .,!"))) {
		return "", askAgain("Tôi cần họ và tên đầy đủ, ví dụ: Nguyễn Văn An.")
	}
	words := slices.DeleteFunc(unsaid(in, nameLeadIns), func(w string) bool { return w == "," })
	name := strings.Join(words, " ")
	switch {
	case strings.ContainsAny(name, "0123456789"):
		return "", askAgain("Họ và tên không có chữ số. Xin ghi lại, ví dụ: Nguyễn Văn An.")
	case len(words) < 2:
		return "", askAgain("Xin ghi đủ cả họ và tên, ví dụ: Nguyễn Văn An.")
	}
	return titleCase(name), nil
}

// titleCase writes each word of a name with a capital first letter.
func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		r := []rune(strings.ToLower(w))
		r[0] = unicode.ToUpper(r[0])
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}

// displayValue shows a canonical value the way a resident reads it.
func displayValue(f procedures.Field, v string) string {
	switch f.Type {
	case procedures.FieldDate:
		if len(v) == 4 {
			return "năm " + v
		}
		if day, ok := vietnamese.ISODay(v); ok {
			return day
		}
	case procedures.FieldIDNumber:
		if len(v) == 12 {
			return v[:4] + " " + v[4:8] + " " + v[8:]
		}
	case procedures.FieldPhone:
		if len(v) == 10 {
			return v[:4] + " " + v[4:7] + " " + v[7:]
		}
	case procedures.FieldBoolean:
		if v == "true" {
			return "Có"
		}
		return "Không"
	case procedures.FieldSelect:
		for _, o := range f.Options {
			if o.Value == v {
				return o.Label
			}
		}
	}
	return v
}
