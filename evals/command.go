package evals

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/citizenstation/citizenstation/assistant"
)

// Environment is what station eval run finds on the machine: each may be
// nil, and whatever needs a missing one fails clearly.
type Environment struct {
	// Store keeps runs and cached answers (nil without a database).
	Store *Store
	// Targets builds the in-process targets (the assistant with the guide
	// or a model); the HTTP provider is built here.
	Targets TargetFunc
	// Checker carries the catalogue facts, the embedder and the judge.
	Checker *Checker
	// EvalToken asks a running service for its eval mode.
	EvalToken string
	// Suites are what the run plays, loaded and checked beforehand.
	Suites []*Suite
	// Settings record what the run played against.
	Settings Settings
}

// ErrBelowThreshold is returned when a suite misses its threshold.
var ErrBelowThreshold = errors.New("suites below their threshold")

// RunSuites is station eval run: it loads the suites, plays them, prints
// the summary to out, writes the report files and stores the run. It
// returns the report, and ErrBelowThreshold when any suite fails.
func RunSuites(ctx context.Context, cfg RunConfig, env Environment, out io.Writer) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	suites := env.Suites
	if len(suites) == 0 {
		return nil, errors.New("no suites to run")
	}
	if err := CheckProviders(suites); err != nil {
		return nil, err
	}
	checker := &Checker{}
	if env.Checker != nil {
		*checker = *env.Checker
	}
	var stations chan *TestStation
	if cfg.URL != "" {
		if err := playRemote(ctx, cfg.URL, &env, checker); err != nil {
			return nil, err
		}
		retire, err := testStations(ctx, cfg, env.EvalToken, out, &stations)
		defer retire()
		if err != nil {
			return nil, err
		}
	}
	r := newRunner(cfg, env, checker, stations)
	announce(out, suites)
	report, err := r.Run(ctx, suites)
	if err != nil {
		return nil, err
	}
	report.Settings = env.Settings
	report.Settings.Label = cfg.Label
	report.WriteSummary(out)
	if err := keep(ctx, cfg, env.Store, report, out); err != nil {
		return report, err
	}
	if !report.Passed {
		return report, ErrBelowThreshold
	}
	return report, nil
}

// playRemote points every suite at the service at url, whose own
// catalogue, not this machine's, decides which facts its replies may name.
func playRemote(ctx context.Context, url string, env *Environment, checker *Checker) error {
	for _, s := range env.Suites {
		s.Providers = []Provider{{ID: ProviderHTTP, Label: ProviderHTTP, Config: ProviderConfig{URL: url}}}
	}
	entries, err := RemoteCatalogue(ctx, url)
	if err != nil {
		return fmt.Errorf("read the catalogue of %s: %w", url, err)
	}
	checker.Facts = NewFacts(entries)
	env.Settings.Catalogue, env.Settings.CatalogueHash = url, CatalogueHash(entries)
	return nil
}

// testStations makes the stations the flow suites need on the service at
// cfg.URL, one per conversation in flight, into *stations; retire revokes
// them after the run. Without an evaluator token there are none.
func testStations(ctx context.Context, cfg RunConfig, token string, out io.Writer, stations *chan *TestStation) (retire func(), err error) {
	var made []*TestStation
	retire = func() {
		for _, st := range made {
			RetireTestStation(context.Background(), cfg.URL, token, st)
		}
	}
	if token == "" {
		return retire, nil
	}
	ch := make(chan *TestStation, cfg.Concurrency)
	for range cfg.Concurrency {
		st, err := AddTestStation(ctx, cfg.URL, token)
		if errors.Is(err, ErrNoTestStations) {
			fmt.Fprintln(out, "warning:", err)
			return retire, nil
		}
		if err != nil {
			return retire, err
		}
		made = append(made, st)
		ch <- st
	}
	*stations = ch
	return retire, nil
}

