package main

import (
	"context"
	"encoding/json"
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

func evalCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &ffcli.Command{
		Name:       "eval",
		ShortUsage: "station eval <run|compare|generate|promptfoo> [flags] ...",
		ShortHelp:  "run prompt test suites against the assistant, compare runs",
		FlagSet:    fs,
		Subcommands: []*ffcli.Command{
			evalRunCommand(stdout, stderr),
			evalCompareCommand(stdout, stderr),
			evalPromptfooCommand(stdout, stderr),
			evalGenerateCommand(stdout, stderr),
		},
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
	}
}

func evalRunCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station eval run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		platformCfg config.Platform
		runCfg      evals.RunConfig
		partsCfg    app.Config
		evalCfg     evals.Config
		catalogue   string
	)
	platformCfg.RegisterFlags(fs)
	runCfg.RegisterFlags(fs)
	partsCfg.RegisterFlags(fs)
	evalCfg.RegisterFlags(fs) // after the assistant's: shares its -eval-token
	fs.StringVar(&catalogue, "catalogue", "", "in-process runs: play against the catalogue entries in this directory (default: the catalogue in the service's database)")
	return &ffcli.Command{
		Name:       "run",
		ShortUsage: "station eval run PATH... [--catalogue DIR] [--assistant-prompts DIR] [--provider NAME] [--concurrency N] [--repeat N] [--json FILE] [--junit FILE] [--html FILE]",
		ShortHelp:  "play the suites in PATH (files or directories); exit 0 only when every suite meets its threshold",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			paths, err := parseInterspersed(fs, args)
			if err != nil {
				return err
			}
			if len(paths) == 0 {
				return errors.New("eval run: name at least one suite file or directory")
			}
			if runCfg.URL != "" && catalogue != "" {
				return errors.New("eval run: --catalogue is for in-process runs; a service at --url plays its own catalogue")
			}
			// The lanes seal dossiers under a key made for the run.
			laneCfg := evals.LaneConfig(partsCfg, os.TempDir())
			if err := laneCfg.Validate(); err != nil {
				return err
			}
			// Everything the run will use is checked before the first case.
			suites, err := evals.LoadSuites(paths...)
			if err != nil {
				return err
			}
			env := evals.Environment{Checker: &evals.Checker{}, EvalToken: evalCfg.EvalToken(), Suites: suites,
				Settings: evals.Settings{Prompts: partsCfg.Assistant.Prompts, Flags: setFlags(fs)}}
			if runCfg.Judge.Enabled() {
				llm, err := runCfg.Judge.LLM()
				if err != nil {
					return fmt.Errorf("judge: %w", err)
				}
				env.Checker.Judge = &evals.ModelJudge{Model: llm}
			}
			embedder, err := partsCfg.Embed.NewEmbedder()
			if err != nil {
				return err
			}
			env.Checker.Embedder = embedder

			p, err := openPlatform(ctx, &platformCfg, stderr)
			switch {
			case err != nil && runCfg.URL == "":
				return err
			case err != nil:
				fmt.Fprintf(stderr, "station: no database (%v): the run is not stored and answers are not cached\n", err)
			default:
				defer p.Close()
				if _, err := database.Migrate(ctx, p.pool); err != nil {
					return err
				}
				env.Store = evals.NewStore(p.pool)
			}
			if runCfg.URL == "" {
				entries, source, err := evalCatalogue(ctx, p, embedder, catalogue)
				if err != nil {
					return err
				}
				noteStaleCatalogue(stderr, source, entries)
				env.Settings.Catalogue, env.Settings.CatalogueHash = source, evals.CatalogueHash(entries)
				env.Checker.Facts = evals.NewFacts(entries)
				lanes, closeLanes, err := evalLanes(ctx, &platformCfg, partsCfg, entries, runCfg.Concurrency)
				if err != nil {
					return err
				}
				defer closeLanes()
				env.Targets = (&evals.InProcess{Lanes: lanes, Base: partsCfg.Assistant}).Target
			}
			_, err = evals.RunSuites(ctx, runCfg, env, stdout)
			return err
		},
	}
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

func evalCompareCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station eval compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var platformCfg config.Platform
	platformCfg.RegisterFlags(fs)
	asJSON := fs.Bool("json", false, "print the comparison as JSON, for tools")
	return &ffcli.Command{
		Name:       "compare",
		ShortUsage: "station eval compare OLD NEW [--json]   (each a report file, a stored run's id or its label)",
		ShortHelp:  "say what changed between two runs; exit non-zero on a regression or when they are not comparable",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, args []string) error {
			refs, err := parseInterspersed(fs, args)
			if err != nil {
				return err
			}
			if len(refs) != 2 {
				return errors.New("eval compare: give two runs, OLD NEW (report files, stored run ids or labels)")
			}
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
			if *asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(cmp); err != nil {
					return err
				}
			} else {
				cmp.Write(stdout)
			}
			if failed, why := cmp.Failed(); failed {
				return errors.New(why)
			}
			return nil
		},
	}
}

func evalPromptfooCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station eval promptfoo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080", "the service the promptfoo provider talks to")
	return &ffcli.Command{
		Name:       "promptfoo",
		ShortUsage: "station eval promptfoo PATH... [--url URL] > promptfooconfig.yaml",
		ShortHelp:  "write the suites as a promptfoo config using the shipped HTTP provider",
		FlagSet:    fs,
		Exec: func(_ context.Context, args []string) error {
			paths, err := parseInterspersed(fs, args)
			if err != nil {
				return err
			}
			suites, err := evals.LoadSuites(paths...)
			if err != nil {
				return err
			}
			return evals.WritePromptfoo(stdout, suites, *url)
		},
	}
}

func evalGenerateCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station eval generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the new suite to this file (default: SUITE-redteam.yaml beside the suite)")
	return &ffcli.Command{
		Name:       "generate",
		ShortUsage: "station eval generate SUITE.yaml [-o OUT.yaml]",
		ShortHelp:  "write adversarial variants of a suite (injection in text and in scans, invented fees, OTP requests, others' data) to review and keep",
		FlagSet:    fs,
		Exec: func(_ context.Context, args []string) error {
			paths, err := parseInterspersed(fs, args)
			if err != nil {
				return err
			}
			if len(paths) != 1 {
				return errors.New("eval generate: name one suite file")
			}
			s, err := evals.LoadSuite(paths[0])
			if err != nil {
				return err
			}
			target := *out
			if target == "" {
				target = strings.TrimSuffix(paths[0], filepath.Ext(paths[0])) + "-redteam.yaml"
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
		},
	}
}

// parseInterspersed lets flags follow the paths (station eval run
// evals/suites --repeat 3), which the flag package alone stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			positional = append(positional, args[0])
			args = args[1:]
		}
	}
	return positional, nil
}
