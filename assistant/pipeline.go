package assistant

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/pii"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// MaxTextLength bounds one message, like GOV.UK Chat's question limit: a
// resident's answer is never longer, and a long text is more likely an
// attempt at the model.
const MaxTextLength = 500

// SendOptions are per-request switches of Send.
type SendOptions struct {
	// Eval adds the pipeline's inner workings to the reply.
	Eval bool
	// OnToken receives the reply's text as a model streams it.
	OnToken func(string)
}

// Send runs one message through the pipeline and stores the turn. The steps
// are, in order: input check, rewrite, route, retrieve, answer, output
// check; each is timed and stored with the turn.
func (s *Service) Send(ctx context.Context, id string, m Message, opts SendOptions) (*Reply, error) {
	if err := validateMessage(&m); err != nil {
		return nil, err
	}
	sess, err := s.store.Get(ctx, id, s.now())
	if err != nil {
		return nil, err
	}
	entry, err := s.entryFor(ctx, sess)
	if err != nil {
		return nil, fmt.Errorf("load procedure %s: %w", sess.Procedure.Slug, err)
	}
	t := s.newTurn(sess, entry)
	t.msg, t.onToken, t.from = m, opts.OnToken, sess.Stage
	t.text = strings.TrimSpace(vietnamese.NFC(m.Text))
	t.folded = vietnamese.Fold(t.text)

	if err := (pipeline{t}).run(ctx); err != nil {
		if t, err = s.failedTurn(ctx, t, err); err != nil {
			return nil, err
		}
	}
	t.finish()
	if opts.Eval {
		t.reply.Eval = t.evalInfo()
	}
	t.sess.PromptVersion = s.prompts.Version
	t.sess.ExpiresAt = s.expiry(t.sess)
	if err := s.store.SaveTurn(ctx, t.sess, t.record()); err != nil {
		return nil, err
	}
	t.recordUsage(ctx)
	return t.reply, nil
}

// failedTurn answers a turn whose pipeline failed (the catalogue or the
// database is down): the session stays as it was, and the resident gets a
// reply with status error, the way to ask staff, and the same question.
// Errors about the request itself are returned as they are.
func (s *Service) failedTurn(ctx context.Context, t *turn, cause error) (*turn, error) {
	switch apperr.KindOf(cause) {
	case apperr.Invalid, apperr.NotFound, apperr.Conflict, apperr.RateLimited, apperr.Forbidden:
		return nil, cause
	}
	if ctx.Err() != nil {
		return nil, cause
	}
	sess, err := s.store.Get(ctx, t.sess.ID, s.now())
	if err != nil {
		return nil, cause
	}
	s.log.Error("assistant turn failed", "session", sess.ID, "err", cause)
	entry, _ := s.entryFor(ctx, sess)
	if sess.Procedure != nil && entry == nil {
		sess.Procedure, sess.Stage = nil, StageIdentify
	}
	f := s.newTurn(sess, entry)
	f.input, f.status, f.route = t.input, StatusError, t.route
	f.steps = append(t.steps, Step{Name: "error", Outcome: apperr.CodeOf(cause)})
	f.note(apperr.From(cause).Message)
	return f, nil
}

// pipeline runs the turn through its steps in order — input check,
// rewrite, route, retrieve, answer, output check — timing each into the
// turn's trace.
type pipeline struct{ *turn }

// run is the pipeline. A step that decides the reply by itself (an
// emergency, a guarded input) ends it early; the later steps are recorded
// as skipped.
func (t pipeline) run(ctx context.Context) error {
	if done := t.step("input_check", func() string { return t.checkInput(ctx) }); done {
		t.skip("rewrite", "route", "retrieve", "answer", "output_check")
		return nil
	}
	t.step("rewrite", t.rewrite)
	t.step("route", func() string { return t.routeStep(ctx) })
	var err error
	t.step("retrieve", func() string {
		var outcome string
		outcome, err = t.retrieve(ctx)
		return outcome
	})
	if err != nil {
		return err
	}
	t.step("answer", func() string {
		err = actor{t.turn}.act(ctx, t.intent)
		if err == nil {
			err = actor{t.turn}.reloadEntry(ctx)
		}
		return string(t.status)
	})
	if err != nil {
		return err
	}
	if t.svc.model != nil && t.sess.Stage == StageExplain && t.intent.Action == "choose" && len(t.entry.Steps) > 0 {
		t.step("phrase", func() string { return t.phrase(ctx) })
	}
	t.step("output_check", t.checkOutput)
	return nil
}

