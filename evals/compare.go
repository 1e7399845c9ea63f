package evals

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Change is one case whose pass rate moved between two runs.
type Change struct {
	Suite    string  `json:"suite"`
	Provider string  `json:"provider"`
	Case     string  `json:"case"`
	Old      float64 `json:"old"`
	New      float64 `json:"new"`
	// Why is the new run's first failure, for a regression.
	Why string `json:"why,omitempty"`
	// Flipped are the assertions whose verdict changed, in the case's
	// first attempt of each run.
	Flipped []Flip `json:"flipped,omitempty"`
	// OldReply and NewReply are the last replies of those attempts, side
	// by side.
	OldReply string `json:"old_reply,omitempty"`
	NewReply string `json:"new_reply,omitempty"`
}

// Flip is one assertion that passed in one run and failed in the other.
type Flip struct {
	Turn   int    `json:"turn"` // 0 for the end of the conversation
	Type   string `json:"type"`
	Value  string `json:"value,omitempty"`
	Was    bool   `json:"was"`
	Now    bool   `json:"now"`
	Reason string `json:"reason,omitempty"` // why it fails in the run it fails in
}

// SuiteDelta is the pass-rate change of one suite against one provider.
type SuiteDelta struct {
	Suite    string  `json:"suite"`
	Provider string  `json:"provider"`
	Old      float64 `json:"old"` // -1 when the suite did not run
	New      float64 `json:"new"`
}

