package evals

import (
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Filter picks the cases a run's page shows.
type Filter struct {
	// Status is "" (all), "failed" (failed or flaky) or "changed" (pass
	// rate moved against the run Against).
	Status string
	// Query keeps the cases whose description, inputs or replies hold it,
	// diacritics folded.
	Query string
	// Suite keeps one suite's cases.
	Suite string
	// Against is the run "changed" compares with.
	Against *Report
}

// RunView is what a run's page shows: the run, the settings it played
// with, and the cases the filter picks, each with every turn's route,
// chosen procedure, retrieved passages, guard verdict and latency. The
// console renders it with the filter applied on the server; the offline
// HTML report renders every case and filters in the page.
type RunView struct {
	Report   *Report
	Filter   Filter
	Rows     []CaseRow
	Total    int
	Duration time.Duration
	Types    map[string]Tally
	Suites   []string
	// Offline is the self-contained report: every row is rendered and a
	// small script filters them, since no server is there to ask.
	Offline bool
}

// CaseRow is one case of one suite against one provider.
type CaseRow struct {
	Suite    string
	Provider string
	Case     CaseResult
	// Change is how the case moved against the compared run, if it did.
	Change *Change
	// Text is the case's searchable text, folded, for the offline filter.
	Text string
}

// Changed says whether the case moved against the compared run.
func (r CaseRow) Changed() bool { return r.Change != nil }

// NewRunView applies f to r.
func NewRunView(r *Report, f Filter) *RunView {
	v := &RunView{Report: r, Filter: f, Duration: r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond), Types: r.ByAssertionType()}
	changes := map[caseKey]*Change{}
	if f.Against != nil {
		cmp := Compare(f.Against, r)
		for _, list := range [][]Change{cmp.Regressions, cmp.Improvements} {
			for i := range list {
				ch := &list[i]
				changes[caseKey{ch.Suite, ch.Provider, ch.Case}] = ch
			}
		}
	}
	query := vietnamese.Fold(strings.TrimSpace(f.Query))
	for _, s := range r.Suites {
		v.Suites = append(v.Suites, s.Name)
		for _, p := range s.Providers {
			for _, c := range p.Cases {
				v.Total++
				row := CaseRow{Suite: s.Name, Provider: p.Provider, Case: c, Change: changes[caseKey{s.Name, p.Provider, c.Description}], Text: caseText(c)}
				if f.Suite != "" && f.Suite != s.Name {
					continue
				}
				switch f.Status {
				case "failed":
					if c.Status == StatusPass {
						continue
					}
				case "changed":
					if row.Change == nil {
						continue
					}
				}
				if query != "" && !strings.Contains(row.Text, query) {
					continue
				}
				v.Rows = append(v.Rows, row)
			}
		}
	}
	return v
}

// caseText is what a search looks in: the description, every input and
// every reply, folded.
func caseText(c CaseResult) string {
	var b strings.Builder
	b.WriteString(c.Description)
	for _, a := range c.Attempts {
		for _, t := range a.Transcript.Turns {
			b.WriteString(" " + t.Input.Text + " " + t.Input.Choice + " " + t.Reply.Reply)
		}
	}
	return vietnamese.Fold(b.String())
}

// Guard is a turn's guard verdict: the outcomes of the input and output
// checks, as the eval mode reports them.
func (t Turn) Guard() string {
	if t.Reply.Eval == nil {
		return ""
	}
	var parts []string
	for _, s := range t.Reply.Eval.Steps {
		if s.Name == "input_check" || s.Name == "output_check" {
			parts = append(parts, s.Name+": "+s.Outcome)
		}
	}
	return strings.Join(parts, " · ")
}
