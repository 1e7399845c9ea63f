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
	g := &textGuard{
		text: text, lower: strings.ToLower(vietnamese.NFC(text)), folded: vietnamese.Fold(text),
		e: e, allowed: sayableAmounts(e, amounts), seen: map[string]bool{},
		out: CheckOutput(text, e, amounts...),
	}
	if e != nil {
		g.entryText = entryWords(e)
	}
	g.amounts()
	g.accounts()
	g.secrets()
	g.links()
	g.phones()
	g.offices()
	g.negations()
	return g.out
}

// textGuard is one model text being checked against its entry; each check
// adds what it finds, once.
type textGuard struct {
	text, lower, folded string
	e                   *procedures.Entry
	entryText           string // entryWords of e, "" without one
	allowed             map[int64]bool
	seen                map[string]bool
	out                 []Violation
}

func (g *textGuard) add(kind, value string) {
	if !g.seen[kind+value] {
		g.seen[kind+value] = true
		g.out = append(g.out, Violation{Kind: kind, Value: value})
	}
}

// amounts catches amounts the unit pattern misses: the unit glued on
// ("20.000đ") or the number in words ("hai mươi nghìn").
func (g *textGuard) amounts() {
	for _, m := range gluedAmountRe.FindAllStringSubmatch(g.lower, -1) {
		if n := parseAmount(m[1], m[2]); n >= 1000 && !g.allowed[n] {
			g.add("amount", strings.TrimSpace(m[1]+m[2]))
		}
	}
	for _, m := range amountWordsRe.FindAllStringSubmatch(g.folded, -1) {
		n := wordsAmount(m[1])
		switch m[2] {
		case "trieu":
			n *= 1_000_000
		default:
			n *= 1000
		}
		if n > 0 && !g.allowed[n] {
			g.add("amount", strings.TrimSpace(m[0]))
		}
	}
}

// accounts catches bank account or card numbers.
func (g *textGuard) accounts() {
	for _, m := range accountRe.FindAllString(g.text, -1) {
		if d := digitsOf(m); len(d) >= 8 && !strings.Contains(g.entryText, d) && !isAmountText(m) {
			g.add("account", m)
		}
	}
}

// secrets catches a request for an OTP, a password or a PIN.
func (g *textGuard) secrets() {
	if secretRe.MatchString(g.folded) {
		g.add("secret_request", secretRe.FindString(g.folded))
	}
}

// links catches links the entry does not give.
func (g *textGuard) links() {
	for _, l := range linkRe.FindAllString(g.lower, -1) {
		if !strings.Contains(g.entryText, strings.TrimRight(strings.TrimPrefix(strings.TrimPrefix(l, "https://"), "http://"), "/.,")) {
			g.add("link", l)
		}
	}
}

// phones catches phone numbers other than the emergency ones and the
// entry's.
func (g *textGuard) phones() {
	for _, p := range phoneRe.FindAllString(g.text, -1) {
		if d := digitsOf(p); !emergencyNumber[d] && !strings.Contains(g.entryText, d) {
			g.add("phone", p)
		}
	}
}

// offices catches a district office: districts were abolished on 1 July
// 2025, so no office of theirs exists unless the entry itself names one.
func (g *textGuard) offices() {
	if w := procedures.AbolishedLevels(g.text); len(w) > 0 && (g.e == nil || len(procedures.AbolishedLevels(g.entryText)) == 0) {
		g.add("office", w[0])
	}
}

// negations catches a claim that contradicts the entry: no documents
// needed where it lists some, free where it charges, or a required
// document left out of "all you need".
func (g *textGuard) negations() {
	if g.e == nil {
		if freeRe.MatchString(g.folded) {
			g.add("negation", freeRe.FindString(g.folded))
		}
		return
	}
	if d := droppedDocument(g.folded, g.e); d != "" {
		g.add("drops_document", d)
	}
	if noDocumentsRe.MatchString(g.folded) && requiresDocuments(g.e) {
		g.add("negation", noDocumentsRe.FindString(g.folded))
	}
	if freeRe.MatchString(g.folded) && chargesFee(g.e) {
		g.add("negation", freeRe.FindString(g.folded))
	}
}

// digitsOf is s with everything but its digits taken out.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// emergencyNumber are the national numbers any reply may give.
var emergencyNumber = map[string]bool{"113": true, "114": true, "115": true, "111": true}

func isAmountText(s string) bool { return strings.Count(s, ".") >= 1 && len(s) <= 11 }

// entryWords is the entry's text with digits joined, for looking up numbers
// and links it gives.
func entryWords(e *procedures.Entry) string {
	parts := entryTexts(e, e.Name, e.Summary, e.Agency, e.Processing.Text, e.Source.URL)
	all := strings.ToLower(strings.Join(parts, " "))
	return all + " " + strings.NewReplacer(" ", "", ".", "", "-", "").Replace(all)
}

// onlyRe finds a claim that what follows is all the resident needs.
var onlyRe = regexp.MustCompile(`\b(chi can|chi mang|chi nop|chi phai|la du|la xong|khong can gi them|khong can them gi)\b`)

// droppedDocument returns the first required document of e that text,
// claiming to say all that is needed ("chỉ cần … là đủ"), does not name by
// its form code or most of its words; "" when it names them all or makes
// no such claim.
func droppedDocument(folded string, e *procedures.Entry) string {
	if !onlyRe.MatchString(folded) {
		return ""
	}
	for _, d := range e.Documents {
		if d.Optional {
			continue
		}
		if d.FormCode != "" && strings.Contains(folded, strings.ToLower(d.FormCode)) {
			continue
		}
		name, _, _ := strings.Cut(d.Name, "(")
		words := vietnamese.Words(name)
		named := 0
		for _, w := range words {
			if strings.Contains(" "+folded+" ", " "+w+" ") {
				named++
			}
		}
		if len(words) > 0 && 2*named < len(words) {
			return strings.TrimSpace(name)
		}
	}
	return ""
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
	// Sentences are checked as the model wrote them and sent with the
	// placeholders' values back.
	send := func(s string) { t.onToken(t.placeholders().Restore(s)) }
	return newSentenceGate(send, func(s string) bool {
		return len(GuardModelText(s, t.entry, servicePresenter{t}.allowedAmounts()...)) == 0
	})
}

// stream is the callback the model streams into; nil without a gate.
func (g *sentenceGate) stream() func(string) {
	if g == nil {
		return nil
	}
	return g.write
}
