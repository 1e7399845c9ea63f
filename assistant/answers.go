package assistant

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// The answers residents give in their own words rather than the form's:
// "dạ số 1", "cái thứ hai", a keyword of an option ("điện"), a kinship word
// for a relationship ("con trai", "bà nội"), a relative date ("hôm qua"),
// and "không nhớ". Each reading is exact or none: what is not understood
// is asked again, never guessed.

// politeWords open or close an answer without changing it.
var (
	politeOpen  = []string{"da vang", "da", "vang", "u", "a", "thi", "la", "toi chon", "em chon", "chau chon", "chon", "lay"}
	politeClose = []string{"a", "nhe", "nha", "di", "ha", "day", "roi", "ak"}
)

// trimPolite removes the words of politeness around a folded answer.
func trimPolite(folded string) string {
	s := strings.Trim(folded, " .!?,")
	for changed := true; changed; {
		changed = false
		for _, w := range politeOpen {
			if rest, ok := strings.CutPrefix(s, w+" "); ok {
				s, changed = strings.TrimSpace(rest), true
			}
		}
		for _, w := range politeClose {
			if rest, ok := strings.CutSuffix(s, " "+w); ok {
				s, changed = strings.TrimSpace(rest), true
			}
		}
	}
	return s
}

// ordinals are the "thứ …" forms; numberWords count only after "số",
// "cái", "mục" or "thứ", because bare number words collide with labels
// once diacritics are gone (năm/nam, bà/ba).
var (
	ordinals    = map[string]int{"thu nhat": 1, "dau tien": 1, "cai dau": 1, "thu hai": 2, "thu ba": 3, "thu tu": 4, "thu nam": 5, "thu sau": 6, "thu bay": 7, "thu tam": 8}
	numberWords = map[string]int{"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
)

// choiceNumber reads "2", "số 2", "dạ số 1", "số một", "thứ hai", "cái
// thứ hai" as the number of a listed choice.
func choiceNumber(in string) (int, bool) {
	s := trimPolite(vietnamese.Fold(in))
	counted := false
	for _, p := range []string{"cai ", "muc ", "so ", "phuong an ", "thu tuc "} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s, counted = strings.TrimSpace(rest), true
		}
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	if n, ok := ordinals[s]; ok {
		return n, true
	}
	if n, ok := numberWords[s]; ok && counted {
		return n, true
	}
	return 0, false
}

// genericWords are the words option labels share that do not tell them
// apart: the keyword of "Tiền điện" is "điện".
var genericWords = map[string]bool{"tien": true, "phi": true, "cuoc": true, "nguoi": true, "viec": true, "ly": true, "do": true, "hang": true}