// phrase lets the model reword the steps of the procedure just chosen. The
// rewording is kept only when it brings no number, amount, form code or
// document that the steps and their entry do not have; otherwise the
// template stands.
func (t pipeline) phrase(ctx context.Context) string {
	step := facts{p: t.svc.prompts, e: t.entry}.steps()
	start := time.Now()
	gate := t.gate()
	text, usage, err := t.svc.model.Phrase(ctx, t.placeholders(), step, t.svc.prompts, gate.stream())
	t.addUsage(usage)
	if err == nil {
		if nums := NewNumbers(text, step); len(nums) > 0 {
			err = fmt.Errorf("%w: new numbers %v", errInvalidOutput, nums)
		} else if bad := GuardModelText(text, t.entry); len(bad) > 0 {
			err = fmt.Errorf("%w: %v", errInvalidOutput, bad)
		} else if lost := Dropped(text, step, t.entry); len(lost) > 0 {
			err = fmt.Errorf("%w: drops %v", errInvalidOutput, lost)
		}
	}
	if err == nil {
		gate.flush()
	}
	t.modelStep("model_phrase", start, err)
	if err != nil {
		return "template"
	}
	t.phrased = text
	return "phrased"
}

// checkInput is the first step: emergencies get the numbers at once;
// instructions aimed at the assistant and requests for other people's data
// are refused and change nothing.
func (t pipeline) checkInput(ctx context.Context) string {
	if (emergencies{t.turn}).emergencyCheck(ctx) {
		return "stop"
	}
	if t.text == "" {
		return "clean"
	}
	switch v := CheckInput(t.text); v {
	case VerdictEmergency, VerdictCrisis:
		if v == VerdictEmergency && (emergencies{t.turn}).numbersLead() {
			return "clean"
		}
		t.route, t.status, t.emergency = RouteGuarded, StatusHandoff, true
		if v == VerdictCrisis {
			t.note(t.say("crisis"))
		} else {
			t.note(t.say("emergency"))
		}
		if t.sess.Stage != StageHandoff {
			p := t.position()
			t.sess.State.Before = &p
			t.sess.Stage = StageHandoff
		}
		t.flags = append(t.flags, string(v))
		presenter{t.turn}.present()
		return "stop"
	case VerdictInjection, VerdictOthers:
		t.route, t.status = RouteGuarded, StatusGuarded
		if v == VerdictInjection {
			t.note(t.say("guarded_injection"))
		} else {
			t.note(t.say("guarded_others"))
		}
		t.flags = append(t.flags, string(v))
		presenter{t.turn}.present()
		return "stop"
	}
	return "clean"
}

// rewrite makes the message stand alone: a short follow-up in the
// identify stage is read with the resident's last description, and a
// question about the procedure names it.
func (t pipeline) rewrite() string {
	t.rewritten = t.text
	if t.text == "" {
		return "none"
	}
	words := len(vietnamese.Words(t.text))
	switch {
	case (t.sess.Stage == StageIdentify || t.sess.Stage == StageConfirm) && t.sess.State.LastQuery != "" && words <= 3 && !isOneOf(t.folded, greetWords):
		if _, ok := choiceNumber(t.text); !ok {
			t.rewritten = t.sess.State.LastQuery + " " + t.text
			return "joined_last_query"
		}
	case t.sess.Procedure != nil && isQuestion(t.text, t.folded):
		t.rewritten = t.text + " (" + t.sess.Procedure.Name + ")"
		return "named_procedure"
	}
	return "unchanged"
}

