package evals

import (
	"fmt"
	"io"
	"sort"
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
}

// Comparison lists what changed between an old and a new report, case by
// case (a case is known by suite, provider and description).
type Comparison struct {
	Regressions  []Change `json:"regressions"`
	Improvements []Change `json:"improvements"`
	// Added and Removed are cases present in only one run.
	Added   []Change `json:"added"`
	Removed []Change `json:"removed"`
	// SuitesBroken are suite/provider pairs that met their threshold before
	// and do not now.
	SuitesBroken []string `json:"suites_broken"`
}

// Regressed says whether anything got worse.
func (c *Comparison) Regressed() bool { return len(c.Regressions) > 0 || len(c.SuitesBroken) > 0 }

type caseKey struct{ suite, provider, description string }

// Compare compares two reports.
func Compare(old, new *Report) *Comparison {
	before := map[caseKey]CaseResult{}
	passedBefore := map[[2]string]bool{}
	for _, s := range old.Suites {
		for _, p := range s.Providers {
			passedBefore[[2]string{s.Name, p.Provider}] = p.Passed
			for _, c := range p.Cases {
				before[caseKey{s.Name, p.Provider, c.Description}] = c
			}
		}
	}
	cmp := &Comparison{}
	seen := map[caseKey]bool{}
	for _, s := range new.Suites {
		for _, p := range s.Providers {
			if was, ok := passedBefore[[2]string{s.Name, p.Provider}]; ok && was && !p.Passed {
				cmp.SuitesBroken = append(cmp.SuitesBroken, s.Name+" ["+p.Provider+"]")
			}
			for _, c := range p.Cases {
				k := caseKey{s.Name, p.Provider, c.Description}
				seen[k] = true
				ch := Change{Suite: s.Name, Provider: p.Provider, Case: c.Description, New: c.PassRate}
				o, ok := before[k]
				if !ok {
					ch.Old = -1
					ch.Why = firstFailure(c)
					cmp.Added = append(cmp.Added, ch)
					continue
				}
				ch.Old = o.PassRate
				switch {
				case c.PassRate < o.PassRate-1e-9:
					ch.Why = firstFailure(c)
					cmp.Regressions = append(cmp.Regressions, ch)
				case c.PassRate > o.PassRate+1e-9:
					cmp.Improvements = append(cmp.Improvements, ch)
				}
			}
		}
	}
	for k, c := range before {
		if !seen[k] {
			cmp.Removed = append(cmp.Removed, Change{Suite: k.suite, Provider: k.provider, Case: k.description, Old: c.PassRate, New: -1})
		}
	}
	for _, list := range [][]Change{cmp.Regressions, cmp.Improvements, cmp.Added, cmp.Removed} {
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
	sort.Strings(cmp.SuitesBroken)
	return cmp
}

// Write prints the comparison for a terminal.
func (c *Comparison) Write(w io.Writer) {
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
		}
	}
	section("REGRESSIONS", c.Regressions)
	section("improvements", c.Improvements)
	section("new cases", c.Added)
	section("removed cases", c.Removed)
	for _, s := range c.SuitesBroken {
		fmt.Fprintf(w, "SUITE BELOW THRESHOLD NOW: %s\n", s)
	}
	fmt.Fprintf(w, "%d regressions, %d improvements, %d new, %d removed\n",
		len(c.Regressions), len(c.Improvements), len(c.Added), len(c.Removed))
}

func rate(r float64) string {
	if r < 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", 100*r)
}
