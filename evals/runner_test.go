package evals

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
)

// scripted is a Target whose replies come from a function; it counts the
// turns it answers and the conversations in flight.
type scripted struct {
	id       Identity
	answer   func(ctx context.Context, n int, in Input) (Reply, error)
	turns    atomic.Int64
	inFlight atomic.Int64
	maxSeen  atomic.Int64
}

func (s *scripted) Identity(context.Context) (Identity, error) { return s.id, nil }

func (s *scripted) Start(context.Context) (Conversation, error) {
	return &scriptedConv{target: s, state: State{Stage: "identify", Fields: map[string]Field{}}}, nil
}

type scriptedConv struct {
	target *scripted
	mu     sync.Mutex
	n      int
	state  State
}

func (c *scriptedConv) Send(ctx context.Context, in Input) (Reply, error) {
	now := c.target.inFlight.Add(1)
	defer c.target.inFlight.Add(-1)
	for {
		max := c.target.maxSeen.Load()
		if now <= max || c.target.maxSeen.CompareAndSwap(max, now) {
			break
		}
	}
	c.target.turns.Add(1)
	c.mu.Lock()
	c.n++
	n := c.n
	c.mu.Unlock()
	r, err := c.target.answer(ctx, n, in)
	if err == nil {
		c.mu.Lock()
		c.state.Stage = r.Stage
		if name, ok := strings.CutPrefix(in.Text, "tên "); ok {
			c.state.Fields["full_name"] = Field{Value: name, Provenance: "typed"}
		}
		c.mu.Unlock()
	}
	return r, err
}

func (c *scriptedConv) State(context.Context) (State, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state, nil
}

func echo(ctx context.Context, n int, in Input) (Reply, error) {
	return Reply{Reply: "Bác nói: " + in.Text + in.Choice, Stage: fmt.Sprintf("s%d", n), Status: "answered"}, nil
}

