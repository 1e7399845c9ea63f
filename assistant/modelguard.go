package assistant

import (
	"regexp"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// The model guard: what a model writes reaches a resident only when it
// brings nothing the catalogue does not say. Beyond CheckOutput's amounts,
// form codes and documents, it catches amounts written in words or with a
// unit the amount pattern misses ("hai mươi nghìn", "20.000đ"), bank
// account numbers, requests for an OTP, password or PIN, links and phone
// numbers the entry does not give, and negations that contradict the entry
// ("không cần mang giấy tờ", "miễn phí" of a fee that is charged).

var (
	// Amounts with the unit glued on, which \b does not see after "đ".
	gluedAmountRe = regexp.MustCompile(`(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(đ|đồng|vnđ|vnd|k|ngàn|nghìn)(?:[^\p{L}\d]|$)`)
	// A run of 8 to 19 digits, spaces or dots between groups allowed: an
	// account or card number, never something the guide says.
	accountRe = regexp.MustCompile(`\b\d(?:[ .-]?\d){7,18}\b`)
	linkRe    = regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|info|xyz|top|io|me|link|ly|gl|cc|co|to|tk|ml|app|site|online|shop)\b(?:/\S*)?`)
	phoneRe   = regexp.MustCompile(`(?:\+84|\b0)(?:[ .-]?\d){8,10}\b|\b1\d{2,3}\b`)
	// Requests for what no official ever asks for.
	secretRe = regexp.MustCompile(`\b(otp|ma otp|ma xac thuc|ma xac nhan|mat khau|password|pin|ma pin|cvv|ma bao mat|so the ngan hang|chuyen khoan (vao|toi|den) (so )?tai khoan|so tai khoan|stk)\b`)
	// Negations a rewording may not add.
	noDocumentsRe = regexp.MustCompile(`\bkhong (can|phai|bat buoc) (mang|nop|xuat trinh|chuan bi|co)?\s*(theo )?(giay to|ho so|to khai|giay|ban sao|can cuoc|anh)`)
	freeRe        = regexp.MustCompile(`\b(mien phi|khong mat (tien|phi|le phi)|khong (thu|phai nop|can nop|can dong|phai dong) (tien|phi|le phi)|free)\b`)
)

// amountNumberWords read a Vietnamese amount said in words: "hai mươi nghìn",
// "mười lăm nghìn đồng", "một trăm năm mươi nghìn".
var amountNumberWords = map[string]int64{"khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
	"sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10, "muoi mot": 11, "mot muoi": 10}

var amountWordsRe = regexp.MustCompile(`\b((?:(?:khong|mot|hai|ba|bon|tu|nam|lam|sau|bay|tam|chin|muoi|muoi|tram|linh|le|mươi) ?)+)(nghin|ngan|trieu)( dong)?\b`)

// wordsAmount turns the folded words before a unit into a number:
// "hai muoi" → 20, "mot tram nam muoi" → 150, "muoi lam" → 15.
func wordsAmount(words string) int64 {
	var total, cur int64
	for _, w := range strings.Fields(words) {
		switch w {
		case "tram":
			if cur == 0 {
				cur = 1
			}
			total += cur * 100
			cur = 0
		case "muoi":
			if cur == 0 {
				cur = 1
			}
			cur *= 10
		case "linh", "le":
		default:
			cur += amountNumberWords[w]
		}
	}
	return total + cur
}

// GuardModelText returns what a model's text brings that entry does not
// say: CheckOutput's findings and the model guard's. amounts are those the
// kiosk services gave this session.
func GuardModelText(text string, e *procedures.Entry, amounts ...int64) []Violation {
	out := CheckOutput(text, e, amounts...)
	allowed := map[int64]bool{}
	for _, a := range amounts {
		allowed[a] = true
	}
	var entryText string
	if e != nil {
		for _, f := range e.Fees {
			allowed[f.Amount] = true
			if f.OnlineAmount != nil {
				allowed[*f.OnlineAmount] = true
			}
		}
		entryText = entryWords(e)
	}
	lower := strings.ToLower(vietnamese.NFC(text))
	folded := vietnamese.Fold(text)
	seen := map[string]bool{}
	add := func(kind, value string) {
		if !seen[kind+value] {
			seen[kind+value] = true
			out = append(out, Violation{Kind: kind, Value: value})
		}
	}
	for _, m := range gluedAmountRe.FindAllStringSubmatch(lower, -1) {
		if n := parseAmount(m[1], m[2]); n >= 1000 && !allowed[n] {
			add("amount", strings.TrimSpace(m[1]+m[2]))
		}
	}
	for _, m := range amountWordsRe.FindAllStringSubmatch(folded, -1) {
		n := wordsAmount(m[1])
		switch m[2] {
		case "trieu":
			n *= 1_000_000
		default:
			n *= 1000
		}
		if n > 0 && !allowed[n] {
			add("amount", strings.TrimSpace(m[0]))
		}
	}
	for _, m := range accountRe.FindAllString(text, -1) {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m)
		if len(digits) >= 8 && !strings.Contains(entryText, digits) && !isAmountText(m) {
			add("account", m)
		}
	}
	if secretRe.MatchString(folded) {
		add("secret_request", secretRe.FindString(folded))
	}
	for _, l := range linkRe.FindAllString(lower, -1) {
		if !strings.Contains(entryText, strings.TrimRight(strings.TrimPrefix(strings.TrimPrefix(l, "https://"), "http://"), "/.,")) {
			add("link", l)
		}
	}
	for _, p := range phoneRe.FindAllString(text, -1) {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, p)
		if !emergencyNumber[digits] && !strings.Contains(entryText, digits) {
			add("phone", p)
		}
	}
	if e != nil {
		if noDocumentsRe.MatchString(folded) && requiresDocuments(e) {
			add("negation", noDocumentsRe.FindString(folded))
		}
		if freeRe.MatchString(folded) && chargesFee(e) {
			add("negation", freeRe.FindString(folded))
		}
	} else if freeRe.MatchString(folded) {
		add("negation", freeRe.FindString(folded))
	}
	return out
}

// emergencyNumber are the national numbers any reply may give.
var emergencyNumber = map[string]bool{"113": true, "114": true, "115": true, "111": true}

func isAmountText(s string) bool { return strings.Count(s, ".") >= 1 && len(s) <= 11 }

// entryWords is the entry's text with digits joined, for looking up numbers
// and links it gives.
func entryWords(e *procedures.Entry) string {
	parts := []string{e.Name, e.Summary, e.Agency, e.Processing.Text, e.Source.URL}
	parts = append(parts, e.SubmitAt...)
	for _, s := range e.Steps {
		parts = append(parts, s.Title, s.Text)
	}
	for _, d := range e.Documents {
		parts = append(parts, d.Name, d.Note)
	}
	for _, f := range e.Fees {
		parts = append(parts, f.Label, f.Note)
	}
	all := strings.ToLower(strings.Join(parts, " "))
	return all + " " + strings.NewReplacer(" ", "", ".", "", "-", "").Replace(all)
}

func requiresDocuments(e *procedures.Entry) bool {
	for _, d := range e.Documents {
		if !d.Optional {
			return true
		}
	}
	return false
}

// chargesFee: the entry charges a fee or has one staff will tell; either
// way "free" is not true of it.
func chargesFee(e *procedures.Entry) bool {
	for _, f := range e.Fees {
		if f.Amount > 0 || f.Unconfirmed {
			return true
		}
	}
	return false
}

// Dropped returns what a rewording of source leaves out that the resident
// needs: its amounts, and the form codes of the entry's required documents
// it names. A step that loses "nộp lệ phí 15.000 đồng" or the tờ khai
// "CT01" the resident must bring is not a rewording.
func Dropped(rewritten, source string, e *procedures.Entry) []string {
	var out []string
	rw := strings.ToLower(rewritten)
	for _, m := range amountRe.FindAllStringSubmatch(strings.ToLower(source), -1) {
		n := parseAmount(m[1], m[2])
		if n < 1000 {
			continue
		}
		found := false
		for _, r := range amountRe.FindAllStringSubmatch(rw, -1) {
			found = found || parseAmount(r[1], r[2]) == n
		}
		if !found {
			out = append(out, strings.TrimSpace(m[0]))
		}
	}
	if e == nil {
		return out
	}
	for _, d := range e.Documents {
		c := strings.ToUpper(d.FormCode)
		if d.Optional || c == "" || !strings.Contains(strings.ToUpper(source), c) {
			continue
		}
		if !strings.Contains(strings.ToUpper(rewritten), c) {
			out = append(out, d.FormCode)
		}
	}
	return out
}

// sentenceGate holds a model's streamed text until a sentence ends, checks
// the sentence, and only then passes it on. Once a sentence fails, nothing
// more is passed: the turn's output check replaces the model's text with
// the deterministic step.
type sentenceGate struct {
	check  func(string) bool
	send   func(string)
	buf    strings.Builder
	failed bool
}

func newSentenceGate(send func(string), check func(string) bool) *sentenceGate {
	return &sentenceGate{check: check, send: send}
}

// write takes a chunk; complete sentences are checked and sent.
func (g *sentenceGate) write(chunk string) {
	if g.failed {
		return
	}
	g.buf.WriteString(chunk)
	text := g.buf.String()
	cut := strings.LastIndexAny(text, ".!?\n")
	if cut < 0 {
		return
	}
	// "15.000" is no sentence end: a dot between digits is kept.
	for cut > 0 && text[cut] == '.' && cut+1 < len(text) && isDigit(text[cut+1]) && isDigit(text[cut-1]) {
		cut = strings.LastIndexAny(text[:cut], ".!?\n")
	}
	if cut < 0 || (text[cut] == '.' && cut+1 == len(text) && cut > 0 && isDigit(text[cut-1])) {
		return // the dot may be a thousands separator: wait for more
	}
	sentence := text[:cut+1]
	g.buf.Reset()
	g.buf.WriteString(text[cut+1:])
	if !g.check(sentence) {
		g.failed = true
		return
	}
	g.send(sentence)
}

// flush checks and sends what is left when the model is done.
func (g *sentenceGate) flush() {
	if g == nil || g.failed || g.buf.Len() == 0 {
		return
	}
	rest := g.buf.String()
	g.buf.Reset()
	if !g.check(rest) {
		g.failed = true
		return
	}
	g.send(rest)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// gate is the turn's streaming gate: sentences reach the resident only
// after the model guard passed them. Without a stream it is nil.
func (t *turn) gate() *sentenceGate {
	if t.onToken == nil {
		return nil
	}
	return newSentenceGate(t.onToken, func(s string) bool { return len(GuardModelText(s, t.entry, t.allowedAmounts()...)) == 0 })
}

// stream is the callback the model streams into; nil without a gate.
func (g *sentenceGate) stream() func(string) {
	if g == nil {
		return nil
	}
	return g.write
}