// Difference is one setting that differed between the runs.
type Difference struct {
	What string `json:"what"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Comparison says what changed between an old and a new run: the pass rate
// overall and per suite, the settings that differed, and case by case (a
// case is known by suite, provider and description) what moved and which
// assertion flipped.
type Comparison struct {
	OldRun      string       `json:"old_run,omitempty"`
	NewRun      string       `json:"new_run,omitempty"`
	OldPassRate float64      `json:"old_pass_rate"`
	NewPassRate float64      `json:"new_pass_rate"`
	Suites      []SuiteDelta `json:"suites"`
	Differences []Difference `json:"differences"`

	Regressions  []Change `json:"regressions"`
	Improvements []Change `json:"improvements"`
	// Added and Removed are cases present in only one run.
	Added   []Change `json:"added"`
	Removed []Change `json:"removed"`
	// SuitesBroken are suite/provider pairs that met their threshold before
	// and do not now.
	SuitesBroken []string `json:"suites_broken"`
	// NotComparable says why the runs cannot be compared fairly (no case
	// in common, other providers, other cases); empty when they can.
	NotComparable []string `json:"not_comparable,omitempty"`
}

// Regressed says whether anything got worse.
func (c *Comparison) Regressed() bool { return len(c.Regressions) > 0 || len(c.SuitesBroken) > 0 }

// Failed says whether compare should exit non-zero, and why.
func (c *Comparison) Failed() (bool, string) {
	switch {
	case len(c.NotComparable) > 0:
		return true, "the runs are not comparable: " + strings.Join(c.NotComparable, "; ")
	case c.Regressed():
		return true, fmt.Sprintf("%d regressions, %d suites below their threshold now", len(c.Regressions), len(c.SuitesBroken))
	}
	return false, ""
}

type caseKey struct{ suite, provider, description string }

// Compare compares two reports.
func Compare(old, new *Report) *Comparison {
	cmp := &Comparison{OldRun: runName(old), NewRun: runName(new), OldPassRate: old.PassRate(), NewPassRate: new.PassRate(), Suites: []SuiteDelta{}}
	before := indexRun(old)
	seen := map[caseKey]bool{}
	seenSuite := map[[2]string]bool{}
	for _, s := range new.Suites {
		for _, p := range s.Providers {
			sk := [2]string{s.Name, p.Provider}
			seenSuite[sk] = true
			cmp.addSuite(s.Name, p, before)
			for _, c := range p.Cases {
				k := caseKey{s.Name, p.Provider, c.Description}
				seen[k] = true
				cmp.addCase(k, c, before)
			}
		}
	}
	for k, c := range before.cases {
		if !seen[k] {
			cmp.Removed = append(cmp.Removed, Change{Suite: k.suite, Provider: k.provider, Case: k.description, Old: c.PassRate, New: -1})
		}
	}
	for sk, r := range before.rate {
		if !seenSuite[sk] {
			cmp.Suites = append(cmp.Suites, SuiteDelta{Suite: sk[0], Provider: sk[1], Old: r, New: -1})
		}
	}
	cmp.sort()
	cmp.Differences = differences(old, new)
	cmp.NotComparable = incomparable(old, new, len(seen)-len(cmp.Added), cmp)
	return cmp
}

// runIndex is a report's results by suite and provider, and by case.
type runIndex struct {
	cases  map[caseKey]CaseResult
	passed map[[2]string]bool
	rate   map[[2]string]float64
}

func indexRun(r *Report) runIndex {
	x := runIndex{cases: map[caseKey]CaseResult{}, passed: map[[2]string]bool{}, rate: map[[2]string]float64{}}
	for _, s := range r.Suites {
		for _, p := range s.Providers {
			x.passed[[2]string{s.Name, p.Provider}] = p.Passed
			x.rate[[2]string{s.Name, p.Provider}] = p.PassRate
			for _, c := range p.Cases {
				x.cases[caseKey{s.Name, p.Provider, c.Description}] = c
			}
		}
	}
	return x
}

// addSuite adds the pass rates of suite with provider p, and whether it
// broke.
func (c *Comparison) addSuite(suite string, p ProviderResult, before runIndex) {
	sk := [2]string{suite, p.Provider}
	delta := SuiteDelta{Suite: suite, Provider: p.Provider, Old: -1, New: p.PassRate}
	if r, ok := before.rate[sk]; ok {
		delta.Old = r
	}
	c.Suites = append(c.Suites, delta)
	if was, ok := before.passed[sk]; ok && was && !p.Passed {
		c.SuitesBroken = append(c.SuitesBroken, suite+" ["+p.Provider+"]")
	}
}

// addCase files the new run's case got as added, a regression or an
// improvement.
func (c *Comparison) addCase(k caseKey, got CaseResult, before runIndex) {
	ch := Change{Suite: k.suite, Provider: k.provider, Case: got.Description, New: got.PassRate}
	o, ok := before.cases[k]
	if !ok {
		ch.Old = -1
		ch.Why = firstFailure(got)
		c.Added = append(c.Added, ch)
		return
	}
	ch.Old = o.PassRate
	switch {
	case got.PassRate < o.PassRate-1e-9:
		ch.Why = firstFailure(got)
		explain(&ch, o, got)
		c.Regressions = append(c.Regressions, ch)
	case got.PassRate > o.PassRate+1e-9:
		explain(&ch, o, got)
		c.Improvements = append(c.Improvements, ch)
	}
}

// sort orders the suites and every list of changes by suite, provider and
// case.
func (c *Comparison) sort() {
	sort.Slice(c.Suites, func(i, j int) bool {
		a, b := c.Suites[i], c.Suites[j]
		return a.Suite < b.Suite || a.Suite == b.Suite && a.Provider < b.Provider
	})
	for _, list := range [][]Change{c.Regressions, c.Improvements, c.Added, c.Removed} {
		sort.Slice(list, func(i, j int) bool {
			a, b := list[i], list[j]
			if a.Suite != b.Suite {
				return a.Suite < b.Suite
			}
			if a.Provider != b.Provider {
				return a.Provider < b.Provider
			}
			return a.Case < b.Case
		})
	}
	sort.Strings(c.SuitesBroken)
}

func runName(r *Report) string {
	switch {
	case r.ID != "" && r.Settings.Label != "":
		return r.ID + " (" + r.Settings.Label + ")"
	case r.ID != "":
		return r.ID
	}
	return r.Settings.Label
}

// explain fills in which assertions flipped between the first attempts of
// a case in the two runs, and their last replies.
func explain(ch *Change, old, new CaseResult) {
	if len(old.Attempts) == 0 || len(new.Attempts) == 0 {
		return
	}
	a, b := old.Attempts[0], new.Attempts[0]
	ch.OldReply, ch.NewReply = lastReply(a), lastReply(b)
	type key struct {
		turn        int
		kind, value string
	}
	was := map[key]Outcome{}
	for _, o := range a.Outcomes {
		was[key{o.Turn, o.Type, o.Value}] = o
	}
	for _, o := range b.Outcomes {
		w, ok := was[key{o.Turn, o.Type, o.Value}]
		if !ok || w.Pass == o.Pass {
			continue
		}
		f := Flip{Turn: o.Turn, Type: o.Type, Value: o.Value, Was: w.Pass, Now: o.Pass, Reason: o.Reason}
		if o.Pass {
			f.Reason = w.Reason
		}
		ch.Flipped = append(ch.Flipped, f)
	}
	if a.Error != b.Error {
		ch.Flipped = append(ch.Flipped, Flip{Type: "error", Value: b.Error + a.Error, Was: a.Error == "", Now: b.Error == ""})
	}
}

func lastReply(a Attempt) string {
	if n := len(a.Transcript.Turns); n > 0 {
		return a.Transcript.Turns[n-1].Reply.Reply
	}
	return ""
}

// differences lists the settings that differ between the runs: the
// catalogue, the prompt set, each provider's model, prompt version and
// settings, and the flags.
func differences(old, new *Report) []Difference {
	out := []Difference{}
	add := func(what, a, b string) {
		if a != b {
			out = append(out, Difference{What: what, Old: a, New: b})
		}
	}
	add("label", old.Settings.Label, new.Settings.Label)
	add("catalogue", old.Settings.Catalogue, new.Settings.Catalogue)
	add("catalogue content", old.Settings.CatalogueHash, new.Settings.CatalogueHash)
	add("prompt set", old.Settings.Prompts, new.Settings.Prompts)
	add("repeat", fmt.Sprint(old.Repeat), fmt.Sprint(new.Repeat))
	oldP, newP := providerSettings(old), providerSettings(new)
	for _, name := range slices.Sorted(maps.Keys(union(oldP, newP))) {
		a, b := oldP[name], newP[name]
		add("provider "+name+" model", a.Identity.Model, b.Identity.Model)
		add("provider "+name+" prompt version", a.Identity.PromptVersion, b.Identity.PromptVersion)
		add("provider "+name+" settings", configString(a.Config), configString(b.Config))
	}
	flags := union(old.Settings.Flags, new.Settings.Flags)
	for _, f := range slices.Sorted(maps.Keys(flags)) {
		add("--"+f, old.Settings.Flags[f], new.Settings.Flags[f])
	}
	return out
}

// providerSettings keys each provider's first result by its name.
func providerSettings(r *Report) map[string]ProviderResult {
	out := map[string]ProviderResult{}
	for _, s := range r.Suites {
		for _, p := range s.Providers {
			if _, ok := out[p.Provider]; !ok {
				out[p.Provider] = p
			}
		}
	}
	return out
}

func configString(c ProviderConfig) string {
	var parts []string
	if c.URL != "" {
		parts = append(parts, "url="+c.URL)
	}
	if c.Model != "" {
		parts = append(parts, "model="+c.Model)
	}
	if c.Temperature != nil {
		parts = append(parts, fmt.Sprintf("temperature=%g", *c.Temperature))
	}
	return strings.Join(parts, " ")
}

func union[V any](a, b map[string]V) map[string]V {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]V{}
	}
	maps.Copy(out, b)
	return out
}

// incomparable says why two runs cannot be compared fairly.
func incomparable(old, new *Report, shared int, cmp *Comparison) []string {
	var why []string
	if shared == 0 {
		why = append(why, "they share no case")
	}
	oldP, newP := providerSettings(old), providerSettings(new)
	if a, b := slices.Sorted(maps.Keys(oldP)), slices.Sorted(maps.Keys(newP)); !slices.Equal(a, b) {
		why = append(why, fmt.Sprintf("other providers (old: %s; new: %s)", strings.Join(a, ", "), strings.Join(b, ", ")))
	}
	if n, m := len(cmp.Added), len(cmp.Removed); shared > 0 && (n > 0 || m > 0) {
		why = append(why, fmt.Sprintf("other cases (%d only in the new run, %d only in the old)", n, m))
	}
	return why
}

// Write prints the comparison for a terminal.
func (c *Comparison) Write(w io.Writer) {
	fmt.Fprintf(w, "pass rate %s → %s (%s)\n", pct(c.OldPassRate), pct(c.NewPassRate), points(c.OldPassRate, c.NewPassRate))
	if len(c.Differences) > 0 {
		fmt.Fprintln(w, "what differed:")
		for _, d := range c.Differences {
			fmt.Fprintf(w, "  %s: %s → %s\n", d.What, orUnset(d.Old), orUnset(d.New))
		}
	}
	fmt.Fprintln(w, "per suite:")
	for _, s := range c.Suites {
		fmt.Fprintf(w, "  %-28s %-16s %6s → %6s  %s\n", s.Suite, s.Provider, pct(s.Old), pct(s.New), points(s.Old, s.New))
	}
	section := func(title string, list []Change) {
		if len(list) == 0 {
			return
		}
		fmt.Fprintf(w, "%s (%d):\n", title, len(list))
		for _, ch := range list {
			fmt.Fprintf(w, "  %s [%s] %s: %s → %s", ch.Suite, ch.Provider, ch.Case, rate(ch.Old), rate(ch.New))
			if ch.Why != "" {
				fmt.Fprintf(w, "  (%s)", ch.Why)
			}
			fmt.Fprintln(w)
			for _, f := range ch.Flipped {
				fmt.Fprintf(w, "      %s %s %s: %s → %s", where(f.Turn), f.Type, f.Value, verdict(f.Was), verdict(f.Now))
				if f.Reason != "" {
					fmt.Fprintf(w, " (%s)", f.Reason)
				}
				fmt.Fprintln(w)
			}
			if ch.OldReply != ch.NewReply {
				fmt.Fprintf(w, "      old reply: %s\n      new reply: %s\n", oneLine(ch.OldReply), oneLine(ch.NewReply))
			}
		}
	}
	section("REGRESSIONS", c.Regressions)
	section("improvements", c.Improvements)
	section("new cases", c.Added)
	section("removed cases", c.Removed)
	for _, s := range c.SuitesBroken {
		fmt.Fprintf(w, "SUITE BELOW THRESHOLD NOW: %s\n", s)
	}
	for _, why := range c.NotComparable {
		fmt.Fprintf(w, "NOT COMPARABLE: %s\n", why)
	}
	fmt.Fprintf(w, "%d regressions, %d improvements, %d new, %d removed\n",
		len(c.Regressions), len(c.Improvements), len(c.Added), len(c.Removed))
}

// rate is a case's pass rate; pct a suite's or a run's, to a tenth.
func rate(r float64) string {
	if r < 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", 100*r)
}

func pct(r float64) string {
	if r < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*r)
}

func points(old, new float64) string {
	if old < 0 || new < 0 {
		return ""
	}
	return fmt.Sprintf("%+.1f points", 100*(new-old))
}

func where(turn int) string {
	if turn == 0 {
		return "end"
	}
	return fmt.Sprintf("turn %d", turn)
}

func verdict(pass bool) string {
	if pass {
		return "pass"
	}
	return "FAIL"
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}
