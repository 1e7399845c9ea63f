package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/evals"
	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures"
)

func evalCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &ffcli.Command{
		Name:       "eval",
		ShortUsage: "station eval <run|compare> [flags] ...",
		ShortHelp:  "run prompt test suites against the assistant, compare runs",
		FlagSet:    fs,
		Subcommands: []*ffcli.Command{
			evalRunCommand(stdout, stderr),
			evalCompareCommand(stdout, stderr),
			evalPromptfooCommand(stdout, stderr),
		},
		Exec: func(context.Context, []string) error { return flag.ErrHelp },
	}
}

func evalRunCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station eval run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		platformCfg  config.Platform
		runCfg       evals.RunConfig
		assistantCfg assistant.Config
		embedCfg     procedures.Config
		ocrCfg       ocr.Config
		evalCfg      evals.Config
	)
	platformCfg.RegisterFlags(fs)
	runCfg.RegisterFlags(fs)
	assistantCfg.RegisterFlags(fs)
	embedCfg.RegisterFlags(fs)
	ocrCfg.RegisterFlags(fs)
	evalCfg.RegisterFlags(fs) // after the assistant's: shares its -eval-token
	return &ffcli.Command{
		Name:       "run",
		ShortUsage: "station eval run PATH... [--provider NAME] [--concurrency N] [--repeat N] [--json FILE] [--junit FILE] [--html FILE]",
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
			if err := embedCfg.Validate(); err != nil {
				return err
			}
			if err := ocrCfg.Validate(); err != nil {
				return err
			}
			env := evals.Environment{Checker: &evals.Checker{}, EvalToken: evalCfg.EvalToken()}
			if runCfg.Judge.Enabled() {
				llm, err := runCfg.Judge.LLM()
				if err != nil {
					return fmt.Errorf("judge: %w", err)
				}
				env.Checker.Judge = &evals.ModelJudge{Model: llm}
			}
			embedder, err := embedCfg.NewEmbedder()
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
				// In-process: the assistant with the real kiosk services and
				// Tesseract for fixture scans, on a scratch database with the
				// shipped catalogue, since the flow suites make orders,
				// dossiers and reports that must never reach the service's
				// own database. Runs and cached answers still go there.
				scratch, _, drop, err := scratchDatabase(ctx, platformCfg.DatabaseURL, platformCfg.DBWait)
				if err != nil {
					return err
				}
				defer drop()
				dataDir, err := os.MkdirTemp("", "station-eval-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dataDir)
				catalogue, err := openCatalogue(ctx, &platform{log: p.log, pool: scratch}, embedder, io.Discard)
				if err != nil {
					return err
				}
				entries, err := catalogue.List(ctx, procedures.ListFilter{})
				if err != nil {
					return err
				}
				env.Checker.Facts = evals.NewFacts(entries)
				scans := ocr.NewStore(scratch, dataDir)
				reader := &evals.OCR{Config: ocrCfg, Store: scans}
				defer reader.Close()
				in := &evals.InProcess{Pool: scratch, Catalogue: catalogue, Scans: assistant.OCRScans{Results: scans},
					Recognise: reader.Recognise, Base: assistantCfg}
				if err := in.WithKioskServices(ctx, dataDir); err != nil {
					return err
				}
				env.Targets = in.Target
			}
			_, err = evals.RunSuites(ctx, runCfg, env, paths, stdout)
			return err
		},
	}
}

// openCatalogue imports the shipped catalogue when none is there yet, so
// eval run works on a fresh machine.
func openCatalogue(ctx context.Context, p *platform, embedder procedures.Embedder, stderr io.Writer) (*procedures.Catalogue, error) {
	catalogue, err := procedures.New(p.pool, embedder)
	if err != nil {
		return nil, err
	}
	if _, err := catalogue.Status(ctx); err == nil {
		return catalogue, nil
	} else if !apperr.IsKind(err, apperr.Unavailable) {
		return nil, err
	}
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(stderr, "station: importing the shipped catalogue")
	if _, err := catalogue.Import(ctx, entries); err != nil {
		return nil, err
	}
	return catalogue, nil
}

func evalCompareCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station eval compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &ffcli.Command{
		Name:       "compare",
		ShortUsage: "station eval compare OLD.json NEW.json",
		ShortHelp:  "list regressions and improvements case by case; exit non-zero on a regression",
		FlagSet:    fs,
		Exec: func(_ context.Context, args []string) error {
			if len(args) != 2 {
				return errors.New("eval compare: give two reports, OLD.json NEW.json")
			}
			cmp, err := evals.CompareFiles(args[0], args[1], stdout)
			if err != nil {
				return err
			}
			if cmp.Regressed() {
				return fmt.Errorf("%d regressions", len(cmp.Regressions)+len(cmp.SuitesBroken))
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
