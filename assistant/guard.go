package assistant

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Verdict is what the input check found in a message.
type Verdict string

const (
	VerdictClean     Verdict = "clean"
	VerdictInjection Verdict = "injection"   // instructions aimed at the assistant
	VerdictOthers    Verdict = "others_data" // asks for another person's data
	VerdictEmergency Verdict = "emergency"   // danger now: 113/114/115
	VerdictCrisis    Verdict = "crisis"      // self-harm: a person, now
)

// The input check is a fixed list of patterns on folded text (and, for words
// whose folded form is ambiguous, on the text with its diacritics). It is
// cheap, local and predictable; a model never decides it.
var (
	injectionRe = regexp.MustCompile(`\b(bo qua|phot lo|quen|lo di|khong can theo) (het |di |moi |tat ca |cac |nhung |toan bo )*(huong dan|chi dan|lenh|quy tac|chi thi|yeu cau)( truoc| tren| he thong)?` +
		`|ignore (all |any |the )?(previous|prior|above|earlier|your)? ?(instructions|rules|prompts?)` +
		`|disregard (all |the )?(previous|prior|above)? ?(instructions|rules)` +
		`|system prompt|developer mode|jailbreak|\bdan mode\b|you are now|act as |pretend (to be|you)` +
		`|(ban|may) (bay gio )?(la|dong vai) (mot )?(tro ly|ai|chatbot|nguoi) (khac|moi|khong)` +
		`|dong vai|(tiet lo|in ra|cho xem|hien thi) (prompt|loi nhac|huong dan he thong|cau lenh)` +
		`|(dat|sua|doi|cho) (le phi|phi) (thanh|bang|ve) ?0|mien phi cho toi|duyet ngay ho so|<\/?(system|assistant|instructions?)>`)
	othersRe = regexp.MustCompile(`(tra cuu|tra|xem|tim|cho biet|lay|doc)( giup| ho)?( toi)? (thong tin|so can cuoc|so cccd|can cuoc|so dien thoai|dia chi|ho so|ngay sinh|so dinh danh|cccd|sdt)( ca nhan)? cua (nguoi khac|hang xom|nguoi ta|nguoi nay|ong ay|ba ay|anh ay|chi ay|ong ta|ba ta|anh ta|co ta|ho|nha ben canh|mot nguoi|nguoi o|ong |ba |anh |chi |co |chu )` +
		`|(thong tin|so can cuoc|so dien thoai|dia chi|ho so) cua (nguoi khac|hang xom|nguoi ta)`)
	// "tu tu" is also "từ từ" (slowly): only in phrases that mean harm.
	crisisFolded = []string{"muon tu tu", "dinh tu tu", "se tu tu", "tu tu chet", "muon chet", "khong muon song", "ket lieu", "chet di cho xong", "song de lam gi", "ton thuong ban than", "cat tay"}
	crisisMarked = []string{"tự tử", "tự sát"}
)

// placeNames hold emergency words but name places a resident gives as an
// answer ("Bệnh viện Cấp cứu Trưng Vương" as a place of birth).
var placeNames = []string{"benh vien cap cuu"}

// CheckInput classifies a message before anything else reads it.
func CheckInput(text string) Verdict {
	folded := vietnamese.Fold(text)
	for _, name := range placeNames {
		folded = strings.ReplaceAll(folded, name, " ")
	}
	lower := strings.ToLower(vietnamese.NFC(text))
	if containsAny(lower, crisisMarked) || containsPhrase(folded, crisisFolded) {
		return VerdictCrisis
	}
	if DetectEmergency(text).Tense == TenseNow {
		return VerdictEmergency
	}
	if injectionRe.MatchString(folded) || injectionRe.MatchString(lower) {
		return VerdictInjection
	}
	if othersRe.MatchString(folded) {
		return VerdictOthers
	}
	return VerdictClean
}

