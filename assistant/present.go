package assistant

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/procedures"
)

// screen is what one reply puts to the resident after the turn's notes:
// the lines of its question, the same lines as read aloud, and the buttons
// under it.
type screen struct {
	lines   []string
	spoken  []string
	choices []Choice
}

func (s *screen) say(lines ...string) {
	s.lines = append(s.lines, lines...)
	s.spoken = append(s.spoken, lines...)
}

// sayAloud adds what is read aloud but not written: the options the
// buttons already show, named for a resident who listens.
func (s *screen) sayAloud(lines ...string) { s.spoken = append(s.spoken, lines...) }

// offerAloud offers choices the screen shows as buttons only: read aloud,
// their labels name them, one a line.
func (s *screen) offerAloud(choices ...Choice) {
	s.offer(choices...)
	for _, c := range choices {
		s.sayAloud(c.Label)
	}
}

func (s *screen) offer(choices ...Choice)      { s.choices = append(s.choices, choices...) }
func (s *screen) offerFirst(choices ...Choice) { s.choices = append(choices, s.choices...) }

// presenter puts the conversation's position to the resident: after the
// notes the steps made, the question of the stage and its choices.
type presenter struct{ *turn }

// present puts the session's current position to the resident: the one
// question of this turn and its choices, after any notes the turn made.
// "Go back" and "call staff" are offered at every turn.
func (t presenter) present() {
	var s screen
	lead := t.reportEmergency()
	if t.askedNow {
		s.offer(Choice{ID: ChoiceYes, Label: "Có, đang xảy ra"}, Choice{ID: ChoiceNo, Label: "Không, đã qua rồi"}, t.choice(ChoiceHandoff))
		t.reply.Reply = joinLines(t.notes...)
		t.reply.Speech = t.reply.Reply
		t.reply.Choices, t.reply.AskNow = s.choices, true
		return
	}
	if t.emergency {
		t.presentEmergency(&s)
	}
	if !(servicePresenter{t.turn}).presentService(&s) {
		switch t.sess.Stage {
		case StageIdentify:
			if !t.quiet {
				s.say(t.say("ask_again_need"))
			}
			s.offer(t.addressChoices()...)
		case StageConfirm:
			t.presentCandidates(&s)
		case StageExplain:
			t.presentExplanation(&s)
		case StageCollect:
			t.presentField(&s)
		case StageReview:
			t.presentReview(&s)
		case StageDone:
			t.presentDone(&s)
		case StageHandoff:
			if !t.emergency {
				s.say(t.say("handoff"))
			}
			s.offer(t.choice(ChoiceResume))
		}
	}
	if t.sess.Stage != StageHandoff {
		s.offer(t.choice(ChoiceBack))
	}
	s.offer(t.choice(ChoiceHandoff))
	said := append([]string{lead}, t.notes...)
	t.reply.Reply = joinLines(append(said, s.lines...)...)
	t.reply.Speech = joinLines(append(said, s.spoken...)...)
	t.reply.Choices = s.choices
}

// presentCandidates offers the procedures found, numbered, for the
// resident to choose from.
func (t presenter) presentCandidates(s *screen) {
	s.say(t.say("candidates"))
	for i, c := range t.sess.State.Candidates {
		s.offerAloud(Choice{ID: "p:" + c.Slug, Label: strconv.Itoa(i+1) + ". " + c.Name})
	}
	s.offer(t.choice(ChoiceNone))
}

// presentExplanation puts the whole procedure on one screen, to be read
// or read aloud: what it is for, its steps, the documents, the fee, the
// time limit and where to submit; then one button starts the form.
func (t presenter) presentExplanation(s *screen) {
	f := facts{p: t.svc.prompts, e: t.entry}
	s.say(t.say("chosen", "name", t.entry.Name))
	if t.entry.Summary != "" {
		s.say(t.say("explain_summary", "summary", strings.TrimSpace(t.entry.Summary)))
		t.cite(f.cite(SectionSummary, t.entry.Summary))
	}
	if len(t.entry.Steps) > 0 {
		steps := f.steps()
		t.cite(f.cite(SectionSteps, steps))
		if t.phrased != "" {
			steps = t.phrased
		}
		s.say(steps)
	}
	d := f.documents()
	s.say(d)
	t.cite(f.cite(SectionDocuments, d))
	t.sayFees(s, f)
	if t.servesPlaces(t.entry.Slug) {
		s.offer(Choice{ID: ChoiceNext, Label: t.say("choice_find_places")})
		return
	}
	if handedOver[t.entry.Slug] {
		s.say(t.say("explain_last_partner"))
		s.offer(Choice{ID: ChoiceNext, Label: t.say("choice_open_partner")})
		return
	}
	s.say(t.say("explain_last"))
	s.offer(Choice{ID: ChoiceNext, Label: t.say("choice_start_form")})
}

