package main

import (
	"context"
	"fmt"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/seal"
)

func (c *cli) migrateCommand() *ffcli.Command {
	var keys seal.Config
	return c.build(command{
		path: "station migrate", usage: "[flags]", help: "apply pending database migrations",
		long: "Applies pending migrations. With the data key it also seals personal data stored in plain " +
			"text by earlier releases (migration 01901); without it that migration stops if there is any.",
		flags: keys.RegisterFlags,
		check: func([]string) error {
			if keys.DataKey != "" {
				return keys.Validate()
			}
			return nil
		},
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			var sealPlain func(context.Context) error
			if sealer, err := keys.Sealer(); err == nil {
				sealPlain = app.SealPlain(p.pool, sealer)
			}
			n, err := database.MigrateSealing(ctx, p.pool, sealPlain)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "applied %d migrations\n", n)
			return nil
		},
	})
}
