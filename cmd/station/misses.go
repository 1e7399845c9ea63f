package main

import (
	"context"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/assistant"
)

// missesCommand groups what the service learnt from the openings the guide
// did not understand ("Câu hỏi chưa hiểu" on the staff console).
func (c *cli) missesCommand() *ffcli.Command {
	return group("station misses", "<subcommand> [flags]",
		"openings the guide did not understand, and what staff taught from them", c.missesExportCommand())
}

func (c *cli) missesExportCommand() *ffcli.Command {
	return c.build(command{
		path: "station misses export", usage: "[flags] > evals/suites/learned.yaml",
		help: "write the openings staff taught the catalogue as an eval suite",
		long: "Writes every opening a staff member taught the catalogue (as an alias or an\n" +
			"example) with the procedure it asks for, as an eval suite that CI plays: each\n" +
			"opening must offer its procedure. Commit it as evals/suites/learned.yaml.",
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			pairs, err := assistant.LearnedPairs(ctx, p.pool)
			if err != nil {
				return err
			}
			_, err = c.stdout.Write(assistant.LearnedSuite(pairs))
			return err
		},
	})
}