// newRunner is the runner of the suites: HTTP providers play against the
// service, the others in this process; answers and verdicts are cached in
// the store unless the run says not to.
func newRunner(cfg RunConfig, env Environment, checker *Checker, stations chan *TestStation) *Runner {
	r := &Runner{
		Targets: func(ctx context.Context, p Provider) (Target, error) {
			if p.ID == ProviderHTTP {
				return &HTTPTarget{BaseURL: p.Config.URL, EvalToken: env.EvalToken, Provider: p.Name(), Model: p.Config.Model, Stations: stations}, nil
			}
			if env.Targets == nil {
				return nil, fmt.Errorf("provider %s needs the in-process assistant, which is not available", p.Name())
			}
			return env.Targets(ctx, p)
		},
		Checker:     checker,
		Concurrency: cfg.Concurrency,
		Repeat:      cfg.Repeat,
		Timeout:     cfg.Timeout,
		Provider:    cfg.Provider,
		// A running service is shared by every attempt: the cases of a
		// suite that says so (the same demo bills) play one at a time.
		Shared: cfg.URL != "",
	}
	if env.Store != nil && !cfg.NoCache {
		r.Cache = env.Store
		if checker.Judge != nil {
			checker.Judge = &CachedJudge{Judge: checker.Judge, Name: cfg.Judge.Provider + ":" + cfg.Judge.URL + ":" + cfg.Judge.Model, Cache: env.Store}
		}
	}
	return r
}

// announce prints the suites' warnings and how much is about to run.
func announce(out io.Writer, suites []*Suite) {
	cases := 0
	for _, s := range suites {
		cases += len(s.Tests)
		for _, w := range s.Warnings {
			fmt.Fprintln(out, "warning:", w)
		}
	}
	fmt.Fprintf(out, "running %d suites, %d cases…\n", len(suites), cases)
}

// keep writes the report files and stores the run, pruning the answers
// that expired from the cache.
func keep(ctx context.Context, cfg RunConfig, store *Store, report *Report, out io.Writer) error {
	if err := writeFiles(report, cfg); err != nil {
		return err
	}
	if store == nil {
		return nil
	}
	if !cfg.NoStore {
		if err := store.SaveRun(ctx, cfg.Label, report); err != nil {
			return err
		}
		fmt.Fprintf(out, "stored as run %s\n", report.ID)
	}
	// Expired answers would never be read again.
	_, err := store.PruneCache(ctx)
	return err
}

func writeFiles(r *Report, cfg RunConfig) error {
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
	}{{cfg.JSON, r.WriteJSON}, {cfg.JUnit, r.WriteJUnit}, {cfg.HTML, r.WriteHTML}} {
		if f.path == "" {
			continue
		}
		if err := writeFile(f.path, f.write); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes through a temporary file, so a reader never sees half a
// report.
func writeFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".eval-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	tmp.Chmod(0o644)
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// CheckProviders checks every provider of every suite before the first
// case: URLs that parse as http(s) addresses and prompt sets that load. It
// lists every mistake at once.
func CheckProviders(suites []*Suite) error {
	var errs []error
	for _, s := range suites {
		for _, p := range s.Providers {
			if u := p.Config.URL; u != "" {
				if parsed, err := url.Parse(u); err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
					errs = append(errs, fmt.Errorf("%s: provider %s: url %q is not an http(s) address", s.Path, p.Name(), u))
				}
			}
			if p.Prompts != "" {
				if _, err := assistant.LoadPrompts(p.Prompts); err != nil {
					errs = append(errs, fmt.Errorf("%s: provider %s: %w", s.Path, p.Name(), err))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// LoadRun reads a run for compare: a JSON report file, or a stored run by
// its id or its label (the newest run with that label).
func LoadRun(ctx context.Context, store *Store, ref string) (*Report, error) {
	if _, err := os.Stat(ref); err == nil {
		return ReadReport(ref)
	}
	if store == nil {
		return nil, fmt.Errorf("%s: no such report file, and no database to find a stored run in", ref)
	}
	r, err := store.FindRun(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	return r, nil
}
