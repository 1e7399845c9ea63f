package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
)

func migrateCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station migrate", flag.ContinueOnError)
	var cfg config.Platform
	cfg.RegisterFlags(fs)
	return &ffcli.Command{
		Name:       "migrate",
		ShortUsage: "station migrate [flags]",
		ShortHelp:  "apply pending database migrations",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			p, err := openPlatform(ctx, &cfg, stderr)
			if err != nil {
				return err
			}
			defer p.Close()
			n, err := database.Migrate(ctx, p.pool)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "applied %d migrations\n", n)
			return nil
		},
	}
}
