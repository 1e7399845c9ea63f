package assistant

import (
	"context"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// actor carries out the turn's intent: it moves the conversation and
// hands each action to its named step (collector, counter, cashier).
type actor struct{ *turn }

// act carries out the intent and sets the reply's status. It is one case
// per action, each handing over to a named step, kept together over 80
// lines so the table of actions reads whole.
func (t actor) act(ctx context.Context, in Intent) error {
	switch in.Action {
	case "back":
		t.goBack()
		return nil
	case "start":
		return t.startService(ctx, in.Arg)
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
		return collector{t.turn}.scan(ctx, in.Arg)
	case "out_of_scope":
		t.status = StatusOutOfScope
		t.note(t.say("out_of_scope"))
		return nil
	case "question":
		return answerer{t.turn}.answerQuestion(ctx, in)
	}
	switch t.sess.Stage {
	case StageIdentify, StageConfirm:
		return t.identify(ctx, in)
	case StageExplain:
		switch in.Action {
		case ChoiceNext, ChoiceYes, ChoiceSkip:
			t.push()
			if t.servesPlaces(t.entry.Slug) {
				return placer{t.turn}.open(ctx)
			}
			if handedOver[t.entry.Slug] {
				counter{t.turn}.handOver()
				return nil
			}
			collector{t.turn}.startCollect()
			return nil
		}
	case StageCollect:
		if err := (collector{t.turn}).collect(ctx, in); err != nil {
			return err
		}
		return t.lookUpWhenAnswered(ctx)
	case StageReview:
		switch in.Action {
		case ChoiceConfirm, ChoiceYes:
			if (counter{t.turn}).serves() {
				return counter{t.turn}.serve(ctx)
			}
			return collector{t.turn}.submit(ctx)
		case "edit":
			if _, ok := t.entry.Field(in.Arg); ok {
				t.push()
				t.sess.Stage, t.sess.State.Field, t.sess.State.Editing = StageCollect, in.Arg, true
				return nil
			}
		}
	case StagePlaces:
		return placer{t.turn}.act(ctx, in)
	case StageBills:
		if in.Action == "choose" {
			return cashier{t.turn}.payBill(ctx, in.Arg)
		}
	case StagePay:
		switch in.Action {
		case ChoiceCheck:
			return cashier{t.turn}.checkPayment(ctx)
		case ChoiceRetry:
			return cashier{t.turn}.retryPayment(ctx)
		}
	case StageDone:
		switch in.Action {
		case ChoiceConfirm:
			return nil
		case ChoicePayFee:
			if sv := t.sess.State.Service; sv != nil && sv.Fee > 0 && sv.Payment == nil {
				return cashier{t.turn}.order(ctx, OrderRequest{DossierID: sv.DossierID})
			}
		}
	}
	t.clarify(t.say("unclear"))
	return nil
}

// startService opens a service the kiosk's tile named: its first question
// at once (the tile was the resident's choice; what it takes is on the
// tile), or the partner's screen. A conversation opened this way has
// nothing before it: "Quay lại" at its first question leaves it.
func (t actor) startService(ctx context.Context, slug string) error {
	e, err := t.svc.entry(ctx, slug)
	if apperr.IsKind(err, apperr.NotFound) {
		t.clarify(t.say("unclear"))
		return nil
	}
	if err != nil {
		return err
	}
	if t.sess.Stage != StageIdentify {
		t.push()
	}
	t.entry = e
	t.sess.Procedure = &ProcedureRef{Slug: e.Slug, Name: e.Name}
	t.sess.State.Tile = true
	t.visit("start", "")
	if e.Slug == SlugReport {
		t.note(t.say("report_emergency_first")) // before any question
	}
	if t.servesPlaces(e.Slug) {
		return placer{t.turn}.open(ctx)
	}
	if handedOver[e.Slug] {
		counter{t.turn}.handOver()
		return nil
	}
	collector{t.turn}.startCollect()
	return nil
}

// lookUpWhenAnswered looks a dossier or report up as soon as its code (and
// for a dossier the four digits) are given: a look-up has nothing to
// review. From the kiosk's tile, bills are looked up as soon as their
// kind and code are given, as the tile's screens always did.
func (t actor) lookUpWhenAnswered(ctx context.Context) error {
	if t.entry == nil || !(counter{t.turn}).serves() {
		return nil
	}
	st := &t.sess.State
	if t.entry.Slug == SlugBillPayment && st.Tile && len(st.Confirming) == 0 {
		if st.Field != "bill_kind" && st.Field != "customer_code" && t.sess.Fields["customer_code"].Value != "" {
			return cashier{t.turn}.findBills(ctx)
		}
		return nil
	}
	if t.entry.Slug != SlugStatusLookup {
		return nil
	}
	report := isReportCode(t.sess.Fields["dossier_code"].Value) && st.Field == "last4"
	if (t.sess.Stage == StageReview || report) && len(st.Confirming) == 0 {
		return counter{t.turn}.serve(ctx)
	}
	return nil
}

// identify handles what the resident says they need and the choice among
// the procedures found.
func (t actor) identify(ctx context.Context, in Intent) error {
	st := &t.sess.State
	switch in.Action {
	case "describe":
		if len(t.relevant) == 0 {
			answerer{t.turn}.recordMiss(ctx, MissNotFound, t.text, nil)
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
				t.clarify(t.say("unclear"))
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
		answerer{t.turn}.recordMiss(ctx, MissNoneFits, st.Opening, st.Candidates)
		t.push()
		t.sess.Stage, st.Candidates = StageIdentify, nil
		t.note(t.say("none_of_these"))
		t.quiet = true
		return nil
	}
	t.clarify(t.say("unclear"))
	return nil
}

// goBack returns to the previous position.
func (t actor) goBack() {
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

func (t actor) reloadEntry(ctx context.Context) error {
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
func (t actor) handoff() {
	t.route = RoutePerson
	t.status = StatusHandoff
	if t.sess.Stage != StageHandoff {
		p := t.position()
		t.sess.State.Before = &p
		t.sess.Stage = StageHandoff
	}
}
