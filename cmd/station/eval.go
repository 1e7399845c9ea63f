package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/evals"
	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/procedures"
)

func (c *cli) evalCommand() *ffcli.Command {
	return group("station eval", "<run|compare|generate|promptfoo> [flags] ...",
		"run prompt test suites against the assistant, compare runs",
		c.evalRunCommand(), c.evalCompareCommand(), c.evalPromptfooCommand(), c.evalGenerateCommand())
}

// evalRun is what station eval run is given.
type evalRun struct {
	platform  config.Platform
	run       evals.RunConfig
	parts     app.Config
	eval      evals.Config
	catalogue string
	fs        *flag.FlagSet
}

func (c *cli) evalRunCommand() *ffcli.Command {
	var r evalRun
	return c.build(command{
		path:  "station eval run",
		usage: "PATH... [--catalogue DIR] [--assistant-prompts DIR] [--provider NAME] [--concurrency N] [--repeat N] [--json FILE] [--junit FILE] [--html FILE]",
		help:  "play the suites in PATH (files or directories); exit 0 only when every suite meets its threshold",
		args:  atLeast(1), interspersed: true,
		flags: func(fs *flag.FlagSet) {
			r.fs = fs
			r.platform.RegisterFlags(fs)
			r.run.RegisterFlags(fs)
			r.parts.RegisterFlags(fs)
			r.eval.RegisterFlags(fs) // after the assistant's: shares its -eval-token
			fs.StringVar(&r.catalogue, "catalogue", "", "in-process runs: play against the catalogue entries in this directory (default: the catalogue in the service's database)")
		},
		check: r.check,
		run:   func(ctx context.Context, paths []string) error { return c.evalRun(ctx, &r, paths) },
	})
}

// check checks the settings.
func (r *evalRun) check([]string) error {
	if r.run.URL != "" && r.catalogue != "" {
		return errors.New("eval run: --catalogue is for in-process runs; a service at --url plays its own catalogue")
	}
	// The lanes seal dossiers under a key made for the run.
	laneCfg := evals.LaneConfig(r.parts, os.TempDir())
	return laneCfg.Validate()
}

// evalRun plays the suites: everything the run will use is checked before
// the first case; the run is stored when there is a database, and plays
// against lanes of the service in this process unless --url names one.
func (c *cli) evalRun(ctx context.Context, r *evalRun, paths []string) error {
	suites, err := evals.LoadSuites(paths...)
	if err != nil {
		return err
	}
	checker, embedder, err := evalChecker(&r.run, &r.parts)
	if err != nil {
		return err
	}
	env := evals.Environment{Checker: checker, EvalToken: r.eval.EvalToken(), Suites: suites,
		Settings: evals.Settings{Prompts: r.parts.Assistant.Prompts, Flags: setFlags(r.fs)}}

	p, err := openPlatform(ctx, &r.platform, c.stderr)
	switch {
	case err != nil && r.run.URL == "":
		return err
	case err != nil:
		fmt.Fprintf(c.stderr, "station: no database (%v): the run is not stored and answers are not cached\n", err)
	default:
		defer p.Close()
		if _, err := database.Migrate(ctx, p.pool); err != nil {
			return err
		}
		env.Store = evals.NewStore(p.pool)
	}
	if r.run.URL == "" {
		closeLanes, err := inProcess(ctx, &env, p, embedder, r.catalogue, &r.platform, r.parts, r.run.Concurrency, c.stderr)
		if err != nil {
			return err
		}
		defer closeLanes()
	}
	_, err = evals.RunSuites(ctx, r.run, env, c.stdout)
	return err
}

// evalChecker is the checker of a run's assertions: the judge model when
// one is configured, and the embedder that similarity assertions use.
func evalChecker(runCfg *evals.RunConfig, partsCfg *app.Config) (*evals.Checker, procedures.Embedder, error) {
	checker := &evals.Checker{}
	if runCfg.Judge.Enabled() {
		llm, err := runCfg.Judge.LLM()
		if err != nil {
			return nil, nil, fmt.Errorf("judge: %w", err)
		}
		checker.Judge = &evals.ModelJudge{Model: llm}
	}
	embedder, err := partsCfg.Embed.NewEmbedder()
	if err != nil {
		return nil, nil, err
	}
	checker.Embedder = embedder
	return checker, embedder, nil
}

