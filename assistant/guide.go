package assistant

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// The deterministic guide: what each understood message does to the
// session, and how the session's position is put to the resident. It needs
// no model and is the default; a model only helps the routing step.

// Intent is what the routing step understood a message to ask for.
type Intent struct {
	Action     string // back, handoff, resume, restart, next, choose, none, yes, no, skip, confirm, edit, value, question, describe, greet, thanks, scan, unclear, out_of_scope
	Arg        string // a slug, a field name or a value
	Provenance Provenance
	Question   string // a standalone question, when Action is question
}

var (
	backWords     = []string{"quay lai", "tro lai", "lui lai", "quay ve", "back", "buoc truoc", "lam lai buoc truoc"}
	personWords   = []string{"can bo", "nhan vien", "gap nguoi", "goi nguoi", "nguoi that", "nguoi giup", "goi ho tro", "ho tro truc tiep", "gap cong an", "noi chuyen voi nguoi"}
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

func isQuestion(text, folded string) bool {
	return strings.Contains(text, "?") || containsPhrase(folded, questionWords)
}

// routeMessage is the deterministic router.
func (t *turn) routeMessage() Intent {
	m := t.msg
	if m.OCRResultID != "" {
		return Intent{Action: "scan", Arg: m.OCRResultID}
	}
	if form, ok := addressChosen(m.Choice, t.folded); ok {
		return Intent{Action: "address", Arg: form}
	}
	if m.Choice != "" {
		return routeChoice(m.Choice, t.sess.Stage)
	}
	f := t.folded
	switch {
	case f == "":
		return Intent{Action: "unclear"}
	case containsPhrase(f, backWords) && len(vietnamese.Words(f)) <= 5:
		return Intent{Action: "back"}
	case containsPhrase(f, personWords):
		return Intent{Action: "handoff"}
	case isOneOf(f, greetWords):
		return Intent{Action: "greet"}
	case isOneOf(f, thanksWords):
		return Intent{Action: "thanks"}
	}
	st := &t.sess.State
	switch t.sess.Stage {
	case StageIdentify:
		return Intent{Action: "describe"}
	case StageConfirm:
		if n, ok := choiceNumber(f); ok {
			if n >= 1 && n <= len(st.Candidates) {
				return Intent{Action: "choose", Arg: st.Candidates[n-1].Slug}
			}
			return Intent{Action: "unclear"}
		}
		if yes, err := parseYesNo(f); err == nil {
			if yes && len(st.Candidates) == 1 {
				return Intent{Action: "choose", Arg: st.Candidates[0].Slug}
			}
			if !yes {
				return Intent{Action: "none"}
			}
		}
		for _, c := range st.Candidates {
			if vietnamese.Fold(c.Name) == f {
				return Intent{Action: "choose", Arg: c.Slug}
			}
		}
		if isQuestion(t.text, f) {
			// A question about the procedures listed: answered at the
			// list, which stays as it is.
			return Intent{Action: "question", Question: t.text}
		}
		return Intent{Action: "describe"}
	case StageExplain:
		if isOneOf(f, nextWords) {
			return Intent{Action: "next"}
		}
		return Intent{Action: "question", Question: t.text}
	case StageCollect:
		return t.routeFieldAnswer()
	case StageReview:
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
			return Intent{Action: "question", Question: t.text}
		}
		return Intent{Action: "unclear"}
	case StageHandoff:
		if isOneOf(f, nextWords) {
			return Intent{Action: "resume"}
		}
		return Intent{Action: "unclear"}
	case StageBills:
		return t.routeBills()
	case StagePay:
		return t.routePay()
	case StageDone:
		if sv := st.Service; sv != nil && sv.Fee > 0 && sv.Payment == nil {
			if yes, err := parseYesNo(f); err == nil && yes {
				return Intent{Action: ChoicePayFee}
			}
		}
		if isQuestion(t.text, f) {
			return Intent{Action: "question", Question: t.text}
		}
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
	if v, ok := strings.CutPrefix(id, "opt:"); ok && stage == StageCollect {
		return Intent{Action: "value", Arg: v, Provenance: FromTyped}
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
func (t *turn) routeFieldAnswer() Intent {
	st := &t.sess.State
	if len(st.Confirming) > 0 {
		if yes, err := parseYesNo(t.text); err == nil {
			if yes {
				return Intent{Action: "yes"}
			}
			return Intent{Action: "no"}
		}
		// Anything else is the right value, typed in.
		return Intent{Action: "value", Arg: t.text, Provenance: FromTyped}
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
		return Intent{Action: "question", Question: t.text}
	}
	if _, err := ParseValue(field, t.text); err != nil && isQuestion(t.text, t.folded) {
		return Intent{Action: "question", Question: t.text}
	}
	return Intent{Action: "value", Arg: t.text, Provenance: FromTyped}
}

// act carries out the intent and sets the reply's status.
func (t *turn) act(ctx context.Context, in Intent) error {
	switch in.Action {
	case "back":
		t.goBack()
		return nil
	case "handoff":
		t.handoff()
		return nil
	case "resume":
		if t.sess.Stage == StageHandoff && t.sess.State.Before != nil {
			t.note(t.say("resume"))
			t.restore(*t.sess.State.Before)
			return nil
		}
	case "restart":
		t.push()
		t.note(t.say("restart"))
		t.sess.Stage, t.sess.Procedure, t.entry = StageIdentify, nil, nil
		t.sess.State.Candidates, t.sess.State.Field, t.sess.State.Draft = nil, "", nil
		t.sess.State.Service = nil
		return nil
	case "address":
		t.sess.State.Address = in.Arg
		t.note(t.say("address_set", "form", in.Arg))
		return nil
	case "greet":
		t.note(t.say("greeting"))
		return nil
	case "thanks":
		t.note(t.say("thanks"))
		return nil
	case "scan":
		return t.scan(ctx, in.Arg)
	case "out_of_scope":
		t.status = StatusOutOfScope
		t.note(t.say("out_of_scope"))
		return nil
	case "question":
		return t.answerQuestion(ctx, in)
	}
	switch t.sess.Stage {
	case StageIdentify, StageConfirm:
		return t.identify(ctx, in)
	case StageExplain:
		switch in.Action {
		case ChoiceNext, ChoiceYes, ChoiceSkip:
			t.push()
			if handedOver[t.entry.Slug] {
				t.handOver()
				return nil
			}
			t.startCollect()
			return nil
		}
	case StageCollect:
		return t.collect(ctx, in)
	case StageReview:
		switch in.Action {
		case ChoiceConfirm, ChoiceYes:
			if t.serves() {
				return t.serve(ctx)
			}
			return t.submit(ctx)
		case "edit":
			if _, ok := t.entry.Field(in.Arg); ok {
				t.push()
				t.sess.Stage, t.sess.State.Field, t.sess.State.Editing = StageCollect, in.Arg, true
				return nil
			}
		}
	case StageBills:
		if in.Action == "choose" {
			return t.payBill(ctx, in.Arg)
		}
	case StagePay:
		switch in.Action {
		case ChoiceCheck:
			return t.checkPayment(ctx)
		case ChoiceRetry:
			return t.retryPayment(ctx)
		}
	case StageDone:
		switch in.Action {
		case ChoiceConfirm:
			return nil
		case ChoicePayFee:
			if sv := t.sess.State.Service; sv != nil && sv.Fee > 0 && sv.Payment == nil {
				return t.order(ctx, OrderRequest{DossierID: sv.DossierID})
			}
		}
	}
	t.status = StatusClarify
	t.note(t.say("unclear"))
	return nil
}

// identify handles what the resident says they need and the choice among
// the procedures found.
func (t *turn) identify(ctx context.Context, in Intent) error {
	st := &t.sess.State
	switch in.Action {
	case "describe":
		if len(t.relevant) == 0 {
			t.recordMiss(ctx, MissNotFound, t.text, nil)
			t.status = StatusOutOfScope
			t.note(t.say("not_found"))
			t.quiet = true
			if t.sess.Stage != StageIdentify {
				t.push()
				t.sess.Stage = StageIdentify
			}
			return nil
		}
		t.push()
		st.LastQuery, st.Opening = t.rewritten, t.text
		st.Candidates = st.Candidates[:0]
		for _, r := range t.relevant {
			st.Candidates = append(st.Candidates, ProcedureRef{Slug: r.Slug, Name: r.Name})
		}
		t.sess.Stage = StageConfirm
		return nil
	case "choose":
		e, err := t.svc.entry(ctx, in.Arg)
		if err != nil {
			if apperr.IsKind(err, apperr.NotFound) {
				t.status = StatusClarify
				t.note(t.say("unclear"))
				return nil
			}
			return err
		}
		t.push()
		t.entry = e
		t.sess.Procedure = &ProcedureRef{Slug: e.Slug, Name: e.Name}
		t.sess.Stage = StageExplain
		if e.Slug == SlugReport {
			t.note(t.say("report_emergency_first")) // before any question
		}
		t.visit("explain", "")
		return nil
	case ChoiceNone, ChoiceNo:
		t.recordMiss(ctx, MissNoneFits, st.Opening, st.Candidates)
		t.push()
		t.sess.Stage, st.Candidates = StageIdentify, nil
		t.note(t.say("none_of_these"))
		t.quiet = true
		return nil
	}
	t.status = StatusClarify
	t.note(t.say("unclear"))
	return nil
}

// collect takes the answer to the field being asked.
func (t *turn) collect(ctx context.Context, in Intent) error {
	st := &t.sess.State
	field, ok := t.currentField()
	if !ok {
		t.advance()
		return nil
	}
	if len(st.Confirming) > 0 {
		switch in.Action {
		case ChoiceYes:
			v := t.sess.Fields[field.Name]
			v.Confirmed = true
			t.sess.Fields[field.Name] = v
			st.Confirming = st.Confirming[1:]
			t.advance()
			return nil
		case ChoiceNo:
			delete(t.sess.Fields, field.Name)
			st.Confirming = st.Confirming[1:]
			st.Warned = append(st.Warned, field.Name) // the card's value was refused: no contradiction to point out
			st.Field = field.Name
			t.note(t.say("scan_rejected"))
			return nil
		case "value":
			st.Confirming = st.Confirming[1:]
			st.Warned = append(st.Warned, field.Name)
		default:
			t.status = StatusClarify
			t.note(t.say("unclear"))
			return nil
		}
	}
	if field.Name == PhotoField && (in.Action == "value" || in.Action == ChoiceNext || in.Action == ChoiceYes) {
		return t.takePhotos(ctx, field)
	}
	st.Offers = nil
	switch in.Action {
	case ChoiceNext:
		return nil // a second touch of "Bắt đầu khai": the same question again
	case "rewrite", "edit":
		// Another field of the form (a name again, with diacritics): asked
		// now, then the form carries on where it was.
		if _, ok := t.entry.Field(in.Arg); ok && len(st.Confirming) == 0 {
			t.push()
			st.Field = in.Arg
			if in.Action == "rewrite" {
				delete(t.sess.Fields, in.Arg)
				t.note(t.say("name_marks_again"))
			}
			return nil
		}
	case "dont_know":
		t.dontKnow(field)
		return nil
	case ChoiceSkip:
		if field.Required {
			t.status = StatusClarify
			t.note(t.say("unclear"))
			return nil
		}
		t.push()
		st.Skipped = append(st.Skipped, field.Name)
		t.advance()
		return nil
	case ChoiceYes, ChoiceNo:
		if field.Type != procedures.FieldBoolean {
			break
		}
		in = Intent{Action: "value", Arg: strconv.FormatBool(in.Action == ChoiceYes), Provenance: FromTyped}
		fallthrough
	case "value":
		v, err := ParseValue(field, in.Arg)
		if err != nil {
			var fe *procedures.FieldError
			if !errors.As(err, &fe) {
				return err
			}
			t.status = StatusClarify
			t.note(t.say("field_invalid", "error", fe.Message))
			return nil
		}
		if msg := t.checkDate(field, v); msg != "" {
			t.status = StatusClarify
			t.note(msg)
			return nil
		}
		if t.contradictsScan(field, v) {
			return nil
		}
		prov := in.Provenance
		if prov == "" {
			prov = FromTyped
		}
		t.push()
		if prov == FromLLM {
			// A value the model proposed is never certain: read back for
			// the resident to confirm, and kept marked for the reviewer.
			t.sess.Fields[field.Name] = Value{Value: v, Provenance: FromLLM, Confidence: ModelConfidence}
			st.Skipped = slices.DeleteFunc(st.Skipped, func(s string) bool { return s == field.Name })
			st.Confirming = append(st.Confirming, field.Name)
			t.advance()
			return nil
		}
		t.sess.Fields[field.Name] = Value{Value: v, Provenance: prov, Confidence: 1, Confirmed: true}
		st.Skipped = slices.DeleteFunc(st.Skipped, func(s string) bool { return s == field.Name })
		t.note(t.savedNote(field, in.Arg, v))
		t.askMarks(field, v)
		t.advance()
		return nil
	}
	t.status = StatusClarify
	t.note(t.say("unclear"))
	return nil
}

// submit hands the draft over when nothing required is missing.
func (t *turn) submit(ctx context.Context) error {
	if m := t.missing(); len(m) > 0 {
		t.status = StatusClarify
		t.push()
		t.sess.Stage, t.sess.State.Field = StageCollect, m[0]
		return nil
	}
	d := t.draft()
	t.sess.State.Draft = d
	if t.svc.dossiers != nil {
		ref, err := t.svc.dossiers.CreateDraft(ctx, *d)
		if err != nil {
			return err
		}
		t.sess.DossierID, t.sess.State.TrackingCode, t.sess.State.Ward = ref.ID, ref.TrackingCode, ref.Ward
		t.reply.Dossier = ref
		if err := t.offerFee(ctx, ref.ID); err != nil {
			return err
		}
		t.visit("dossier_filed", "dossier_filed")
	}
	t.push()
	t.sess.Stage = StageDone
	return nil
}

// goBack returns to the previous position.
func (t *turn) goBack() {
	t.route = RouteNavigation
	st := &t.sess.State
	if t.sess.Stage == StageDone {
		t.note(t.say("done_already"))
		return
	}
	if t.sess.Stage == StageHandoff && st.Before != nil {
		t.note(t.say("resume"))
		t.restore(*st.Before)
		return
	}
	if len(st.History) == 0 {
		t.note(t.say("back_at_start"))
		return
	}
	p := st.History[len(st.History)-1]
	st.History = st.History[:len(st.History)-1]
	t.note(t.say("back"))
	t.restore(p)
}

func (t *turn) reloadEntry(ctx context.Context) error {
	if t.reload == "" {
		return nil
	}
	e, err := t.svc.entry(ctx, t.reload)
	t.reload = ""
	if err != nil {
		return err
	}
	t.entry = e
	if t.sess.Stage == StageReview {
		t.sess.State.Draft = t.draft()
	}
	return nil
}

// handoff asks for a person; the position is kept to carry on after.
func (t *turn) handoff() {
	t.route = RoutePerson
	t.status = StatusHandoff
	if t.sess.Stage != StageHandoff {
		p := t.position()
		t.sess.State.Before = &p
		t.sess.Stage = StageHandoff
	}
}

// scan fills fields from a stored OCR result. Values are data: they go
// through the same parsers and checks as typed ones, and a value that holds
// instructions is dropped.
func (t *turn) scan(ctx context.Context, id string) error {
	if t.svc.scans == nil {
		t.status = StatusClarify
		t.note(t.say("scan_unreadable"))
		return nil
	}
	sc, err := t.svc.scans.Scan(ctx, id)
	if err != nil {
		if apperr.IsKind(err, apperr.NotFound) {
			t.status = StatusClarify
			t.note(t.say("scan_unreadable"))
			return nil
		}
		return err
	}
	st := &t.sess.State
	if st.Scanned == nil {
		st.Scanned = map[string]ScanField{}
	}
	kept := 0
	for name, f := range sc.Fields {
		if CheckInput(f.Value) != VerdictClean {
			t.flags = append(t.flags, "scan_field_dropped:"+name)
			continue
		}
		st.Scanned[name] = f
		kept++
	}
	if CheckInput(sc.Text) == VerdictInjection {
		t.flags = append(t.flags, "scan_text_injection")
	}
	if t.entry == nil || (t.sess.Stage != StageCollect && t.sess.Stage != StageReview) {
		if kept == 0 {
			t.note(t.say("scan_nothing"))
		} else {
			t.note(t.say("scan_filled", "count", strconv.Itoa(kept)))
		}
		return nil
	}
	n := t.applyScanned() + t.scannedCode(sc)
	if n == 0 {
		t.note(t.say("scan_nothing"))
		return nil
	}
	t.note(t.say("scan_filled", "count", strconv.Itoa(n)))
	if t.sess.Stage == StageReview && len(st.Confirming) > 0 {
		t.push()
		t.sess.Stage = StageCollect
	}
	if t.sess.Stage == StageCollect {
		t.advance()
	} else {
		st.Draft = t.draft()
	}
	return nil
}

// startCollect begins the form, with what scans already filled.
func (t *turn) startCollect() {
	t.sess.Stage = StageCollect
	t.applyOpening()
	t.applyScanned()
	t.note(t.say("collect_intro"))
	t.advance()
}

// dontKnow finds a way forward when the resident does not know or remember
// the answer: an optional field is skipped; a date that may be a year
// alone asks for the year; an ID number can be scanned; any other required
// field is left for last, to be filled at the review or with staff.
func (t *turn) dontKnow(field procedures.Field) {
	st := &t.sess.State
	switch {
	case !field.Required:
		t.note(t.say("dont_know_skip"))
	case field.Type == procedures.FieldDate && field.YearOnly:
		t.status = StatusClarify
		t.note(t.say("dont_know_year"))
		return
	case field.Type == procedures.FieldIDNumber:
		t.note(t.say("dont_know_id"))
	default:
		t.note(t.say("dont_know_later", "label", strings.ToLower(field.Label)))
	}
	t.push()
	st.Skipped = append(st.Skipped, field.Name)
	t.advance()
}

// savedNote reads the value saved back; a day said as "hôm qua" or "tuần
// trước" is read back as the date it was taken for.
func (t *turn) savedNote(field procedures.Field, said, v string) string {
	if field.Type == procedures.FieldDate {
		if _, ok := relativeDate(vietnamese.Fold(said), t.svc.now()); ok {
			return t.say("date_read_back", "said", strings.Trim(strings.ToLower(said), " .!?"), "value", displayValue(field, v))
		}
	}
	return t.say("field_saved", "value", displayValue(field, v))
}
