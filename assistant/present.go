package assistant

import (
	"strconv"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/procedures"
)

// screen is what one reply puts to the resident after the turn's notes:
// the lines of its question and the buttons under it.
type screen struct {
	lines   []string
	choices []Choice
}

func (s *screen) say(lines ...string)          { s.lines = append(s.lines, lines...) }
func (s *screen) offer(choices ...Choice)      { s.choices = append(s.choices, choices...) }
func (s *screen) offerFirst(choices ...Choice) { s.choices = append(choices, s.choices...) }

// present puts the session's current position to the resident: the one
// question of this turn and its choices, after any notes the turn made.
// "Go back" and "call staff" are offered at every turn.
func (t *turn) present() {
	var s screen
	if t.askedNow {
		s.offer(Choice{ID: ChoiceYes, Label: "Có, đang xảy ra"}, Choice{ID: ChoiceNo, Label: "Không, đã qua rồi"}, t.choice(ChoiceHandoff))
		t.reply.Reply = joinLines(t.notes...)
		t.reply.Choices, t.reply.AskNow = s.choices, true
		return
	}
	if t.emergency {
		t.presentEmergency(&s)
	}
	if !t.presentService(&s) {
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
	t.reply.Reply = joinLines(append(t.notes, s.lines...)...)
	t.reply.Choices = s.choices
}

// presentCandidates lists the procedures found, numbered, for the resident
// to choose from.
func (t *turn) presentCandidates(s *screen) {
	var b strings.Builder
	b.WriteString(t.say("candidates"))
	for i, c := range t.sess.State.Candidates {
		label := strconv.Itoa(i+1) + ". " + c.Name
		b.WriteString("\n" + label)
		s.offer(Choice{ID: "p:" + c.Slug, Label: label})
	}
	s.say(b.String())
	s.offer(t.choice(ChoiceNone))
}

// presentExplanation puts the whole procedure on one screen, to be read
// or read aloud: what it is for, its steps, the documents, the fee, the
// time limit and where to submit; then one button starts the form.
func (t *turn) presentExplanation(s *screen) {
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
	if handedOver[t.entry.Slug] {
		s.say(t.say("explain_last_partner"))
		s.offer(Choice{ID: ChoiceNext, Label: t.say("choice_open_partner")})
		return
	}
	s.say(t.say("explain_last"))
	s.offer(Choice{ID: ChoiceNext, Label: t.say("choice_start_form")})
}

// sayFees says the fees, the time limit and where to submit.
func (t *turn) sayFees(s *screen, f facts) {
	fees := f.fees()
	s.say(fees)
	t.cite(f.cite(SectionFees, fees))
	if p := f.processing(); p != "" {
		s.say(p)
		t.cite(f.cite(SectionProcessing, p))
	}
	t.saySubmitAt(s, f)
}

func (t *turn) saySubmitAt(s *screen, f facts) {
	if at := f.submitAt(); at != "" {
		s.say(at)
		t.cite(f.cite(SectionSubmitAt, at))
	}
}

// presentField asks the field being collected, or reads a scanned value
// back for the resident to confirm.
func (t *turn) presentField(s *screen) {
	field, ok := t.currentField()
	if !ok {
		return
	}
	t.reply.Field = &FieldPrompt{Name: field.Name, Label: field.Label, Type: field.Type}
	if len(t.sess.State.Confirming) > 0 {
		v := t.sess.Fields[field.Name]
		key := "scan_confirm"
		if v.Provenance == FromLLM {
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
func (t *turn) offerAnswers(s *screen, field procedures.Field) {
	switch field.Type {
	case procedures.FieldSelect:
		var b strings.Builder
		for i, o := range field.Options {
			label := strconv.Itoa(i+1) + ". " + o.Label
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(label)
			s.offer(Choice{ID: "opt:" + o.Value, Label: label})
		}
		s.say(b.String())
	case procedures.FieldBoolean:
		s.offer(Choice{ID: ChoiceYes, Label: "Có"}, Choice{ID: ChoiceNo, Label: "Không"})
	}
	if t.entry.Slug == SlugReport && field.Name == "address" && t.sess.StationID != "" {
		s.say(t.say("report_here"))
		s.offer(Choice{ID: "opt:" + AtStation, Label: AtStation})
	}
	if field.Name == PhotoField {
		s.offer(t.choice(ChoiceNext))
	}
}

// presentReview reads every field back, numbered, with a button to edit
// each, and confirm once nothing required is missing.
func (t *turn) presentReview(s *screen) {
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
		s.offerFirst(t.choice(ChoiceConfirm))
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
func (t *turn) presentDone(s *screen) {
	if t.sess.State.TrackingCode != "" {
		s.say(t.say("done_with_id", "id", t.sess.State.TrackingCode))
	} else {
		s.say(t.say("done"))
	}
	if w := t.sess.State.Ward; w != "" {
		s.say(t.say("done_ward", "ward", w))
	}
	t.feeOffer(s)
	t.sayExemption(s)
	if t.entry != nil {
		t.saySubmitAt(s, facts{p: t.svc.prompts, e: t.entry})
	}
	s.offer(t.choice(ChoiceRestart))
}

// sayExemption tells a filer whom the fee's rule exempts why nothing is
// owed, with the article: the same procedures.ChargeFor the dossier was
// charged by, from the date of birth the form holds.
func (t *turn) sayExemption(s *screen) {
	if t.entry == nil || len(t.entry.Fees) != 1 {
		return
	}
	who := procedures.Filer{Channel: procedures.ChannelOnline}
	if d, err := time.Parse(time.DateOnly, t.sess.Fields["date_of_birth"].Value); err == nil {
		who.BirthDate = d
	}
	if c := procedures.ChargeFor(t.entry.Fees[0], who, t.svc.now()); c.Exempt {
		s.say(c.Reason)
	}
}

func (t *turn) choice(id string) Choice {
	return Choice{ID: id, Label: t.say("choice_" + id)}
}

func (t *turn) cite(c procedures.Citation) {
	t.citations = append(t.citations, c)
}

func (t *turn) note(s string) {
	if s != "" {
		t.notes = append(t.notes, s)
	}
}

func (t *turn) say(key string, args ...string) string { return t.svc.prompts.Say(key, args...) }