// routeStep labels the message: the deterministic router first, the model
// (when configured) only for what the router could not place.
func (t pipeline) routeStep(ctx context.Context) string {
	in := router{t.turn}.routeMessage()
	if t.svc.model != nil && t.text != "" && t.needsModel(in) {
		if mi, ok := (router{t.turn}).understand(ctx, in); ok {
			in = mi
		}
	}
	t.intent = in
	t.route = routeOf(in, t.sess.Stage)
	return string(t.route) + ":" + in.Action
}

// needsModel says when the deterministic router is unsure enough to ask
// the model: unclear text, and field answers the parsers cannot read.
func (t pipeline) needsModel(in Intent) bool {
	switch in.Action {
	case "unclear":
		return true
	case "value":
		if f, ok := t.currentField(); ok && len(t.sess.State.Confirming) == 0 {
			_, err := ParseValue(f, in.Arg)
			return err != nil
		}
	}
	return false
}

func routeOf(in Intent, stage Stage) Route {
	switch in.Action {
	case "describe", "question", "choose":
		return RouteProcedure
	case "value", "skip":
		return RouteField
	case "yes", "no":
		if stage == StageCollect {
			return RouteField
		}
		return RouteNavigation
	case "greet", "thanks":
		return RouteSmallTalk
	case "handoff":
		return RoutePerson
	case "out_of_scope":
		return RouteOutOfScope
	case "unclear":
		return RouteUnclear
	case "scan":
		return RouteScan
	}
	return RouteNavigation
}

// retrieve searches the catalogue for descriptions and for questions the
// entry's rendered facts do not answer, and keeps what clears the floor.
func (t pipeline) retrieve(ctx context.Context) (string, error) {
	switch t.intent.Action {
	case "describe":
	case "question":
		if t.sess.Stage == StageConfirm {
			return "candidates", nil // answered from the entries listed
		}
		if t.entry != nil {
			if text, _ := (facts{p: t.svc.prompts, e: t.entry}).topic(vietnamese.Fold(t.intent.Question)); text != "" {
				return "facts", nil
			}
		}
	default:
		return "not_needed", nil
	}
	q := t.rewritten
	if t.intent.Action == "question" && t.intent.Question != "" && t.intent.Question != t.text {
		q = t.intent.Question
	}
	res, err := t.svc.catalogue.Search(ctx, q, t.svc.cfg.SearchK)
	if err != nil {
		if apperr.IsKind(err, apperr.Invalid) {
			return "invalid_query", nil
		}
		return "", fmt.Errorf("search: %w", err)
	}
	t.retrieved = res
	if forBusiness(t.text) || forBusiness(q) {
		t.sess.State.Business = true
	}
	for _, r := range res {
		if r.Score < t.svc.cfg.RelevanceFloor || len(t.relevant) == 3 {
			continue
		}
		e, err := t.svc.entry(ctx, r.Slug)
		if err != nil {
			return "", fmt.Errorf("search result %s: %w", r.Slug, err)
		}
		if e.Audience == procedures.AudienceBusiness && !t.sess.State.Business {
			continue // a business's procedure, and no business was mentioned
		}
		if relevantTo(q, e, r.Citations) {
			t.relevant = append(t.relevant, r)
		}
	}
	if t.svc.model != nil && t.intent.Action == "describe" && len(t.relevant) > 1 {
		router{t.turn}.pickProcedure(ctx)
	}
	return fmt.Sprintf("%d_of_%d_above_floor", len(t.relevant), len(res)), nil
}

// checkOutput is the last step: a model's words are checked against the
// entry; any amount, form code or document it does not contain replaces
// the model's answer with the facts rendered from the entry.
func (t pipeline) checkOutput() string {
	if t.modelText == "" {
		return "template"
	}
	bad := GuardModelText(t.modelText, t.entry, servicePresenter{t.turn}.allowedAmounts()...)
	if len(bad) == 0 {
		return "passed"
	}
	var kinds []string
	for _, v := range bad {
		kinds = append(kinds, v.Kind+"="+v.Value)
	}
	t.flags = append(t.flags, "output_replaced")
	for i, n := range t.notes {
		if n == t.modelText {
			replacement := t.say("no_answer")
			if t.entry != nil {
				replacement = joinLines(t.say("facts_replaced"), facts{p: t.svc.prompts, e: t.entry}.all())
				t.citations = t.citations[:0]
				f := facts{p: t.svc.prompts, e: t.entry}
				t.citations = append(t.citations, f.cite(SectionDocuments, f.documents()), f.cite(SectionFees, f.fees()))
			} else {
				t.status = StatusOutOfScope
			}
			t.notes[i] = replacement
		}
	}
	t.modelText = ""
	t.svc.log.Warn("model reply replaced by catalogue facts", "session", t.sess.ID, "violations", strings.Join(kinds, ","))
	return "replaced:" + strings.Join(kinds, ",")
}

