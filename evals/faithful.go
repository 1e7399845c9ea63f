package evals

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// AssertFaithful checks that every fact of a reply stands in what the
// reply rests on: the passages retrieved for it, the citations it gives,
// the chosen catalogue entry and the amounts the kiosk services gave. The
// facts are found without a model (sums of money, durations, counts, form
// codes, phone numbers, links); where a judge model is configured, it
// also grades the reply's claims against the same sources, and the lower
// score counts.
const AssertFaithful = "faithful"

const defaultFaithfulThreshold = 1.0

// factPatterns find the checkable facts in folded text. Amounts are found
// by amountPattern (facts.go).
var factPatterns = []*regexp.Regexp{
	// durations and counts: "07 ngày làm việc", "2 năm", "30 ngày", "4 bước"
	regexp.MustCompile(`\b\d+\s*(?:ngay lam viec|ngay|thang|nam|gio|phut|buoc|tuoi)\b`),
	// form codes as printed, folded: ct01, tk02, hk02a
	regexp.MustCompile(`\b(?:ct|tk|hk|na|tb|tp)\d{1,3}[a-z]?\b`),
	// phone numbers and hotlines: 113, 114, 115, 1022, 0283 829 7007
	regexp.MustCompile(`\b(?:11[345]|1022|0\d{2,3}[ .]?\d{3}[ .]?\d{3,4})\b`),
	// links
	regexp.MustCompile(`\b(?:https?://|www\.)\S+`),
}

// faithfulFacts lists the facts of a reply, folded.
func faithfulFacts(folded string) []string {
	var out []string
	for _, a := range findAmounts(folded) {
		out = append(out, a.text)
	}
	for _, re := range factPatterns {
		out = append(out, re.FindAllString(folded, -1)...)
	}
	return out
}

// sources gathers, folded, what the reply may rest on.
func (ck *Checker) sources(s subject) string {
	var b strings.Builder
	for _, c := range s.reply.Citations {
		b.WriteString(c.Text + "\n")
	}
	if e := s.reply.Eval; e != nil {
		for _, r := range e.Retrieved {
			b.WriteString(r.Name + "\n")
			for _, c := range r.Citations {
				b.WriteString(c.Text + "\n")
			}
		}
	}
	if p := s.procedure(); p != nil && ck.Facts != nil {
		if e, ok := ck.Facts.entries[p.Slug]; ok {
			raw, _ := json.Marshal(e)
			b.Write(raw)
		}
	}
	return b.String()
}

// faithful scores a reply: the share of its facts found in its sources
// (1 when it states none), lowered by the judge's grade where one is
// configured.
func (ck *Checker) faithful(ctx context.Context, a *Assertion, s subject, text string) (bool, float64, string) {
	threshold := defaultFaithfulThreshold
	if a.Threshold != nil {
		threshold = *a.Threshold
	}
	source := ck.sources(s)
	folded := vietnamese.Fold(source)
	known := map[int64]bool{}
	for _, v := range s.reply.serviceAmounts() {
		known[v] = true
	}
	for _, am := range findAmounts(folded) {
		known[am.value] = true
	}
	facts := faithfulFacts(vietnamese.Fold(s.reply.withoutServiceCodes(text)))
	var unsupported []string
	for _, f := range facts {
		if strings.Contains(folded, f) || amountKnown(f, known) || strings.Contains(squash(folded), squash(f)) {
			continue
		}
		unsupported = append(unsupported, f)
	}
	score := 1.0
	if len(facts) > 0 {
		score = float64(len(facts)-len(unsupported)) / float64(len(facts))
	}
	reason := ""
	if len(unsupported) > 0 {
		reason = "not in the sources: " + strings.Join(unsupported, "; ")
	}
	if ck.Judge != nil {
		rubric := "Every factual statement of the REPLY (sums of money, time limits, documents, offices, phone numbers, steps) must be supported by these SOURCES; score the share that is.\nSOURCES:\n" + clipRunes(source, 6000)
		g, err := ck.Judge.Grade(ctx, rubric, text)
		if err != nil {
			return false, 0, "judge failed: " + err.Error()
		}
		if g.Score < score {
			score, reason = g.Score, strings.TrimSpace("judge: "+g.Reason+" "+reason)
		}
	}
	if score+1e-9 >= threshold {
		return true, score, reason
	}
	return false, score, fmt.Sprintf("%.0f%% of the facts supported, want %.0f%%: %s", 100*score, 100*threshold, reason)
}

// amountKnown says whether a fact that is a sum of money names a known
// amount, however it is written ("70.000 đồng", "70000đ").
func amountKnown(fact string, known map[int64]bool) bool {
	found := findAmounts(fact)
	return len(found) == 1 && known[found[0].value]
}

// squash drops spaces and dots, so "0283 829 7007" matches "02838297007".
func squash(s string) string {
	return strings.NewReplacer(" ", "", ".", "").Replace(s)
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
