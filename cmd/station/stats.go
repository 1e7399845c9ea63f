package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/kiosk/stats"
)

// statsCommand groups the demand statistics' commands.
func (c *cli) statsCommand() *ffcli.Command {
	var (
		station string
		visits  int
		ifEmpty bool
	)
	demo := c.build(command{
		path: "station stats demo-week", usage: "-station ID [-visits N] [-if-empty]",
		help: "record an invented week of visits at a demonstration station, for the statistics page",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&station, "station", "", "the station (id) whose demonstration week is recorded")
			fs.IntVar(&visits, "visits", 1200, "how many invented visits")
			fs.BoolVar(&ifEmpty, "if-empty", false, "only when the station has no visit yet (make run's demonstration)")
		},
		check: func([]string) error {
			if station == "" || visits < 1 {
				return fmt.Errorf("give -station ID and -visits of at least 1")
			}
			return nil
		},
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			if ifEmpty {
				var any bool
				if err := p.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM kiosk_sessions WHERE station_id = $1)`, station).Scan(&any); err != nil {
					return err
				}
				if any {
					return nil
				}
			}
			n, err := stats.SeedDemoWeek(ctx, p.pool, station, visits, 1, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "recorded %d demonstration visits at station %s over the last 7 days\n", n, station)
			return nil
		},
	})
	return group("station stats", "<subcommand>", "demand statistics (the page is /staff/stations/stats)", demo)
}
