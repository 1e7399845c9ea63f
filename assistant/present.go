package assistant

import (
	"strconv"
	"strings"

	"github.com/citizenstation/citizenstation/procedures"
)

// present puts the session's current position to the resident: the one
// question of this turn and its choices, after any notes the turn made.
// "Go back" and "call staff" are offered at every turn.
func (t *turn) present() {
	var q []string
	var choices []Choice
	st := &t.sess.State
	q, choices, served := t.presentService(q, choices)
	switch {
	case served:
	case t.sess.Stage == StageIdentify:
		if !t.quiet {
			q = append(q, t.say("ask_again_need"))
		}
	case t.sess.Stage == StageConfirm:
		var b strings.Builder
		b.WriteString(t.say("candidates"))
		for i, c := range st.Candidates {
			label := strconv.Itoa(i+1) + ". " + c.Name
			b.WriteString("\n" + label)
			choices = append(choices, Choice{ID: "p:" + c.Slug, Label: label})
		}
		q = append(q, b.String())
		choices = append(choices, t.choice(ChoiceNone))
	case t.sess.Stage == StageExplain:
		f := facts{p: t.svc.prompts, e: t.entry}
		steps := len(t.entry.Steps)
		switch {
		case st.Page == 0:
			q = append(q, t.say("chosen", "name", t.entry.Name))
			if t.entry.Summary != "" {
				q = append(q, t.say("explain_summary", "summary", strings.TrimSpace(t.entry.Summary)))
				t.cite(f.cite(SectionSummary, t.entry.Summary))
			}
			if steps > 0 {
				q = append(q, t.say("explain_steps", "count", strconv.Itoa(steps)))
			}
		case st.Page <= steps:
			s := f.step(st.Page - 1)
			t.cite(f.cite(SectionSteps, s))
			if t.phrased != "" {
				s = t.phrased
			}
			q = append(q, s)
		case st.Page == steps+1:
			d := f.documents()
			q = append(q, d)
			t.cite(f.cite(SectionDocuments, d))
		default:
			fees := f.fees()
			q = append(q, fees)
			t.cite(f.cite(SectionFees, fees))
			if p := f.processing(); p != "" {
				q = append(q, p)
				t.cite(f.cite(SectionProcessing, p))
			}
			if s := f.submitAt(); s != "" {
				q = append(q, s)
				t.cite(f.cite(SectionSubmitAt, s))
			}
		}
		if st.Page < t.lastPage() {
			q = append(q, t.say("explain_more"))
			choices = append(choices, t.choice(ChoiceNext), Choice{ID: ChoiceSkip, Label: t.say("choice_skip_explain")})
		} else {
			q = append(q, t.say("explain_last"))
			choices = append(choices, t.choice(ChoiceNext))
		}
	case t.sess.Stage == StageCollect:
		field, ok := t.currentField()
		if !ok {
			break
		}
		t.reply.Field = &FieldPrompt{Name: field.Name, Label: field.Label, Type: field.Type}
		if len(st.Confirming) > 0 {
			v := t.sess.Fields[field.Name]
			q = append(q, t.say("scan_confirm", "label", strings.ToLower(field.Label), "value", displayValue(field, v.Value)))
			choices = append(choices, t.choice(ChoiceYes), t.choice(ChoiceNo))
			break
		}
		question := field.Question
		if question == "" {
			question = t.say("ask_field", "label", strings.ToLower(field.Label))
		}
		if cur, ok := t.sess.Fields[field.Name]; ok && cur.Value != "" {
			question += " (Hiện ghi: " + displayValue(field, cur.Value) + ")"
		}
		q = append(q, question)
		switch field.Type {
		case procedures.FieldSelect:
			var b strings.Builder
			for i, o := range field.Options {
				label := strconv.Itoa(i+1) + ". " + o.Label
				if i > 0 {
					b.WriteString("\n")
				}
				b.WriteString(label)
				choices = append(choices, Choice{ID: "opt:" + o.Value, Label: label})
			}
			q = append(q, b.String())
		case procedures.FieldBoolean:
			choices = append(choices, Choice{ID: ChoiceYes, Label: "Có"}, Choice{ID: ChoiceNo, Label: "Không"})
		}
		if t.entry.Slug == SlugReport && field.Name == "address" && t.sess.StationID != "" {
			q = append(q, t.say("report_here"))
			choices = append(choices, Choice{ID: "opt:" + AtStation, Label: AtStation})
		}
		if field.Name == PhotoField {
			choices = append(choices, t.choice(ChoiceNext))
		}
		if !field.Required {
			q = append(q, t.say("optional"))
			choices = append(choices, t.choice(ChoiceSkip))
		}
	case t.sess.Stage == StageReview:
		var b strings.Builder
		b.WriteString(t.say("review"))
		for i, f := range t.reviewFields() {
			v, ok := t.sess.Fields[f.Name]
			shown := "—"
			if ok && v.Value != "" {
				shown = displayValue(f, v.Value)
			}
			b.WriteString("\n" + strconv.Itoa(i+1) + ". " + f.Label + ": " + shown)
			choices = append(choices, Choice{ID: "edit:" + f.Name, Label: t.say("choice_edit", "label", f.Label)})
		}
		q = append(q, b.String())
		if _, ok := t.entry.Field(PhotoField); !ok && t.entry.Slug == SlugReport {
			q = append(q, t.say("report_photos"))
		}
		if m := t.missing(); len(m) > 0 {
			var labels []string
			for _, name := range m {
				f, _ := t.entry.Field(name)
				labels = append(labels, strings.ToLower(f.Label))
			}
			q = append(q, t.say("review_missing", "fields", strings.Join(labels, ", ")))
		} else {
			choices = append([]Choice{t.choice(ChoiceConfirm)}, choices...)
		}
	case t.sess.Stage == StageDone:
		if t.sess.State.TrackingCode != "" {
			q = append(q, t.say("done_with_id", "id", t.sess.State.TrackingCode))
		} else {
			q = append(q, t.say("done"))
		}
		q, choices = t.feeOffer(q, choices)
		if t.entry != nil {
			f := facts{p: t.svc.prompts, e: t.entry}
			if s := f.submitAt(); s != "" {
				q = append(q, s)
				t.cite(f.cite(SectionSubmitAt, s))
			}
		}
		choices = append(choices, t.choice(ChoiceRestart))
	case t.sess.Stage == StageHandoff:
		if !t.emergency {
			q = append(q, t.say("handoff"))
		}
		choices = append(choices, t.choice(ChoiceResume))
	}
	if t.sess.Stage != StageHandoff {
		choices = append(choices, t.choice(ChoiceBack))
	}
	choices = append(choices, t.choice(ChoiceHandoff))
	t.reply.Reply = joinLines(append(t.notes, q...)...)
	t.reply.Choices = choices
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
