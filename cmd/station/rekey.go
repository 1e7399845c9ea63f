package main

import (
	"context"
	"fmt"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/seal"
)

// rekeyCommand seals every sealed value again under the current data key
// (the last step of a key rotation).
func (c *cli) rekeyCommand() *ffcli.Command {
	var keys seal.Config
	return c.build(command{
		path: "station rekey", usage: "[flags]", help: "seal every sealed value again under the current data key",
		long: "After a key rotation (the new key in STATION_DATA_KEY, the old ones in STATION_DATA_KEYS_PREVIOUS, " +
			"every replica restarted with them), seals every sealed value again under the new key, in short " +
			"transactions, and makes the dossiers' verification digests again. Stopped, run it again: it carries on. " +
			"When it succeeds, no value needs the previous keys any more.",
		flags: keys.RegisterFlags,
		check: func([]string) error { return keys.Validate() },
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			sealer, err := keys.Sealer()
			if err != nil {
				return err
			}
			if err := app.Rekey(ctx, p.pool, sealer, c.stdout); err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, "every sealed value is under the current key: the previous keys may be removed")
			return nil
		},
	})
}