func mustParse(t *testing.T, src string) *Suite {
	t.Helper()
	s, err := ParseSuite(t.Name()+".yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func targetsOf(targets map[string]Target) TargetFunc {
	return func(_ context.Context, p Provider) (Target, error) {
		if t, ok := targets[p.Name()]; ok {
			return t, nil
		}
		return nil, errors.New("no target " + p.Name())
	}
}

func TestRunScoresCasesWithWeightsAndThresholds(t *testing.T) {
	s := mustParse(t, `
threshold: 0.5
tests:
  - description: every assertion passes
    turns:
      - text: "xin chào"
        assert: [{type: contains, value: "xin chào"}, {type: stage, value: s1}]
      - text: "tên An"
    assert:
      - {type: stage, value: s2}
      - {type: fields, value: {full_name: An}}
  - description: one failed assertion fails the case
    vars: {text: "a"}
    assert: [{type: contains, value: a}, {type: contains, value: zzz}]
  - description: a case threshold passes on the weighted score
    threshold: 0.75
    vars: {text: "a"}
    assert: [{type: contains, value: a, weight: 3}, {type: contains, value: zzz}]
  - description: weight zero only reports
    vars: {text: "a"}
    assert: [{type: contains, value: a}, {type: contains, value: zzz, weight: 0}]
`)
	r := &Runner{Targets: targetsOf(map[string]Target{"guide": &scripted{answer: echo}})}
	report, err := r.Run(context.Background(), []*Suite{s})
	if err != nil {
		t.Fatal(err)
	}
	cases := report.Suites[0].Providers[0].Cases
	want := []string{StatusPass, StatusFail, StatusPass, StatusPass}
	for i, c := range cases {
		if c.Status != want[i] {
			t.Errorf("%s: status %s, want %s (%s)", c.Description, c.Status, want[i], firstFailure(c))
		}
	}
	if got := cases[2].Attempts[0].Score; got != 0.75 {
		t.Errorf("weighted score = %v, want 0.75", got)
	}
	if p := report.Suites[0].Providers[0]; p.PassRate != 0.75 || !p.Passed || !report.Passed {
		t.Errorf("pass rate %v passed %v report %v", p.PassRate, p.Passed, report.Passed)
	}
	turns := cases[0].Attempts[0].Transcript.Turns
	if len(turns) != 2 || turns[0].Reply.Reply != "Bác nói: xin chào" || turns[0].Reply.LatencyMS <= 0 {
		t.Errorf("transcript = %+v", turns)
	}
}

func TestRepeatsReportThePassRateOfFlakyCases(t *testing.T) {
	var calls atomic.Int64
	flaky := &scripted{answer: func(ctx context.Context, n int, in Input) (Reply, error) {
		if calls.Add(1)%3 == 0 {
			return Reply{Reply: "sai"}, nil
		}
		return Reply{Reply: "đúng"}, nil
	}}
	s := mustParse(t, `
threshold: 0.9
tests: [{description: flaky, vars: {text: x}, assert: [{type: equals, value: đúng}]}]
`)
	r := &Runner{Targets: targetsOf(map[string]Target{"guide": flaky}), Repeat: 6, Concurrency: 1}
	report, err := r.Run(context.Background(), []*Suite{s})
	if err != nil {
		t.Fatal(err)
	}
	c := report.Suites[0].Providers[0].Cases[0]
	if len(c.Attempts) != 6 || c.Status != StatusFlaky || c.PassRate < 0.66 || c.PassRate > 0.67 {
		t.Fatalf("case = %s %v over %d attempts", c.Status, c.PassRate, len(c.Attempts))
	}
	if report.Passed {
		t.Error("a 67% pass rate must not meet a 90% threshold")
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	slow := &scripted{answer: func(ctx context.Context, n int, in Input) (Reply, error) {
		time.Sleep(20 * time.Millisecond)
		return Reply{Reply: "ok"}, nil
	}}
	var b strings.Builder
	b.WriteString("tests:\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "  - {description: c%d, vars: {text: x}, assert: [{type: equals, value: ok}]}\n", i)
	}
	s := mustParse(t, b.String())
	r := &Runner{Targets: targetsOf(map[string]Target{"guide": slow}), Concurrency: 3}
	report, err := r.Run(context.Background(), []*Suite{s})
	if err != nil {
		t.Fatal(err)
	}
	if !report.Passed {
		t.Fatal("want every case to pass")
	}
	if got := slow.maxSeen.Load(); got != 3 {
		t.Errorf("at most %d conversations in flight, want exactly 3", got)
	}
}

func TestTurnTimeoutFailsTheAttempt(t *testing.T) {
	hung := &scripted{answer: func(ctx context.Context, n int, in Input) (Reply, error) {
		<-ctx.Done()
		return Reply{}, ctx.Err()
	}}
	s := mustParse(t, `
defaultTest: {options: {timeout_ms: 50}}
tests: [{description: hangs, turns: [{text: x}, {text: y}]}]
`)
	r := &Runner{Targets: targetsOf(map[string]Target{"guide": hung})}
	start := time.Now()
	report, err := r.Run(context.Background(), []*Suite{s})
	if err != nil {
		t.Fatal(err)
	}
	a := report.Suites[0].Providers[0].Cases[0].Attempts[0]
	if a.Pass || !strings.Contains(a.Error, "turn 1: timed out after 50ms") {
		t.Fatalf("attempt = pass %v error %q", a.Pass, a.Error)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("the timeout did not stop the turn")
	}
}

func TestProviderMatrixAndFilter(t *testing.T) {
	s := mustParse(t, `
providers:
  - id: guide
  - {id: openai, label: small, config: {model: m}}
tests: [{description: a, vars: {text: x}, assert: [{type: equals, value: ok}]}]
`)
	good := &scripted{answer: func(context.Context, int, Input) (Reply, error) { return Reply{Reply: "ok"}, nil }}
	wrong := &scripted{answer: func(context.Context, int, Input) (Reply, error) { return Reply{Reply: "no"}, nil }}
	r := &Runner{Targets: targetsOf(map[string]Target{"guide": good, "small": wrong})}
	report, err := r.Run(context.Background(), []*Suite{s})
	if err != nil {
		t.Fatal(err)
	}
	ps := report.Suites[0].Providers
	if len(ps) != 2 || !ps[0].Passed || ps[1].Passed || report.Passed {
		t.Fatalf("providers = %+v", ps)
	}
	r.Provider = "guide"
	if report, _ = r.Run(context.Background(), []*Suite{s}); len(report.Suites[0].Providers) != 1 || !report.Passed {
		t.Fatalf("filtered run = %+v", report.Suites[0].Providers)
	}
	r.Provider = "nope"
	if _, err := r.Run(context.Background(), []*Suite{s}); err == nil {
		t.Error("want an error for an unknown provider")
	}
}

func TestATargetThatCannotStartFailsItsCases(t *testing.T) {
	s := mustParse(t, `tests: [{description: a, vars: {text: x}}]`)
	r := &Runner{Targets: targetsOf(nil)}
	report, err := r.Run(context.Background(), []*Suite{s})
	if err != nil {
		t.Fatal(err)
	}
	p := report.Suites[0].Providers[0]
	if p.Passed || p.Error == "" || p.Cases[0].Status != StatusFail {
		t.Fatalf("provider = %+v", p)
	}
}

func TestCacheMakesARerunFree(t *testing.T) {
	store := NewStore(dbtest.New(t))
	model := &scripted{id: Identity{Provider: "openai", Model: "m1", PromptVersion: "v1"}, answer: echo}
	s := mustParse(t, `
providers: [{id: openai, config: {model: m1}}]
tests:
  - {description: a, turns: [{text: x}, {text: "tên An"}], assert: [{type: fields, value: {full_name: An}}]}
  - {description: b, vars: {text: y}, assert: [{type: contains, value: y}]}
`)
	r := &Runner{Targets: targetsOf(map[string]Target{"openai": model}), Cache: store, Repeat: 2}
	first, err := r.Run(context.Background(), []*Suite{s})
	if err != nil {
		t.Fatal(err)
	}
	if got := model.turns.Load(); got != 6 {
		t.Fatalf("first run: %d turns, want 6", got)
	}
	second, err := r.Run(context.Background(), []*Suite{s})
	if err != nil {
		t.Fatal(err)
	}
	if got := model.turns.Load(); got != 6 {
		t.Errorf("rerun cost %d more turns, want none", got-6)
	}
	p := second.Suites[0].Providers[0]
	if p.CacheHits != 4 || !p.Passed || p.PassRate != first.Suites[0].Providers[0].PassRate {
		t.Errorf("rerun: %d hits, passed %v", p.CacheHits, p.Passed)
	}
	if got := p.Cases[0].Attempts[0].Transcript.Turns[1].Reply.Reply; got != "Bác nói: tên An" {
		t.Errorf("cached reply = %q", got)
	}

	// A new prompt version is a new key.
	model.id.PromptVersion = "v2"
	r.Targets = targetsOf(map[string]Target{"openai": model})
	if _, err := r.Run(context.Background(), []*Suite{s}); err != nil {
		t.Fatal(err)
	}
	if got := model.turns.Load(); got != 12 {
		t.Errorf("after a prompt change: %d turns, want 12", got)
	}
}

func TestTheDeterministicGuideIsNeverCached(t *testing.T) {
	store := NewStore(dbtest.New(t))
	guide := &scripted{id: Identity{Provider: "guide", PromptVersion: "v1"}, answer: echo}
	s := mustParse(t, `tests: [{description: a, vars: {text: x}}]`)
	r := &Runner{Targets: targetsOf(map[string]Target{"guide": guide}), Cache: store}
	for i := 0; i < 2; i++ {
		if _, err := r.Run(context.Background(), []*Suite{s}); err != nil {
			t.Fatal(err)
		}
	}
	if got := guide.turns.Load(); got != 2 {
		t.Errorf("guide answered %d turns, want 2", got)
	}
}
