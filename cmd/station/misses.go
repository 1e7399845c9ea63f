package main

import (
	"context"
	"flag"
	"io"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/config"
)

// missesCommand groups what the service learnt from the openings the guide
// did not understand ("Câu hỏi chưa hiểu" on the staff console).
func missesCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station misses", flag.ContinueOnError)
	export := missesExportCommand(stdout, stderr)
	export.FlagSet.SetOutput(stderr)
	return &ffcli.Command{
		Name:        "misses",
		ShortUsage:  "station misses <subcommand> [flags]",
		ShortHelp:   "openings the guide did not understand, and what staff taught from them",
		FlagSet:     fs,
		Subcommands: []*ffcli.Command{export},
		Exec:        func(context.Context, []string) error { return flag.ErrHelp },
	}
}

func missesExportCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station misses export", flag.ContinueOnError)
	var cfg config.Platform
	cfg.RegisterFlags(fs)
	return &ffcli.Command{
		Name:       "export",
		ShortUsage: "station misses export [flags] > evals/suites/learned.yaml",
		ShortHelp:  "write the openings staff taught the catalogue as an eval suite",
		LongHelp: "Writes every opening a staff member taught the catalogue (as an alias or an\n" +
			"example) with the procedure it asks for, as an eval suite that CI plays: each\n" +
			"opening must offer its procedure. Commit it as evals/suites/learned.yaml.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			p, err := openPlatform(ctx, &cfg, stderr)
			if err != nil {
				return err
			}
			defer p.Close()
			pairs, err := assistant.NewStore(p.pool).LearnedPairs(ctx)
			if err != nil {
				return err
			}
			_, err = stdout.Write(assistant.LearnedSuite(pairs))
			return err
		},
	}
}
