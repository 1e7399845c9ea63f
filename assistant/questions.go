package assistant

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// answerer answers the resident's questions from the catalogue passages
// found (with the model when there is one) and records what it could not
// answer as a miss.
type answerer struct{ *turn }

// answerQuestion answers a question about the procedure: facts rendered
// from the entry when the question is about them; otherwise the retrieved
// passages (worded by the model when there is one); below the floor, it
// says so and offers staff. The current question is then asked again.
func (t answerer) answerQuestion(ctx context.Context, in Intent) error {
	q := in.Question
	if q == "" {
		q = t.text
	}
	if t.sess.Stage == StageConfirm {
		return t.answerAtCandidates(ctx, q)
	}
	if t.entry != nil {
		f := facts{p: t.svc.prompts, e: t.entry}
		if text, cites := f.topic(vietnamese.Fold(q)); text != "" {
			t.note(text)
			t.citations = append(t.citations, cites...)
			return nil
		}
	}
	var passages []procedures.Citation
	for _, r := range t.relevant {
		if t.entry != nil && r.Slug != t.entry.Slug {
			continue
		}
		passages = append(passages, r.Citations...)
	}
	if t.entry == nil {
		for _, r := range t.relevant {
			passages = append(passages, r.Citations...)
		}
	}
	if len(passages) == 0 {
		t.status = StatusOutOfScope
		t.note(t.say("no_answer"))
		return nil
	}
	if len(passages) > 4 {
		passages = passages[:4]
	}
	if t.svc.model != nil {
		if text, ok := t.modelAnswer(ctx, q, passages); ok {
			t.modelText = text
			t.note(text)
			t.citations = append(t.citations, passages...)
			return nil
		}
	}
	t.note(t.say("from_catalogue"))
	for _, p := range passages[:min(2, len(passages))] {
		t.note(strings.TrimSpace(p.Text))
	}
	t.citations = append(t.citations, passages...)
	return nil
}

// answerAtCandidates answers a question asked at the list of procedures
// found, from their entries: about the one it names by number or name, or
// else about each. The list stays; the resident still chooses.
func (t answerer) answerAtCandidates(ctx context.Context, q string) error {
	folded := vietnamese.Fold(q)
	cands := t.sess.State.Candidates
	if n := candidateNamed(folded, cands); n > 0 {
		cands = cands[n-1 : n]
	}
	answered := false
	for _, c := range cands {
		e, err := t.svc.entry(ctx, c.Slug)
		if err != nil {
			return err
		}
		f := facts{p: t.svc.prompts, e: e}
		text, cites := f.topic(folded)
		if text == "" {
			if len(cands) > 1 {
				continue
			}
			text, cites = strings.TrimSpace(e.Summary), []procedures.Citation{f.cite(SectionSummary, e.Summary)}
		}
		n := slices.IndexFunc(t.sess.State.Candidates, func(r ProcedureRef) bool { return r.Slug == c.Slug }) + 1
		t.note(t.say("candidate_answer", "n", strconv.Itoa(n), "name", e.Name) + "\n" + text)
		t.citations = append(t.citations, cites...)
		answered = true
	}
	if !answered {
		t.clarify(t.say("no_answer"))
	}
	return nil
}

// candidateNamed finds the candidate a question names: "số 2", "thủ tục
// thứ hai", or words of its name; 0 when none or several.
func candidateNamed(folded string, cands []ProcedureRef) int {
	for _, w := range []string{"so ", "thu tuc so ", "cai so ", "thu tuc "} {
		for i := len(cands); i >= 1; i-- {
			if containsPhrase(folded, []string{strings.TrimSpace(w) + " " + strconv.Itoa(i)}) {
				return i
			}
		}
	}
	for word, n := range ordinals {
		if n <= len(cands) && containsPhrase(folded, []string{word}) {
			return n
		}
	}
	found := 0
	for i, c := range cands {
		if strings.Contains(folded, vietnamese.Fold(c.Name)) {
			if found > 0 {
				return 0
			}
			found = i + 1
		}
	}
	return found
}