// inProcess sets env up to play against lanes of the service in this
// process, on the catalogue evalCatalogue chooses; the caller closes the
// lanes.
func inProcess(ctx context.Context, env *evals.Environment, p *platform, embedder procedures.Embedder, catalogue string,
	platformCfg *config.Platform, partsCfg app.Config, concurrency int, stderr io.Writer) (func(), error) {
	entries, source, err := evalCatalogue(ctx, p, embedder, catalogue)
	if err != nil {
		return nil, err
	}
	noteStaleCatalogue(stderr, source, entries)
	env.Settings.Catalogue, env.Settings.CatalogueHash = source, evals.CatalogueHash(entries)
	env.Checker.Facts = evals.NewFacts(entries)
	lanes, closeLanes, err := evalLanes(ctx, platformCfg, partsCfg, entries, concurrency)
	if err != nil {
		return nil, err
	}
	env.Targets = (&evals.InProcess{Lanes: lanes, Base: partsCfg.Assistant}).Target
	return closeLanes, nil
}

// evalCatalogue gives the entries an in-process run plays against: those in
// dir when given, else the catalogue in the service's database, so that an
// entry imported with station import is what the suites see; the shipped
// catalogue only where the database has none yet. It says which it took.
func evalCatalogue(ctx context.Context, p *platform, embedder procedures.Embedder, dir string) ([]procedures.Entry, string, error) {
	if dir != "" {
		entries, err := procedures.Load(os.DirFS(dir))
		if err != nil {
			return nil, "", fmt.Errorf("--catalogue %s: %w", dir, err)
		}
		return entries, dir, nil
	}
	stored, err := procedures.New(p.pool, embedder)
	if err != nil {
		return nil, "", err
	}
	entries, err := stored.List(ctx, procedures.ListFilter{})
	if err == nil && len(entries) > 0 {
		return entries, "database", nil
	}
	if err != nil && !apperr.IsKind(err, apperr.Unavailable) {
		return nil, "", err
	}
	entries, err = procedures.Load(procedures.Shipped())
	return entries, "shipped", err
}

// noteStaleCatalogue says when the service database's catalogue, which
// the run plays, is not the one built into this binary: a developer who
// edited the YAML and rebuilt would otherwise wonder why nothing changed.
func noteStaleCatalogue(w io.Writer, source string, entries []procedures.Entry) {
	if source != "database" {
		return
	}
	shipped, err := procedures.Load(procedures.Shipped())
	if err != nil || evals.CatalogueHash(shipped) == evals.CatalogueHash(entries) {
		return
	}
	fmt.Fprintln(w, "station: note: the run plays the catalogue in the service's database, which differs from the one built into this binary;",
		"run station import to load the built-in one, or give --catalogue DIR")
}

// evalLanes prepares n scratch databases holding entries, each with the
// service's parts wired as serve wires them, since the flow suites make
// orders, dossiers and reports that must never reach the service's own
// database. One is built, then copied: a copy of a small database takes a
// fraction of a second.
func evalLanes(ctx context.Context, platformCfg *config.Platform, base app.Config, entries []procedures.Entry, n int) (lanes []*evals.Lane, closeAll func(), err error) {
	var closers []func()
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	quiet := slog.New(slog.DiscardHandler)
	dataDir, err := os.MkdirTemp("", "station-eval-")
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, func() { os.RemoveAll(dataDir) })
	cfg := evals.LaneConfig(base, dataDir)

	golden, name, drop, err := scratchDatabase(ctx, platformCfg.DatabaseURL, platformCfg.DBWait)
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, drop)
	parts, err := app.Wire(ctx, golden, quiet, &cfg)
	if err != nil {
		return nil, nil, err
	}
	if _, err := parts.Catalogue.Import(ctx, entries); err != nil {
		return nil, nil, fmt.Errorf("import the catalogue into the scratch database: %w", err)
	}
	stationID, err := evals.PrepareScratch(ctx, golden, parts.Stations)
	if err != nil {
		return nil, nil, err
	}
	golden.Close() // a database is copied only while nobody is connected

	reader := &evals.OCR{Config: cfg.OCR}
	closers = append(closers, reader.Close)
	for i := 0; i < n; i++ {
		pool, dropCopy, err := copyDatabase(ctx, platformCfg.DatabaseURL, name, platformCfg.DBWait)
		if err != nil {
			return nil, nil, err
		}
		closers = append(closers, dropCopy)
		parts, err := app.Wire(ctx, pool, quiet, &cfg)
		if err != nil {
			return nil, nil, err
		}
		lane, err := evals.NewLane(ctx, parts, stationID)
		if err != nil {
			return nil, nil, err
		}
		lane.Recognise = reader.Into(parts.OCRStore)
		lanes = append(lanes, lane)
	}
	return lanes, closeAll, nil
}

