package evals

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/procedures"
)

// Report is the result of one run: every suite, per provider, per case, per
// attempt. It is what --json writes, what compare reads and what PostgreSQL
// keeps.
type Report struct {
	ID         string        `json:"id,omitempty"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"`
	Passed     bool          `json:"passed"`
	Repeat     int           `json:"repeat"`
	Settings   Settings      `json:"settings"`
	Suites     []SuiteResult `json:"suites"`
}

// Settings record what a run played against, so that a comparison can say
// what differed besides the results.
type Settings struct {
	Label string `json:"label,omitempty"`
	// Catalogue is where the entries came from: "database", a directory,
	// "shipped", or the URL of the service played.
	Catalogue string `json:"catalogue,omitempty"`
	// CatalogueHash identifies the entries' content.
	CatalogueHash string `json:"catalogue_hash,omitempty"`
	// Prompts is the prompt set in-process providers used unless a suite
	// named one (the version and hash of each is in the providers'
	// identities).
	Prompts string `json:"prompts,omitempty"`
	// Flags are the flags set for the run, secrets left out.
	Flags map[string]string `json:"flags,omitempty"`
}

// CatalogueHash is a short hash of entries' content, whatever their order.
func CatalogueHash(entries []procedures.Entry) string {
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b procedures.Entry) int { return strings.Compare(a.Slug, b.Slug) })
	b, _ := json.Marshal(sorted)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:16]
}

// SuiteResult is one suite's results for each provider it ran against.
type SuiteResult struct {
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	Path        string           `json:"path,omitempty"`
	Threshold   float64          `json:"threshold"`
	Passed      bool             `json:"passed"`
	Providers   []ProviderResult `json:"providers"`
}

// ProviderResult is one suite run against one provider.
type ProviderResult struct {
	Provider string   `json:"provider"`
	Identity Identity `json:"identity"`
	// Config is the provider's settings (URL, model, temperature).
	Config ProviderConfig `json:"config"`
	// PassRate is the mean of the cases' pass rates.
	PassRate  float64      `json:"pass_rate"`
	Passed    bool         `json:"passed"`
	CacheHits int          `json:"cache_hits"`
	Error     string       `json:"error,omitempty"`
	Cases     []CaseResult `json:"cases"`
}

// Case statuses.
const (
	StatusPass  = "pass"
	StatusFail  = "fail"
	StatusFlaky = "flaky" // passed some repeats, failed others
)

// CaseResult is one case's attempts (one per repeat).
type CaseResult struct {
	Description string `json:"description"`
	// PassRate is the share of attempts that passed.
	PassRate float64   `json:"pass_rate"`
	Status   string    `json:"status"`
	Attempts []Attempt `json:"attempts"`
}

// Attempt is one play of a case.
type Attempt struct {
	Pass       bool       `json:"pass"`
	Score      float64    `json:"score"`
	Error      string     `json:"error,omitempty"`
	Cached     bool       `json:"cached,omitempty"`
	DurationMS float64    `json:"duration_ms"`
	Transcript Transcript `json:"transcript"`
	Outcomes   []Outcome  `json:"outcomes"`
}

// Failed lists the attempt's failed assertions.
func (a *Attempt) Failed() []Outcome {
	var out []Outcome
	for _, o := range a.Outcomes {
		if !o.Pass {
			out = append(out, o)
		}
	}
	return out
}

// Cases counts the cases of the report across suites and providers.
func (r *Report) Cases() int {
	n := 0
	for _, s := range r.Suites {
		for _, p := range s.Providers {
			n += len(p.Cases)
		}
	}
	return n
}