// finish renders the position and fills the reply.
func (t *turn) finish() {
	if len(t.reply.Choices) == 0 { // the input check may have presented already
		presenter{t}.present()
	}
	r := t.reply
	if t.ph != nil {
		r.Reply = t.ph.Restore(r.Reply) // the model's placeholders: the resident reads the values
		r.Speech = t.ph.Restore(r.Speech)
	}
	r.Reply, r.Speech = t.voice(r.Reply), t.voice(r.Speech)
	r.Said = t.said()
	for i := range r.Choices {
		r.Choices[i].Label = t.voice(r.Choices[i].Label)
	}
	r.Address = t.address()
	r.Stage = t.sess.Stage
	r.Status = t.status
	r.Procedure = t.sess.Procedure
	r.MissingFields = t.missing()
	r.Citations = t.citations
	if r.Citations == nil {
		r.Citations = []procedures.Citation{}
	}
	if t.sess.Stage == StageReview || t.sess.Stage == StageDone {
		r.Draft = t.sess.State.Draft
	}
	r.Progress = presenter{t}.progress()
	r.CanGoBack = len(t.sess.State.History) > 0
	if t.route == "" {
		t.route = RouteNavigation
	}
}

func (t *turn) evalInfo() *EvalInfo {
	info := &EvalInfo{Route: t.route, Model: t.model, PromptVersion: t.svc.prompts.Version,
		PromptTokens: t.usage.PromptTokens, CompletionTokens: t.usage.CompletionTokens, Steps: t.steps, Rewritten: t.rewritten,
		Retrieved: []Retrieved{}}
	if info.Model == "" {
		info.Model = "none"
	}
	for _, r := range t.retrieved {
		info.Retrieved = append(info.Retrieved, Retrieved{Slug: r.Slug, Name: r.Name, Score: r.Score, Citations: r.Citations})
	}
	return info
}

// record is the turn as stored: personal numbers in the input are masked
// (the values themselves live in the session's fields).
func (t *turn) record() Turn {
	kind, input := "text", t.text
	switch {
	case t.msg.Choice != "":
		kind, input = "choice", t.msg.Choice
	case t.msg.OCRResultID != "":
		kind, input = "ocr", t.msg.OCRResultID
	}
	steps := t.steps
	if len(t.flags) > 0 {
		steps = append(steps, Step{Name: "flags", Outcome: strings.Join(t.flags, ",")})
	}
	return Turn{InputKind: kind, Input: pii.Mask(input), Reply: pii.Mask(t.reply.Reply), Status: t.status, Stage: t.sess.Stage,
		Route: t.route, Steps: steps, Model: t.model, PromptVersion: t.svc.prompts.Version}
}

func validateMessage(m *Message) error {
	n := 0
	for _, s := range []string{m.Text, m.Choice, m.OCRResultID} {
		if strings.TrimSpace(s) != "" {
			n++
		}
	}
	if n != 1 {
		return apperr.New(apperr.Invalid, "message_invalid", "Mỗi tin nhắn gồm đúng một trong ba: text, choice hoặc ocr_result_id.")
	}
	if len([]rune(m.Text)) > MaxTextLength {
		return apperr.New(apperr.Invalid, "message_too_long", fmt.Sprintf("Tin nhắn dài quá %d ký tự. Xin viết ngắn hơn.", MaxTextLength))
	}
	if len(m.Choice) > 200 || len(m.OCRResultID) > 100 {
		return apperr.New(apperr.Invalid, "message_invalid", "Lựa chọn không hợp lệ.")
	}
	return nil
}
