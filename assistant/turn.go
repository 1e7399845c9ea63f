package assistant

import (
	"context"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/pii"
	"github.com/citizenstation/citizenstation/procedures"
)

// turn is the state of one message going through the pipeline: the
// conversation it moves on (conversation.go), what the resident sent, what
// the pipeline understood of it, the answer being built and the trace
// stored with it. Its own methods only record into that state (note, cite,
// step, visit, usage). The steps that act on it are small types that wrap
// it, each in the file named for what it does:
//
//   - pipeline (pipeline.go): the steps in order, timed;
//   - router (route.go, model.go): the message read as an Intent;
//   - actor (act.go): the intent carried out;
//   - collector (collect.go, validate.go, photos.go): the form filled;
//   - answerer (questions.go, model.go, misses.go): questions answered;
//   - counter (services.go): the kiosk's own services carried out;
//   - cashier (cashier.go): bills and fees paid;
//   - emergencies (emergency.go): dangers reported;
//   - presenter (present.go, voice.go) and servicePresenter
//     (present_services.go): the position put to the resident.
type turn struct {
	svc *Service
	*conversation
	input
	understanding
	answer
	trace
}

// input is what the resident sent this turn.
type input struct {
	msg     Message
	text    string // NFC, trimmed
	folded  string
	onToken func(string)
	from    Stage // where the conversation was when it came
}

// understanding is what the pipeline made of the input.
type understanding struct {
	intent    Intent
	rewritten string
	retrieved []procedures.Result // everything the search returned
	relevant  []procedures.Result // above the relevance floor
	modelText string              // what the model wrote, for the output check
	phrased   string              // the model's checked rewording of the step explained
	ph        *pii.Placeholders   // the personal data the model saw as placeholders
}

// placeholders is the turn's stand-ins for personal data in text bound for
// the model: the names, date of birth, ID and phone numbers the form holds,
// and any others found by their shape. What the model writes keeps them
// until the resident reads it.
func (t *turn) placeholders() *pii.Placeholders {
	if t.ph != nil {
		return t.ph
	}
	t.ph = pii.NewPlaceholders()
	if t.entry == nil {
		return t.ph
	}
	for _, f := range t.entry.Form.Fields {
		v := t.sess.Fields[f.Name].Value
		switch {
		case v == "":
		case f.Type == procedures.FieldIDNumber:
			t.ph.Know(pii.KindID, v)
		case f.Type == procedures.FieldPhone:
			t.ph.Know(pii.KindPhone, v)
		case f.Name == "date_of_birth":
			t.ph.Know(pii.KindBirthDate, v)
		case f.Type == procedures.FieldText && (f.Name == "full_name" || strings.HasSuffix(f.Name, "_name")):
			t.ph.Know(pii.KindName, v)
		}
	}
	return t.ph
}

// answer is the reply being built: the notes the steps made, then the
// question present puts.
type answer struct {
	reply     *Reply
	status    Status
	notes     []string
	citations []procedures.Citation
	quiet     bool // the notes already ask the question
	emergency bool // the reply is the emergency numbers
	askedNow  bool // the reply asks whether a danger is happening now
}

// trace is how the turn went, stored with it and counted for the station.
type trace struct {
	route Route
	steps []Step
	flags []string
	model string
	usage Usage
	used  []UsageRecord // kiosk usage of this turn
}

// newTurn starts a turn on sess, whose procedure entry (if any) is entry.
func (s *Service) newTurn(sess *Session, entry *procedures.Entry) *turn {
	if sess.Fields == nil {
		sess.Fields = map[string]Value{}
	}
	return &turn{svc: s, conversation: &conversation{sess: sess, entry: entry},
		answer: answer{status: StatusAnswered, reply: &Reply{SessionID: sess.ID, PromptVersion: s.prompts.Version}}}
}

// step runs one pipeline step, times it and records its outcome. It
// returns true when the step ended the turn.
func (t *turn) step(name string, f func() string) bool {
	start := time.Now()
	outcome := f()
	t.steps = append(t.steps, Step{Name: name, Outcome: outcome, Millis: float64(time.Since(start).Microseconds()) / 1000})
	return outcome == "stop"
}

func (t *turn) skip(names ...string) {
	for _, n := range names {
		t.steps = append(t.steps, Step{Name: n, Outcome: "skipped"})
	}
}

// say is the prompt set's sentence key, filled with args.
func (t *turn) say(key string, args ...string) string { return t.svc.prompts.Say(key, args...) }

// choice is the button id with its label from the prompt set.
func (t *turn) choice(id string) Choice {
	return Choice{ID: id, Label: t.say("choice_" + id)}
}

// cite keeps a passage the reply quotes.
func (t *turn) cite(c procedures.Citation) {
	t.citations = append(t.citations, c)
}

// clarify asks again: the reply's status is clarify, after the sentence
// s that says why.
func (t *turn) clarify(s string) {
	t.status = StatusClarify
	t.note(s)
}

// note adds a sentence to the reply, before its question.
func (t *turn) note(s string) {
	if s != "" {
		t.notes = append(t.notes, s)
	}
}

func (t *turn) addUsage(u Usage) {
	t.model = t.svc.model.Name()
	t.usage.PromptTokens += u.PromptTokens
	t.usage.CompletionTokens += u.CompletionTokens
}

// modelStep records a model call as a sub-step; a failure is logged and
// marked as a fallback to the deterministic guide.
func (t *turn) modelStep(name string, start time.Time, err error) {
	s := Step{Name: name, Outcome: "ok", Millis: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		s.Outcome, s.Fallback = "fallback", true
		s.Detail = pii.Mask(err.Error())
		if len(s.Detail) > 300 {
			s.Detail = s.Detail[:300]
		}
		t.svc.log.Warn("model failed; deterministic guide answers", "step", name, "session", t.sess.ID, "err", s.Detail)
	}
	t.steps = append(t.steps, s)
}

// visit notes a step of the visit, recorded when the turn ends.
func (t *turn) visit(step, outcome string) {
	if t.sess.Procedure == nil {
		return
	}
	t.used = append(t.used, UsageRecord{StationID: t.sess.StationID, KioskSessionID: t.sess.KioskSessionID,
		Service: t.sess.Procedure.Slug, Step: step, Outcome: outcome})
}

// recordUsage writes the turn's usage; statistics never fail a turn. A
// turn that noted no step of its own records the stage it left the
// conversation at, so that a visit given up shows where: choosing,
// answering the form, reviewing it.
func (t *turn) recordUsage(ctx context.Context) {
	u := t.svc.services.Visits
	if u == nil || t.sess.KioskSessionID == "" || t.sess.StationID == "" {
		return
	}
	if len(t.used) == 0 {
		t.visit(string(t.sess.Stage), "")
	}
	for _, r := range t.used {
		if err := u.RecordUsage(ctx, r); err != nil {
			t.svc.log.Warn("kiosk usage not recorded", "session", t.sess.ID, "err", err)
		}
	}
}