// PassRate is the mean case pass rate over the whole report.
func (r *Report) PassRate() float64 {
	sum, n := 0.0, 0
	for _, s := range r.Suites {
		for _, p := range s.Providers {
			for _, c := range p.Cases {
				sum += c.PassRate
				n++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// Tally is a passed/total count.
type Tally struct {
	Passed int `json:"passed"`
	Total  int `json:"total"`
}

// count adds one to the total, and to the passed when pass.
func (t Tally) count(pass bool) Tally {
	t.Total++
	if pass {
		t.Passed++
	}
	return t
}

func (t Tally) rate() float64 {
	if t.Total == 0 {
		return 0
	}
	return float64(t.Passed) / float64(t.Total)
}

// ByAssertionType counts assertion outcomes per type over every attempt.
func (r *Report) ByAssertionType() map[string]Tally {
	out := map[string]Tally{}
	r.eachAttempt(func(_ SuiteResult, _ ProviderResult, _ CaseResult, a Attempt) {
		for _, o := range a.Outcomes {
			out[o.Type] = out[o.Type].count(o.Pass)
		}
	})
	return out
}

// ByProvider counts passed attempts per provider over every suite.
func (r *Report) ByProvider() map[string]Tally {
	out := map[string]Tally{}
	r.eachAttempt(func(_ SuiteResult, p ProviderResult, _ CaseResult, a Attempt) {
		out[p.Provider] = out[p.Provider].count(a.Pass)
	})
	return out
}

func (r *Report) eachAttempt(fn func(SuiteResult, ProviderResult, CaseResult, Attempt)) {
	for _, s := range r.Suites {
		for _, p := range s.Providers {
			for _, c := range p.Cases {
				for _, a := range c.Attempts {
					fn(s, p, c, a)
				}
			}
		}
	}
}

// WriteSummary prints the terminal summary: each suite and provider with
// its pass rate against the threshold, the failed cases with their first
// failed assertion, then totals per assertion type and per provider.
func (r *Report) WriteSummary(w io.Writer) {
	for _, s := range r.Suites {
		for _, p := range s.Providers {
			mark := "PASS"
			if !p.Passed {
				mark = "FAIL"
			}
			fmt.Fprintf(w, "%s  %-28s %-14s %5.1f%%  (threshold %.0f%%, %d cases", mark, s.Name, p.Provider, 100*p.PassRate, 100*s.Threshold, len(p.Cases))
			if p.CacheHits > 0 {
				fmt.Fprintf(w, ", %d cached", p.CacheHits)
			}
			fmt.Fprintln(w, ")")
			if p.Error != "" {
				fmt.Fprintf(w, "      error: %s\n", p.Error)
			}
			for _, c := range p.Cases {
				if c.Status == StatusPass {
					continue
				}
				fmt.Fprintf(w, "      %-5s %s (%.0f%%)", c.Status, c.Description, 100*c.PassRate)
				if why := firstFailure(c); why != "" {
					fmt.Fprintf(w, ": %s", why)
				}
				fmt.Fprintln(w)
			}
		}
	}
	fmt.Fprintln(w, "\nassertion type          passed/total")
	types := r.ByAssertionType()
	for _, name := range sortedKeys(types) {
		t := types[name]
		fmt.Fprintf(w, "  %-22s %5d/%-5d %5.1f%%\n", name, t.Passed, t.Total, 100*t.rate())
	}
	fmt.Fprintln(w, "\nprovider                attempts passed")
	providers := r.ByProvider()
	for _, name := range sortedKeys(providers) {
		t := providers[name]
		fmt.Fprintf(w, "  %-22s %5d/%-5d %5.1f%%\n", name, t.Passed, t.Total, 100*t.rate())
	}
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "\n%s: %d suites, %d cases, pass rate %.1f%%, in %s\n", verdict, len(r.Suites), r.Cases(),
		100*r.PassRate(), r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond))
}

// firstFailure describes why a case failed, from its first failed attempt.
func firstFailure(c CaseResult) string {
	for _, a := range c.Attempts {
		if a.Error != "" {
			return "error: " + a.Error
		}
		for _, o := range a.Failed() {
			where := "end"
			if o.Turn > 0 {
				where = fmt.Sprintf("turn %d", o.Turn)
			}
			return fmt.Sprintf("%s %s %s: %s", where, o.Type, o.Value, o.Reason)
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadReport reads a report written by WriteJSON.
func ReadReport(path string) (*Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not an eval report: %w", path, err)
	}
	if r.Suites == nil {
		return nil, fmt.Errorf("%s: not an eval report (no suites)", path)
	}
	return &r, nil
}