// setFlags lists the flags given on the command line or in the
// environment, for the run's record; secrets are not flags.
func setFlags(fs *flag.FlagSet) map[string]string {
	set := map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		if strings.Contains(f.Name, "key") || strings.Contains(f.Name, "token") || strings.Contains(f.Name, "database-url") {
			return
		}
		set[f.Name] = f.Value.String()
	})
	return set
}

func (c *cli) evalCompareCommand() *ffcli.Command {
	var (
		platformCfg config.Platform
		asJSON      bool
	)
	return c.build(command{
		path: "station eval compare", usage: "OLD NEW [--json]   (each a report file, a stored run's id or its label)",
		help: "say what changed between two runs; exit non-zero on a regression or when they are not comparable",
		args: exactly(2), interspersed: true,
		flags: func(fs *flag.FlagSet) {
			platformCfg.RegisterFlags(fs)
			fs.BoolVar(&asJSON, "json", false, "print the comparison as JSON, for tools")
		},
		run: func(ctx context.Context, refs []string) (err error) {
			var store *evals.Store
			if p, err := openPlatform(ctx, &platformCfg, io.Discard); err == nil {
				defer p.Close()
				store = evals.NewStore(p.pool)
			}
			var runs [2]*evals.Report
			for i, ref := range refs {
				if runs[i], err = evals.LoadRun(ctx, store, ref); err != nil {
					return err
				}
			}
			cmp := evals.Compare(runs[0], runs[1])
			if asJSON {
				if err := printJSON(c.stdout, cmp); err != nil {
					return err
				}
			} else {
				cmp.Write(c.stdout)
			}
			if failed, why := cmp.Failed(); failed {
				return errors.New(why)
			}
			return nil
		},
	})
}

func (c *cli) evalPromptfooCommand() *ffcli.Command {
	var url string
	return c.build(command{
		path: "station eval promptfoo", usage: "PATH... [--url URL] > promptfooconfig.yaml",
		help: "write the suites as a promptfoo config using the shipped HTTP provider",
		args: anyArgs, interspersed: true,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&url, "url", "http://127.0.0.1:8080", "the service the promptfoo provider talks to")
		},
		run: func(_ context.Context, paths []string) error {
			suites, err := evals.LoadSuites(paths...)
			if err != nil {
				return err
			}
			return evals.WritePromptfoo(c.stdout, suites, url)
		},
	})
}

func (c *cli) evalGenerateCommand() *ffcli.Command {
	var out string
	return c.build(command{
		path: "station eval generate", usage: "SUITE.yaml [-o OUT.yaml]",
		help: "write adversarial variants of a suite (injection in text and in scans, invented fees, OTP requests, others' data) to review and keep",
		args: exactly(1), interspersed: true,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "o", "", "write the new suite to this file (default: SUITE-redteam.yaml beside the suite)")
		},
		run: func(_ context.Context, paths []string) error {
			return generateSuite(paths[0], out, c.stdout)
		},
	})
}

// generateSuite writes the adversarial variants of the suite in path to
// target (by default beside it), after checking that they load.
func generateSuite(path, target string, stdout io.Writer) error {
	s, err := evals.LoadSuite(path)
	if err != nil {
		return err
	}
	if target == "" {
		target = strings.TrimSuffix(path, filepath.Ext(path)) + "-redteam.yaml"
	}
	var b strings.Builder
	gen := evals.Generate(s, filepath.Dir(target))
	if err := gen.WriteYAML(&b); err != nil {
		return err
	}
	// What is written must load: check it before writing.
	if _, err := evals.ParseSuite(target, []byte(b.String())); err != nil {
		return fmt.Errorf("the generated suite does not load: %w", err)
	}
	if err := os.WriteFile(target, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d cases from %d, to review before keeping\n", target, len(gen.Tests), len(s.Tests))
	return nil
}
