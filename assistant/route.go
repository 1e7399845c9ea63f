package assistant

import (
	"slices"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// The deterministic router: what a message asks for at the session's
// position. It needs no model and is the default; a model only helps where
// its rules find nothing (router.understand in model.go).

// Intent is what the routing step understood a message to ask for.
type Intent struct {
	Action     string // back, handoff, resume, restart, next, choose, none, yes, no, skip, confirm, edit, value, question, describe, greet, thanks, scan, unclear, out_of_scope
	Arg        string // a slug, a field name or a value
	Provenance Provenance
	Question   string // a standalone question, when Action is question
}

var (
	backWords   = []string{"quay lai", "tro lai", "lui lai", "quay ve", "back", "buoc truoc", "lam lai buoc truoc"}
	personWords = []string{"gap nguoi", "goi nguoi", "nguoi that", "nguoi giup", "goi ho tro", "ho tro truc tiep", "gap cong an", "noi chuyen voi nguoi"}
	// staffWords ask for a person only when the message is a call ("cán bộ
	// ơi", "gặp cán bộ"): "đăng ký cho nhân viên quán đi học phòng cháy" or
	// "cán bộ phường xuống kiểm tra" describe a procedure.
	staffWords    = []string{"can bo", "nhan vien"}
	callWords     = []string{"gap", "goi", "cho gap", "can", "muon gap", "hoi", "noi chuyen voi", "nho", "keu"}
	greetWords    = []string{"xin chao", "chao", "chao ban", "chao em", "chao chau", "hello", "hi", "alo", "a lo", "chao co", "chao anh", "chao chi"}
	thanksWords   = []string{"cam on", "cam on nhe", "cam on em", "cam on chau", "cam on ban", "thank you", "thanks", "cam on nhieu"}
	nextWords     = []string{"tiep", "tiep tuc", "tiep di", "xem tiep", "ok", "oke", "duoc", "roi", "xong", "hieu roi", "bat dau", "khai", "lam tiep", "co", "vang", "da", "u"}
	confirmWords  = []string{"xac nhan", "dong y", "dung", "dung roi", "dung het", "ok", "co", "vang", "da", "chinh xac", "gui", "nop"}
	questionWords = []string{"bao nhieu", "bao lau", "may ngay", "o dau", "the nao", "lam sao", "khi nao", "bao gio", "co can", "can gi",
		"can nhung gi", "gi khong", "duoc khong", "phai khong", "the nao", "tai sao", "vi sao", "la gi", "nhu nao", "giay to", "le phi", "mang theo", "nop o", "hoi"}
)

func isOneOf(folded string, words []string) bool {
	s := strings.Trim(folded, " .!?,")
	return slices.Contains(words, s)
}

// callsStaff says whether a folded message calls for a staff member: a
// short message naming one, or one right after a call word ("gặp cán
// bộ", "gọi nhân viên giúp tôi").
func callsStaff(folded string) bool {
	words := vietnamese.Words(folded)
	for i := range words {
		for _, staff := range staffWords {
			sw := strings.Fields(staff)
			if i+len(sw) > len(words) || strings.Join(words[i:i+len(sw)], " ") != staff {
				continue
			}
			if len(words) <= 4 {
				return true
			}
			before := strings.Join(words[max(0, i-2):i], " ")
			for _, c := range callWords {
				if before == c || strings.HasSuffix(before, " "+c) {
					return true
				}
			}
		}
	}
	return false
}

func isQuestion(text, folded string) bool {
	return strings.Contains(text, "?") || containsPhrase(folded, questionWords)
}

// router reads the turn's message as an Intent for the position the
// conversation is at; with a model, understand (model.go) helps where the
// rules find nothing.
type router struct{ *turn }

// routeMessage is the deterministic router: first the rules that hold at
// any stage, then the stage's own. Within each, the first rule that
// matches wins: the order is the meaning.
func (t router) routeMessage() Intent {
	if in, ok := t.routeAnyStage(); ok {
		return in
	}
	f := t.folded
	switch t.sess.Stage {
	case StageIdentify:
		return Intent{Action: "describe"}
	case StageConfirm:
		return t.routeCandidates()
	case StageExplain:
		if isOneOf(f, nextWords) {
			return Intent{Action: "next"}
		}
		return t.question()
	case StageCollect:
		return t.routeFieldAnswer()
	case StageReview:
		return t.routeReview()
	case StageHandoff:
		if isOneOf(f, nextWords) {
			return Intent{Action: "resume"}
		}
	case StagePlaces:
		return Intent{Action: "find", Arg: t.text}
	case StageBills:
		return t.routeBills()
	case StagePay:
		return t.routePay()
	case StageDone:
		return t.routeDone()
	}
	return Intent{Action: "unclear"}
}

// routeAnyStage reads what means the same at every stage: a scan, the
// choice of an address form, a button, an empty message, going back,
// asking for staff, a greeting and thanks.
func (t router) routeAnyStage() (Intent, bool) {
	m, f := t.msg, t.folded
	if m.OCRResultID != "" {
		return Intent{Action: "scan", Arg: m.OCRResultID}, true
	}
	if form, ok := addressChosen(m.Choice, f); ok {
		return Intent{Action: "address", Arg: form}, true
	}
	if m.Choice != "" {
		return routeChoice(m.Choice, t.sess.Stage), true
	}
	switch {
	case f == "":
		return Intent{Action: "unclear"}, true
	case containsPhrase(f, backWords) && len(vietnamese.Words(f)) <= 5:
		return Intent{Action: "back"}, true
	case containsPhrase(f, personWords) || callsStaff(f):
		return Intent{Action: "handoff"}, true
	case isOneOf(f, greetWords):
		return Intent{Action: "greet"}, true
	case isOneOf(f, thanksWords):
		return Intent{Action: "thanks"}, true
	}
	return Intent{}, false
}

// question is the message asked as a question.
func (t router) question() Intent { return Intent{Action: "question", Question: t.text} }

// routeCandidates reads the answer to the list of procedures found: a
// number, yes to the only one, no to all, a name, or a question about them
// (answered at the list, which stays as it is); anything else describes
// the need again.
func (t router) routeCandidates() Intent {
	f, cands := t.folded, t.sess.State.Candidates
	if n, ok := choiceNumber(f); ok {
		if n >= 1 && n <= len(cands) {
			return Intent{Action: "choose", Arg: cands[n-1].Slug}
		}
		return Intent{Action: "unclear"}
	}
	if yes, err := parseYesNo(f); err == nil {
		if yes && len(cands) == 1 {
			return Intent{Action: "choose", Arg: cands[0].Slug}
		}
		if !yes {
			return Intent{Action: "none"}
		}
	}
	for _, c := range cands {
		if vietnamese.Fold(c.Name) == f {
			return Intent{Action: "choose", Arg: c.Slug}
		}
	}
	if isQuestion(t.text, f) {
		return t.question()
	}
	return Intent{Action: "describe"}
}

// routeReview reads the answer at the review: confirmation, the number or
// the name of a field to edit, or a question.
func (t router) routeReview() Intent {
	f := t.folded
	if isOneOf(f, confirmWords) {
		return Intent{Action: "confirm"}
	}
	if n, ok := choiceNumber(f); ok {
		if fields := t.reviewFields(); n >= 1 && n <= len(fields) {
			return Intent{Action: "edit", Arg: fields[n-1].Name}
		}
	}
	if name, ok := t.fieldNamed(f); ok {
		return Intent{Action: "edit", Arg: name}
	}
	if isQuestion(t.text, f) {
		return t.question()
	}
	return Intent{Action: "unclear"}
}

// routeDone reads a message after the end: yes to paying the fee still
// owed, or a question.
func (t router) routeDone() Intent {
	if sv := t.sess.State.Service; sv != nil && sv.Fee > 0 && sv.Payment == nil {
		if yes, err := parseYesNo(t.folded); err == nil && yes {
			return Intent{Action: ChoicePayFee}
		}
	}
	if isQuestion(t.text, t.folded) {
		return t.question()
	}
	return Intent{Action: "unclear"}
}

func routeChoice(id string, stage Stage) Intent {
	switch id {
	case ChoiceBack, ChoiceHandoff, ChoiceNext, ChoiceSkip, ChoiceConfirm, ChoiceNone, ChoiceResume, ChoiceRestart, ChoiceYes, ChoiceNo,
		ChoiceCheck, ChoiceRetry, ChoicePayFee:
		return Intent{Action: id}
	}
	if bill, ok := strings.CutPrefix(id, "bill:"); ok && stage == StageBills {
		return Intent{Action: "choose", Arg: bill}
	}
	if slug, ok := strings.CutPrefix(id, "p:"); ok {
		return Intent{Action: "choose", Arg: slug}
	}
	if lang, ok := strings.CutPrefix(id, ChoiceLang); ok && stage == StagePlaces {
		return Intent{Action: "lang", Arg: lang}
	}
	if slug, ok := strings.CutPrefix(id, ChoiceStart); ok {
		return Intent{Action: "start", Arg: slug}
	}
	if v, ok := strings.CutPrefix(id, "opt:"); ok && stage == StageCollect {
		return Intent{Action: "value", Arg: v, Provenance: procedures.FromTyped}
	}
	if name, ok := strings.CutPrefix(id, "rewrite:"); ok && stage == StageCollect {
		return Intent{Action: "rewrite", Arg: name}
	}
	if name, ok := strings.CutPrefix(id, "edit:"); ok {
		return Intent{Action: "edit", Arg: name}
	}
	return Intent{Action: "unclear"}
}

// routeFieldAnswer decides whether text answers the field being asked or
// asks a question about the procedure.
func (t router) routeFieldAnswer() Intent {
	st := &t.sess.State
	if len(st.Confirming) > 0 {
		if yes, err := parseYesNo(t.text); err == nil {
			if yes {
				return Intent{Action: "yes"}
			}
			return Intent{Action: "no"}
		}
		// Anything else is the right value, typed in.
		return Intent{Action: "value", Arg: t.text, Provenance: procedures.FromTyped}
	}
	field, ok := t.currentField()
	if !ok {
		return Intent{Action: "unclear"}
	}
	if !field.Required && isOneOf(t.folded, []string{"bo qua", "khong co", "khong", "skip"}) && field.Type != procedures.FieldBoolean {
		return Intent{Action: "skip"}
	}
	if isDontKnow(t.folded) {
		return Intent{Action: "dont_know"}
	}
	free := field.Type == procedures.FieldText || field.Type == procedures.FieldAddress
	if free && isQuestion(t.text, t.folded) {
		return t.question()
	}
	if _, err := ParseValue(field, t.text); err != nil && isQuestion(t.text, t.folded) {
		return t.question()
	}
	return Intent{Action: "value", Arg: t.text, Provenance: procedures.FromTyped}
}

// routeBills reads which bill the resident pays.
func (t router) routeBills() Intent {
	sv := t.service()
	if n, ok := choiceNumber(t.folded); ok {
		if n >= 1 && n <= len(sv.Bills) {
			return Intent{Action: "choose", Arg: sv.Bills[n-1].ID}
		}
		return Intent{Action: "unclear"}
	}
	if yes, err := parseYesNo(t.folded); err == nil && yes && len(sv.Bills) == 1 {
		return Intent{Action: "choose", Arg: sv.Bills[0].ID}
	}
	if isOneOf(t.folded, confirmWords) && len(sv.Bills) == 1 {
		return Intent{Action: "choose", Arg: sv.Bills[0].ID}
	}
	return Intent{Action: "unclear"}
}

// routePay reads the resident's word while the QR is shown.
func (t router) routePay() Intent {
	f := t.folded
	switch {
	case containsPhrase(f, []string{"da tra", "da chuyen", "chuyen roi", "tra roi", "xong roi", "da thanh toan", "kiem tra"}) || isOneOf(f, nextWords):
		return Intent{Action: ChoiceCheck}
	case containsPhrase(f, []string{"ma moi", "thu lai", "lam lai", "tao lai"}):
		return Intent{Action: ChoiceRetry}
	}
	return Intent{Action: "unclear"}
}
