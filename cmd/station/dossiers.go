package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// dossiersCommand is station dossiers purge: the daily clean-up of drafts
// nobody submitted.
func dossiersCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station dossiers purge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		platformCfg config.Platform
		dossierCfg  dossiers.Config
		olderThan   time.Duration
	)
	platformCfg.RegisterFlags(fs)
	dossierCfg.RegisterFlags(fs)
	fs.DurationVar(&olderThan, "older-than", 7*24*time.Hour, "delete drafts untouched for this long")
	purge := &ffcli.Command{
		Name:       "purge",
		ShortUsage: "station dossiers purge [-older-than 168h]",
		ShortHelp:  "delete abandoned drafts and their scans (run daily)",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			if olderThan < time.Hour {
				return config.Invalid("older-than", olderThan, "must be at least 1h")
			}
			if err := dossierCfg.Validate(); err != nil {
				return err
			}
			p, err := openPlatform(ctx, &platformCfg, stderr)
			if err != nil {
				return err
			}
			defer p.Close()
			catalogue, err := procedures.New(p.pool, procedures.NewLocalEmbedder())
			if err != nil {
				return err
			}
			dossierCfg.DataDir = platformCfg.DataDir
			svc, err := dossiers.NewService(ctx, p.pool, catalogue, dossierCfg)
			if err != nil {
				return err
			}
			n, err := svc.PurgeDrafts(ctx, olderThan)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "deleted %d abandoned drafts\n", n)
			return nil
		},
	}
	return &ffcli.Command{
		Name:        "dossiers",
		ShortUsage:  "station dossiers purge [flags]",
		ShortHelp:   "maintain dossiers",
		FlagSet:     flag.NewFlagSet("station dossiers", flag.ContinueOnError),
		Subcommands: []*ffcli.Command{purge},
		Exec:        func(context.Context, []string) error { return flag.ErrHelp },
	}
}
