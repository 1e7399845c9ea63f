package evals

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"
)

// Cache keeps model answers so that a rerun with nothing changed costs
// nothing. Keys come from CacheKey.
type Cache interface {
	GetTranscript(ctx context.Context, key string) (*Transcript, bool, error)
	PutTranscript(ctx context.Context, key string, id Identity, t *Transcript) error
}

// TargetFunc builds the target that answers for a provider.
type TargetFunc func(ctx context.Context, p Provider) (Target, error)

// Runner plays suites against their providers.
type Runner struct {
	// Targets builds a target per provider of the matrix.
	Targets TargetFunc
	// Checker serves the assertions.
	Checker *Checker
	// Cache, when set, keeps the transcripts of model providers.
	Cache Cache
	// Concurrency bounds the conversations in flight (default: 2 per CPU).
	Concurrency int
	// Repeat, when positive, overrides each case's repeat count.
	Repeat int
	// Timeout bounds each turn unless a case says otherwise (default 30s).
	Timeout time.Duration
	// Provider, when set, runs only the provider of that name.
	Provider string
	// Shared says the targets share one service among attempts: the
	// attempts of a serial suite then play one after another.
	Shared bool
}

// Run plays every case of every suite against each provider of the suite's
// matrix and returns the report. Errors from a target become failed
// attempts; Run itself fails only when the context ends or no suite has the
// requested provider.
func (r *Runner) Run(ctx context.Context, suites []*Suite) (*Report, error) {
	report := &Report{StartedAt: time.Now().UTC(), Repeat: r.Repeat, Suites: make([]SuiteResult, len(suites))}
	limit := r.Concurrency
	if limit <= 0 {
		limit = 2 * runtime.GOMAXPROCS(0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	// Suites naming the same provider with the same settings share one
	// target, built on first use.
	targets := map[string]*built{}
	matched := false
	for si, s := range suites {
		sr := &report.Suites[si]
		*sr = SuiteResult{Name: s.Name, Description: s.Description, Path: s.Path, Threshold: s.PassThreshold()}
		for _, p := range s.Providers {
			if r.wants(p) {
				sr.Providers = append(sr.Providers, ProviderResult{Provider: p.Name(), Config: p.Config})
			}
		}
		pi := 0
		for _, p := range s.Providers {
			if !r.wants(p) {
				continue
			}
			matched = true
			pr := &sr.Providers[pi]
			pi++
			b := targets[providerKey(p)]
			if b == nil {
				b = r.build(gctx, p)
				targets[providerKey(p)] = b
			}
			r.schedule(gctx, g, s, p, pr, b)
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if !matched {
		return nil, fmt.Errorf("no suite has provider %q", r.Provider)
	}
	report.tally()
	report.FinishedAt = time.Now().UTC()
	return report, nil
}

// schedule puts the attempts of every case of s against provider p into
// g, each writing into its own slot of pr, so that the results need no
// lock. A provider whose target could not be built fails every case; the
// attempts of a serial suite on a shared service play one after another.
func (r *Runner) schedule(ctx context.Context, g *errgroup.Group, s *Suite, p Provider, pr *ProviderResult, b *built) {
	pr.Cases = make([]CaseResult, len(s.Tests))
	if b.err != nil {
		pr.Error = b.err.Error()
		for ci := range s.Tests {
			pr.Cases[ci] = CaseResult{Description: s.Tests[ci].Description, Attempts: []Attempt{{Error: pr.Error}}}
		}
		return
	}
	pr.Identity = b.id
	cacheable := r.Cache != nil && p.ID != ProviderGuide && b.id.Model != "" &&
		(p.Config.Cache == nil || *p.Config.Cache)
	var serial []func() error
	for ci := range s.Tests {
		c := &s.Tests[ci]
		pr.Cases[ci] = CaseResult{Description: c.Description, Attempts: make([]Attempt, r.repeatFor(s, c))}
		for ai := range pr.Cases[ci].Attempts {
			slot := &pr.Cases[ci].Attempts[ai]
			play := func() error {
				if err := ctx.Err(); err != nil {
					return err
				}
				*slot = r.attempt(ctx, s, c, p, b.target, b.id, ai, cacheable)
				return nil
			}
			if s.Serial && r.Shared {
				serial = append(serial, play)
				continue
			}
			g.Go(play)
		}
	}
	if len(serial) > 0 {
		g.Go(func() error {
			for _, play := range serial {
				if err := play(); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// tally sets whether each provider, suite and the whole run passed.
func (r *Report) tally() {
	r.Passed = true
	for si := range r.Suites {
		sr := &r.Suites[si]
		sr.Passed = true
		for pi := range sr.Providers {
			pr := &sr.Providers[pi]
			tally(pr, sr.Threshold)
			sr.Passed = sr.Passed && pr.Passed
		}
		r.Passed = r.Passed && sr.Passed
	}
}

// built is a provider's target, or why it could not be built.
type built struct {
	target Target
	id     Identity
	err    error
}

func (r *Runner) build(ctx context.Context, p Provider) *built {
	if r.Targets == nil {
		return &built{err: errors.New("no target for providers")}
	}
	t, err := r.Targets(ctx, p)
	if err != nil {
		return &built{err: err}
	}
	id, err := t.Identity(ctx)
	return &built{target: t, id: id, err: err}
}

// tally computes the case and provider pass rates.
func tally(pr *ProviderResult, threshold float64) {
	sum := 0.0
	for ci := range pr.Cases {
		c := &pr.Cases[ci]
		passed := 0
		for _, a := range c.Attempts {
			if a.Pass {
				passed++
			}
			if a.Cached {
				pr.CacheHits++
			}
		}
		c.PassRate = float64(passed) / float64(len(c.Attempts))
		switch passed {
		case len(c.Attempts):
			c.Status = StatusPass
		case 0:
			c.Status = StatusFail
		default:
			c.Status = StatusFlaky
		}
		sum += c.PassRate
	}
	if len(pr.Cases) > 0 {
		pr.PassRate = sum / float64(len(pr.Cases))
	}
	// A hair of tolerance so 0.9 of 10 cases meets a 0.9 threshold.
	pr.Passed = pr.Error == "" && pr.PassRate+1e-9 >= threshold
}

// wants says whether the run includes provider p: all, or the one named
// by its label or id.
func (r *Runner) wants(p Provider) bool {
	return r.Provider == "" || p.Name() == r.Provider || p.ID == r.Provider
}

func (r *Runner) repeatFor(s *Suite, c *Case) int {
	switch {
	case r.Repeat > 0:
		return r.Repeat
	case c.Options.Repeat > 0:
		return c.Options.Repeat
	case s.DefaultTest.Options.Repeat > 0:
		return s.DefaultTest.Options.Repeat
	}
	return 1
}

func (r *Runner) timeoutFor(s *Suite, c *Case) time.Duration {
	switch {
	case c.Options.TimeoutMS > 0:
		return time.Duration(c.Options.TimeoutMS) * time.Millisecond
	case s.DefaultTest.Options.TimeoutMS > 0:
		return time.Duration(s.DefaultTest.Options.TimeoutMS) * time.Millisecond
	case r.Timeout > 0:
		return r.Timeout
	}
	return 30 * time.Second
}

// attempt plays (or takes from the cache) one conversation and checks it.
func (r *Runner) attempt(ctx context.Context, s *Suite, c *Case, p Provider, target Target, id Identity, repeat int, cacheable bool) Attempt {
	start := time.Now()
	var a Attempt
	var key string
	if cacheable {
		var err error
		if key, err = CacheKey(p, id, c.Inputs(), repeat); err != nil {
			return Attempt{Error: err.Error()}
		}
		if t, ok, err := r.Cache.GetTranscript(ctx, key); err == nil && ok {
			a.Transcript, a.Cached = *t, true
		}
	}
	if !a.Cached {
		t, err := r.play(ctx, c, target, r.timeoutFor(s, c))
		a.Transcript = t
		if err != nil {
			a.Error = err.Error()
		} else if cacheable {
			// A failed write only costs the next run a model call.
			_ = r.Cache.PutTranscript(ctx, key, id, &t)
		}
	}
	r.check(ctx, s, c, &a)
	a.DurationMS = msSince(start)
	return a
}

// play sends each turn and records the replies, and the state wherever an
// assertion needs it and at the end.
func (r *Runner) play(ctx context.Context, c *Case, target Target, timeout time.Duration) (_ Transcript, err error) {
	t := Transcript{At: time.Now().UTC(), States: map[int]State{}}
	conv, err := withTimeout(ctx, timeout, func(ctx context.Context) (Conversation, error) { return target.Start(ctx) })
	if err != nil {
		return t, fmt.Errorf("start: %w", err)
	}
	if e, ok := conv.(Ender); ok {
		defer func() {
			if endErr := e.End(ctx); endErr != nil && err == nil {
				err = fmt.Errorf("end: %w", endErr)
			}
		}()
	}
	for i, turn := range c.Turns {
		in := Input{Text: turn.Text, Choice: turn.Choice, Image: turn.Image}
		start := time.Now()
		reply, err := withTimeout(ctx, timeout, func(ctx context.Context) (Reply, error) { return conv.Send(ctx, in) })
		if err != nil {
			t.Turns = append(t.Turns, Turn{Input: in, Error: err.Error()})
			return t, fmt.Errorf("turn %d: %w", i+1, err)
		}
		reply.LatencyMS = msSince(start)
		t.Turns = append(t.Turns, Turn{Input: in, Reply: reply})
		if needsState(turn.Assert) && i < len(c.Turns)-1 {
			st, err := withTimeout(ctx, timeout, conv.State)
			if err != nil {
				return t, fmt.Errorf("state after turn %d: %w", i+1, err)
			}
			t.States[i] = st
		}
	}
	end, err := withTimeout(ctx, timeout, conv.State)
	if err != nil {
		return t, fmt.Errorf("end state: %w", err)
	}
	t.End = &end
	return t, nil
}

// check runs every assertion on the transcript. A played conversation that
// errored fails, but the assertions on the turns it did play still run, so
// the report shows how far it got.
func (r *Runner) check(ctx context.Context, s *Suite, c *Case, a *Attempt) {
	ck := r.Checker
	if ck == nil {
		ck = &Checker{}
	}
	tr := &a.Transcript
	for i, turn := range c.Turns {
		if i >= len(tr.Turns) || tr.Turns[i].Error != "" {
			break
		}
		st := tr.End
		if i < len(c.Turns)-1 {
			st = nil
			if after, ok := tr.States[i]; ok {
				st = &after
			}
		}
		for j := range turn.Assert {
			o := ck.Check(ctx, &turn.Assert[j], subject{reply: tr.Turns[i].Reply, state: st})
			o.Turn = i + 1
			a.Outcomes = append(a.Outcomes, o)
		}
	}
	if a.Error == "" && len(tr.Turns) > 0 {
		last := subject{reply: tr.Turns[len(tr.Turns)-1].Reply, state: tr.End}
		for _, list := range [][]Assertion{s.DefaultTest.Assert, c.Assert} {
			for j := range list {
				a.Outcomes = append(a.Outcomes, ck.Check(ctx, &list[j], last))
			}
		}
	}
	a.Score, a.Pass = score(a.Outcomes, c.Threshold)
	if a.Error != "" {
		a.Pass = false
	}
}

// score is the weighted mean of the outcomes' scores, and whether the case
// passes: every counted assertion passes, or, with a case threshold, the
// score reaches it.
func score(outcomes []Outcome, threshold *float64) (float64, bool) {
	var sum, weights float64
	all := true
	for _, o := range outcomes {
		if o.Weight == 0 {
			continue
		}
		sum += o.Weight * o.Score
		weights += o.Weight
		all = all && o.Pass
	}
	s := 1.0
	if weights > 0 {
		s = sum / weights
	}
	if threshold != nil {
		return s, s+1e-9 >= *threshold
	}
	return s, all
}

func needsState(list []Assertion) bool {
	for i := range list {
		if list[i].needsState() {
			return true
		}
	}
	return false
}

// CacheKey identifies a conversation's answers: the provider and its
// settings, the model, the prompt version, every input (an image by its
// content) and the repeat number, so each repeat is its own sample.
func CacheKey(p Provider, id Identity, inputs []Input, repeat int) (string, error) {
	type image struct {
		Path string `json:"path"`
		Hash string `json:"sha256"`
	}
	images := make([]image, 0)
	for _, in := range inputs {
		if in.Image == "" {
			continue
		}
		data, err := os.ReadFile(in.Image)
		if err != nil {
			return "", fmt.Errorf("fixture image: %w", err)
		}
		sum := sha256.Sum256(data)
		images = append(images, image{Path: in.Image, Hash: hex.EncodeToString(sum[:])})
	}
	b, err := json.Marshal(struct {
		Provider Provider `json:"provider"`
		Identity Identity `json:"identity"`
		Inputs   []Input  `json:"inputs"`
		Images   []image  `json:"images"`
		Repeat   int      `json:"repeat"`
	}{p, id, inputs, images, repeat})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// providerKey identifies a provider across suites: two suites naming the
// same provider with the same settings share one target.
func providerKey(p Provider) string {
	b, _ := json.Marshal(p)
	return string(b)
}

func withTimeout[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	v, err := fn(ctx)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return v, fmt.Errorf("timed out after %s: %w", d, err)
	}
	return v, err
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t)) / float64(time.Millisecond)
}