// optionByKeyword picks the one option whose label, without its generic
// words, is what the resident typed.
func optionByKeyword(f procedures.Field, s string) (string, bool) {
	var found []string
	for _, o := range f.Options {
		var key []string
		for _, w := range vietnamese.Words(o.Label) {
			if !genericWords[w] {
				key = append(key, w)
			}
		}
		if len(key) > 0 && strings.Join(key, " ") == s {
			found = append(found, o.Value)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return "", false
}

// kin maps kinship words to the option values of the catalogue's
// relationship fields they may mean, most precise first.
var kin = []struct {
	words  []string
	values []string
}{
	{[]string{"chu ho", "toi la chu ho", "chinh toi", "ban than toi", "toi", "minh"}, []string{"chu_ho"}},
	{[]string{"vo", "chong", "vo toi", "chong toi", "ba xa", "ong xa", "vo chong", "nha toi"}, []string{"vo_chong"}},
	{[]string{"con", "con trai", "con gai", "con ruot", "con nuoi", "dua con", "thang con", "con ut", "con ca", "con toi"}, []string{"con"}},
	{[]string{"bo", "cha", "tia", "bo toi", "cha toi", "bo de", "cha de", "cha ruot", "bo ruot"}, []string{"cha", "cha_me"}},
	{[]string{"me", "me toi", "ma toi", "me ruot", "me de", "ma", "ma ruot"}, []string{"me", "cha_me"}},
	{[]string{"cha me", "bo me", "ba me", "ba ma", "bo ma"}, []string{"cha_me"}},
	{[]string{"ong", "ong noi", "ong ngoai", "ba noi", "ba ngoai", "ong ba", "ong ba noi", "ong ba ngoai"}, []string{"ong_ba"}},
	{[]string{"chau", "chau noi", "chau ngoai", "chau trai", "chau gai", "chau ruot"}, []string{"chau"}},
	{[]string{"anh", "chi", "em", "anh trai", "chi gai", "em trai", "em gai", "anh ruot", "chi ruot", "em ruot", "anh chi em", "anh em", "chi em"}, []string{"anh_chi_em"}},
	{[]string{"nguoi thue", "nguoi thue nha", "thue nha", "thue tro", "o tro", "o thue", "nguoi o tro"}, []string{"nguoi_thue"}},
	{[]string{"giam ho", "nguoi giam ho"}, []string{"giam_ho"}},
	{[]string{"con dau", "con re", "ban", "ban be", "nguoi quen", "ho hang", "co", "di", "chu", "bac", "cau", "mo", "thim"}, []string{"khac"}},
}

// kinValues reads a kinship word ("con trai", "bà nội", "dạ mẹ tôi") as the
// relationship values it may be. "ba" is the father in the South and "bà"
// the grandmother: without diacritics it is not read at all.
func kinValues(text string) []string {
	marked := strings.ToLower(strings.Trim(vietnamese.NFC(text), " .!?,"))
	s := trimPolite(vietnamese.Fold(text))
	for _, p := range []string{"toi la ", "nguoi do la ", "la ", "no la "} {
		s = strings.TrimPrefix(s, p)
	}
	for _, p := range []string{" cua toi", " cua chu ho", " chu ho"} {
		s = strings.TrimSuffix(s, p)
	}
	if s == "ba" {
		switch {
		case strings.Contains(marked, "bà"):
			return []string{"ong_ba"}
		case hasMarks(marked) || strings.Contains(marked, "ba "):
			return []string{"cha", "cha_me"}
		}
		return nil
	}
	for _, k := range kin {
		if slices.Contains(k.words, s) {
			return k.values
		}
	}
	return nil
}

// isRelationship reports whether f asks how one person is related to
// another.
func isRelationship(f procedures.Field) bool {
	return f.Type == procedures.FieldSelect && strings.HasPrefix(f.Name, "relation")
}

// optionByKin picks the option of a relationship field a kinship word
// means.
func optionByKin(f procedures.Field, text string) (string, bool) {
	if !isRelationship(f) {
		return "", false
	}
	for _, v := range kinValues(text) {
		for _, o := range f.Options {
			if o.Value == v {
				return v, true
			}
		}
	}
	return "", false
}

// relativeDays are the days residents count back from today.
var relativeDays = map[string]int{
	"hom nay": 0, "sang nay": 0, "trua nay": 0, "chieu nay": 0, "toi nay": 0, "bay gio": 0, "vua xong": 0, "luc nay": 0,
	"hom qua": -1, "toi qua": -1, "dem qua": -1, "sang qua": -1, "chieu qua": -1, "hom truoc": -1,
	"hom kia": -2, "hom kia nua": -3,
	"tuan truoc": -7, "tuan roi": -7, "thang truoc": -30, "thang roi": -30,
	"ngay mai": 1, "mai": 1, "ngay kia": 2, "tuan sau": 7, "tuan toi": 7, "thang sau": 30, "thang toi": 30, "nam sau": 365,
}

var (
	agoRe   = regexp.MustCompile(`^(\d+) (ngay|tuan|thang) (truoc|roi|nay)$`)
	aheadRe = regexp.MustCompile(`^(?:them |con |sau |khoang )?(\d+) (ngay|tuan|thang) (?:nua|toi|sau)$`)
)

// relativeDate reads "hôm qua", "tuần trước", "3 ngày trước", "thêm 2
// tuần nữa" as a day counted from today in Vietnam's time.
func relativeDate(folded string, now time.Time) (time.Time, bool) {
	s := trimPolite(folded)
	s = strings.TrimPrefix(s, "tu ")
	s = strings.TrimPrefix(s, "den ")
	s = strings.TrimPrefix(s, "vao ")
	today := now.In(vietnamese.Zone)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	if d, ok := relativeDays[s]; ok {
		switch d {
		case -30, 30:
			return day.AddDate(0, d/30, 0), true
		case 365:
			return day.AddDate(1, 0, 0), true
		}
		return day.AddDate(0, 0, d), true
	}
	sign, g := -1, agoRe.FindStringSubmatch(s)
	if g == nil {
		sign, g = 1, aheadRe.FindStringSubmatch(s)
	}
	if g == nil {
		return time.Time{}, false
	}
	n, _ := strconv.Atoi(g[1])
	if n > 3660 {
		return time.Time{}, false
	}
	switch g[2] {
	case "ngay":
		return day.AddDate(0, 0, sign*n), true
	case "tuan":
		return day.AddDate(0, 0, sign*7*n), true
	}
	return day.AddDate(0, sign*n, 0), true
}

// dontKnowWords say the resident does not know or remember the answer.
var dontKnowWords = []string{"khong nho", "khong biet", "quen roi", "quen", "khong ro", "toi quen", "khong nho ro", "chiu", "khong co so", "khong nho so", "quen mat", "khong nho nua", "khong biet nua"}

// isDontKnow reports whether the answer is "I don't know / remember".
func isDontKnow(folded string) bool {
	s := trimPolite(folded)
	return slices.Contains(dontKnowWords, s) || (len(vietnamese.Words(s)) <= 5 && containsPhrase(s, []string{"khong nho", "khong biet", "quen roi", "quen mat"}))
}

// yearRe is a year alone: "1950", "năm 1950", "sinh năm 1950".
var yearRe = regexp.MustCompile(`^(?:sinh )?(?:nam )?(\d{4})$`)

// openingFor finds whom an opening is for: the kinship words after "cho"
// ("làm căn cước cho mẹ tôi", "nhập khẩu cho cháu nội"), as said.
func openingFor(opening string) string {
	words := strings.Fields(strings.ToLower(vietnamese.NFC(opening)))
	for i, w := range words {
		if vietnamese.Fold(w) != "cho" {
			continue
		}
		for n := min(3, len(words)-i-1); n >= 1; n-- {
			said := strings.Trim(strings.Join(words[i+1:i+1+n], " "), ".,!?")
			if v := kinValues(said); len(v) > 0 && v[0] != "chu_ho" {
				return said
			}
		}
	}
	return ""
}