// sayFees says the fees, the time limit and where to submit.
func (t presenter) sayFees(s *screen, f facts) {
	fees := f.fees()
	s.say(fees)
	t.cite(f.cite(SectionFees, fees))
	if p := f.processing(); p != "" {
		s.say(p)
		t.cite(f.cite(SectionProcessing, p))
	}
	t.saySubmitAt(s, f)
}

func (t presenter) saySubmitAt(s *screen, f facts) {
	if at := f.submitAt(); at != "" {
		s.say(at)
		t.cite(f.cite(SectionSubmitAt, at))
	}
}

// presentField asks the field being collected, or reads a scanned value
// back for the resident to confirm.
func (t presenter) presentField(s *screen) {
	field, ok := t.currentField()
	if !ok {
		return
	}
	t.reply.Field = &FieldPrompt{Name: field.Name, Label: field.Label, Type: field.Type, Keyboard: t.keyboard(field)}
	if len(t.sess.State.Confirming) > 0 {
		v := t.sess.Fields[field.Name]
		key := "scan_confirm"
		if v.Provenance == procedures.FromModel {
			key = "model_confirm"
		}
		s.say(t.say(key, "label", strings.ToLower(field.Label), "value", displayValue(field, v.Value)))
		s.offer(t.choice(ChoiceYes), t.choice(ChoiceNo))
		return
	}
	question := field.Question
	if question == "" {
		question = t.say("ask_field", "label", strings.ToLower(field.Label))
	}
	if cur, ok := t.sess.Fields[field.Name]; ok && cur.Value != "" {
		question += " (Hiện ghi: " + displayValue(field, cur.Value) + ")"
	}
	s.say(question)
	s.offer(t.sess.State.Offers...)
	t.offerAnswers(s, field)
	if !field.Required {
		s.say(t.say("optional"))
		s.offer(t.choice(ChoiceSkip))
	}
}

// offerAnswers puts the answers a field has buttons for: its options, yes
// and no, "right here" for a report's place, "next" after the photos.
func (t presenter) offerAnswers(s *screen, field procedures.Field) {
	switch field.Type {
	case procedures.FieldSelect:
		for i, o := range field.Options {
			s.offerAloud(Choice{ID: "opt:" + o.Value, Label: strconv.Itoa(i+1) + ". " + o.Label})
		}
	case procedures.FieldBoolean:
		s.offer(Choice{ID: ChoiceYes, Label: "Có"}, Choice{ID: ChoiceNo, Label: "Không"})
	}
	if t.entry.Slug == SlugReport && field.Name == "address" && t.sess.StationID != "" {
		s.say(t.say("report_here"))
		s.offer(Choice{ID: "opt:" + AtStation, Label: AtStation})
	}
	if field.Name == PhotoField {
		t.reply.Photos = &PhotoPrompt{URL: "/api/v1/sessions/" + t.sess.ID + "/photos", Label: t.say("photos_take"), Max: MaxPhotos}
		s.offer(t.choice(ChoiceNext))
	}
}

// presentReview reads every field back, numbered, with a button to edit
// each, and confirm once nothing required is missing.
func (t presenter) presentReview(s *screen) {
	var b strings.Builder
	b.WriteString(t.say("review"))
	for i, f := range t.reviewFields() {
		v, ok := t.sess.Fields[f.Name]
		shown := "—"
		if ok && v.Value != "" {
			shown = displayValue(f, v.Value)
		}
		b.WriteString("\n" + strconv.Itoa(i+1) + ". " + f.Label + ": " + shown)
		s.offer(Choice{ID: "edit:" + f.Name, Label: t.say("choice_edit", "label", f.Label)})
	}
	s.say(b.String())
	if _, ok := t.entry.Field(PhotoField); !ok && t.entry.Slug == SlugReport {
		s.say(t.say("report_photos"))
	}
	m := t.missing()
	if len(m) == 0 {
		confirm := t.choice(ChoiceConfirm)
		confirm.Primary = true
		s.offerFirst(confirm)
		return
	}
	var labels []string
	for _, name := range m {
		f, _ := t.entry.Field(name)
		labels = append(labels, strings.ToLower(f.Label))
	}
	s.say(t.say("review_missing", "fields", strings.Join(labels, ", ")))
}

// presentDone tells the resident the dossier is filed, with its tracking
// code, any fee to pay and where to go next.
func (t presenter) presentDone(s *screen) {
	if t.sess.State.TrackingCode != "" {
		s.say(t.say("done_with_id", "id", t.sess.State.TrackingCode))
	} else {
		s.say(t.say("done"))
	}
	if w := t.sess.State.Ward; w != "" {
		s.say(t.say("done_ward", "ward", w))
	}
	if t.entry != nil && t.entry.Kind == procedures.KindProcedure {
		// The receipt and the tracking screen say the same words.
		s.say(t.say("done_next", "next", t.entry.AfterFiling()))
	}
	servicePresenter{t.turn}.feeOffer(s)
	t.sayExemption(s)
	if t.entry != nil {
		t.saySubmitAt(s, facts{p: t.svc.prompts, e: t.entry})
	}
	s.offer(t.choice(ChoiceRestart))
}

