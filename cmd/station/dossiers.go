package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// dossiersCommand is station dossiers purge: the daily clean-up of drafts
// nobody submitted.
func (c *cli) dossiersCommand() *ffcli.Command {
	var (
		cfg       dossiers.Config
		olderThan time.Duration
	)
	purge := c.build(command{
		path: "station dossiers purge", usage: "[-older-than 168h]",
		help: "delete abandoned drafts and their scans (run daily)",
		flags: func(fs *flag.FlagSet) {
			cfg.RegisterFlags(fs)
			fs.DurationVar(&olderThan, "older-than", 7*24*time.Hour, "delete drafts untouched for this long")
		},
		check: func([]string) error {
			if olderThan < time.Hour {
				return config.Invalid("older-than", olderThan, "must be at least 1h")
			}
			return cfg.Validate()
		},
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			catalogue, err := procedures.New(p.pool, procedures.NewLocalEmbedder())
			if err != nil {
				return err
			}
			cfg.DataDir = p.dataDir
			svc, err := dossiers.NewService(ctx, p.pool, catalogue, cfg)
			if err != nil {
				return err
			}
			n, err := svc.PurgeDrafts(ctx, olderThan)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "deleted %d abandoned drafts\n", n)
			return nil
		},
	})
	return group("station dossiers", "purge [flags]", "maintain dossiers", purge)
}