func containsPhrase(folded string, phrases []string) bool {
	padded := " " + folded + " "
	for _, p := range phrases {
		if strings.Contains(padded, " "+p+" ") || strings.Contains(padded, " "+p+",") || strings.Contains(padded, " "+p+"!") || strings.Contains(padded, " "+p+".") {
			return true
		}
	}
	return false
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// containsWord matches whole words of text that keeps its diacritics.
func containsWord(lower string, words []string) bool {
	fields := strings.FieldsFunc(lower, func(r rune) bool { return !isWordRune(r) })
	joined := " " + strings.Join(fields, " ") + " "
	for _, w := range words {
		if strings.Contains(joined, " "+w+" ") {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool {
	return r == '_' || ('0' <= r && r <= '9') || (r >= 'a' && r <= 'z') || r > 127
}

// The output check: every amount, form code and document a reply mentions
// must be in the entry it is about. Anything else is caught and the reply is
// replaced by facts rendered from the entry.

var (
	amountRe = regexp.MustCompile(`(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(triệu|trieu|nghìn|nghin|ngàn|ngan|k\b|đồng|dong|đ\b|vnd|vnđ)`)
	// Form codes as printed on Vietnamese forms: CT01, TK01, DK13, TP/HT-2020-KS.1
	formCodeRe = regexp.MustCompile(`\b(?:[A-ZĐ]{2,3}\d{1,3}[a-z]?|TP/[A-Z]{2}-\d{4}-[A-Z.0-9]+|X\d{2}[a-z]?)\b`)
)

// knownDocuments are names of papers residents bring for one procedure or
// another. A reply that names one the entry does not list is wrong.
var knownDocuments = []string{
	"giay khai sinh", "so ho khau", "so tam tru", "ho chieu", "giay chung nhan ket hon", "giay chung tu",
	"giay xac nhan tinh trang hon nhan", "giay phep lai xe", "bang lai", "giay dang ky xe", "giay chung nhan quyen su dung dat",
	"so do", "so hong", "hop dong thue nha", "hop dong mua ban", "giay chung nhan dang ky ket hon", "anh the",
	"giay to tuy than", "giay kham suc khoe", "giay chung nhan suc khoe", "chung minh nhan dan", "giay bao tu",
	"visa", "thi thuc", "the tam tru", "giay phep lao dong", "ly lich tu phap", "giay uy quyen", "to khai",
	"giay chung sinh", "bien ban", "giay ra vien", "giay phep so huu vu khi",
}

// Violation is one fact in a reply that the entry does not contain.
type Violation struct {
	Kind  string `json:"kind"` // amount, form_code, document
	Value string `json:"value"`
}

// CheckOutput returns the facts a reply invents about entry. amounts are
// the ones the kiosk services gave (the bills found, the payment order):
// any other amount is invented, like a fee the entry does not have.
func CheckOutput(reply string, e *procedures.Entry, amounts ...int64) []Violation {
	var out []Violation
	allowed := sayableAmounts(e, amounts)
	codes, entryText := entryCodes(e)
	lower := strings.ToLower(reply)
	for _, m := range amountRe.FindAllStringSubmatch(lower, -1) {
		n := parseAmount(m[1], m[2])
		if n < 1000 && !(n == 0 && strings.Contains(m[0], "0")) {
			continue // a count of days or pages, not money
		}
		if !allowed[n] {
			out = append(out, Violation{Kind: "amount", Value: strings.TrimSpace(m[0])})
		}
	}
	for _, c := range formCodeRe.FindAllString(reply, -1) {
		if !codes[strings.ToUpper(c)] {
			out = append(out, Violation{Kind: "form_code", Value: c})
		}
	}
	folded := vietnamese.Fold(reply)
	for _, d := range knownDocuments {
		if strings.Contains(folded, d) && !strings.Contains(entryText, d) {
			out = append(out, Violation{Kind: "document", Value: d})
		}
	}
	return out
}

// sayableAmounts are the amounts a reply may name: the ones the kiosk
// services gave and the fees of e, if any.
func sayableAmounts(e *procedures.Entry, amounts []int64) map[int64]bool {
	allowed := map[int64]bool{}
	for _, a := range amounts {
		allowed[a] = true
	}
	if e == nil {
		return allowed
	}
	for _, f := range e.Fees {
		allowed[f.Amount] = true
		if f.OnlineAmount != nil {
			allowed[*f.OnlineAmount] = true
		}
	}
	return allowed
}

// entryCodes returns the form codes e gives and its folded text: anything
// the entry says may be repeated, its codes and the documents it names
// anywhere.
func entryCodes(e *procedures.Entry) (codes map[string]bool, folded string) {
	codes = map[string]bool{}
	if e == nil {
		return codes, ""
	}
	for _, d := range e.Documents {
		if d.FormCode != "" {
			codes[strings.ToUpper(d.FormCode)] = true
		}
	}
	parts := append(entryTexts(e, e.Name, e.Summary, e.Processing.Text), e.Applicants...)
	all := strings.Join(parts, " | ")
	for _, c := range formCodeRe.FindAllString(all, -1) {
		codes[strings.ToUpper(c)] = true
	}
	return codes, vietnamese.Fold(all)
}

// entryTexts is lead followed by what e says of where to submit, its
// steps, its documents and its fees.
func entryTexts(e *procedures.Entry, lead ...string) []string {
	parts := append(lead, e.SubmitAt...)
	for _, st := range e.Steps {
		parts = append(parts, st.Title, st.Text)
	}
	for _, d := range e.Documents {
		parts = append(parts, d.Name, d.Note)
	}
	for _, f := range e.Fees {
		parts = append(parts, f.Label, f.Note)
	}
	return parts
}

// parseAmount turns "50.000 đồng", "50 nghìn", "1,5 triệu" into đồng.
func parseAmount(num, unit string) int64 {
	unit = vietnamese.Fold(unit)
	clean := strings.NewReplacer(".", "", ",", "").Replace(num)
	n, _ := strconv.ParseInt(clean, 10, 64)
	switch unit {
	case "trieu":
		return n * 1_000_000
	case "nghin", "ngan", "k":
		return n * 1000
	}
	return n
}

var numberRe = regexp.MustCompile(`\d+`)

// NewNumbers returns the numbers of rewritten that source does not have:
// a rewording may not change a count, a time limit or an amount. Leading
// zeros do not count ("07" is "7").
func NewNumbers(rewritten, source string) []string {
	have := map[string]bool{}
	for _, n := range numberRe.FindAllString(strings.ReplaceAll(source, ".", ""), -1) {
		have[strings.TrimLeft(n, "0")] = true
	}
	var out []string
	for _, n := range numberRe.FindAllString(strings.ReplaceAll(rewritten, ".", ""), -1) {
		if !have[strings.TrimLeft(n, "0")] {
			out = append(out, n)
		}
	}
	return out
}