// sayExemption tells a filer whom the fee's rule exempts why nothing is
// owed, and anyone else the fee with its basis: the same
// procedures.ChargeFor the dossier was charged by, from the date of birth
// the form holds and the answer to the fee's question.
func (t presenter) sayExemption(s *screen) {
	if t.entry == nil || len(t.entry.Fees) != 1 {
		return
	}
	if c := procedures.ChargeFor(t.entry.Fees[0], t.filer(), t.svc.now()); c.Exempt || (c.Amount > 0 && !c.Unconfirmed) {
		s.say(c.Reason)
	}
}

// filer is who the dossier is for, as far as the fee is concerned: the
// birth date and the answer to the fee's question the form holds.
func (t presenter) filer() procedures.Filer {
	who := procedures.Filer{Channel: procedures.ChannelOnline}
	if d, err := time.Parse(time.DateOnly, t.sess.Fields["date_of_birth"].Value); err == nil {
		who.BirthDate = d
	}
	if v, ok := t.sess.Fields[procedures.FeeExemptField]; ok && v.Value != "" {
		declared := v.Value == "true"
		who.Declared = &declared
	}
	return who
}

// digitsOnly are the patterns of fields typed with digits alone.
var digitsOnly = regexp.MustCompile(`^(\[0-9\]|\\d)(\{\d+(,\d*)?\}|[+*])?$`)

// keyboardFor is the on-screen keyboard a field is typed with.
func keyboardFor(f procedures.Field) string {
	switch {
	case f.Type == procedures.FieldIDNumber || f.Type == procedures.FieldNumber || digitsOnly.MatchString(f.Pattern):
		return "numeric"
	case f.Type == procedures.FieldPhone:
		return "tel"
	}
	return "text"
}

// keyboard is the keyboard of field in this conversation: the four
// characters of a look-up are digits, but those of a payment's customer
// code may be letters.
func (t presenter) keyboard(f procedures.Field) string {
	if t.isProof(f) {
		if isPaymentCode(t.sess.Fields["dossier_code"].Value) {
			return "text"
		}
		return "numeric"
	}
	return keyboardFor(f)
}

// stageSteps number the stages of a procedure for the progress line.
var stageSteps = map[Stage]int{StageIdentify: 1, StageConfirm: 1, StageHandoff: 1, StageExplain: 2, StageCollect: 3, StageReview: 4, StageDone: 4}

// billSteps number a bill's payment from the kiosk's tile: its kind, its
// code, the bill, the QR code.
var billSteps = map[Stage]int{StageCollect: 1, StageBills: 3, StagePay: 4}

// progress is the kiosk's progress line: a look-up counts its questions
// and ends on its result; a procedure counts its stages.
func (t presenter) progress() string {
	if t.entry != nil && t.entry.Slug == SlugStatusLookup {
		if t.sess.Stage == StageDone {
			return t.say("progress_tracked")
		}
		for i, f := range t.entry.Form.Fields {
			if f.Name == t.sess.State.Field {
				return t.say("progress_step", "step", strconv.Itoa(i+1), "steps", strconv.Itoa(len(t.entry.Form.Fields)))
			}
		}
	}
	if t.sess.Stage == StagePlaces {
		return t.say("progress_places")
	}
	if t.entry != nil && t.entry.Slug == SlugReport && t.sess.State.Tile {
		return t.reportProgress()
	}
	if t.entry != nil && t.entry.Slug == SlugBillPayment && t.sess.State.Tile {
		if n, ok := billSteps[t.sess.Stage]; ok {
			if t.sess.Stage == StageCollect && t.sess.State.Field != "bill_kind" {
				n = 2
			}
			return t.say("progress_step", "step", strconv.Itoa(n), "steps", "4")
		}
		return t.say("progress_done")
	}
	return t.say("progress_step", "step", strconv.Itoa(max(1, stageSteps[t.sess.Stage])), "steps", "5")
}

// reportProgress counts a report's questions from the kiosk's tile, the
// read-back as the last step, and ends on "Hoàn tất".
func (t presenter) reportProgress() string {
	steps := len(t.entry.Form.Fields) + 1
	step := steps
	switch t.sess.Stage {
	case StageCollect:
		if i := slices.IndexFunc(t.entry.Form.Fields, func(f procedures.Field) bool { return f.Name == t.sess.State.Field }); i >= 0 {
			step = i + 1
		}
	case StageReview:
	default:
		return t.say("progress_done")
	}
	return t.say("progress_step", "step", strconv.Itoa(step), "steps", strconv.Itoa(steps))
}
