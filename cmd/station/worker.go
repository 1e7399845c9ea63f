package main

import (
	"context"
	"flag"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/jobs"
)

// workerCommand runs background jobs without serving HTTP, so that jobs can
// run on machines other than the web replicas; any number may run.
func (c *cli) workerCommand() *ffcli.Command {
	var (
		cfg       app.Config
		stopAfter time.Duration
	)
	return c.build(command{
		path: "station worker", usage: "[flags]",
		help: "run background jobs (sweeps, notifications, OCR) without serving HTTP",
		flags: func(fs *flag.FlagSet) {
			cfg.RegisterFlags(fs)
			fs.DurationVar(&stopAfter, "shutdown-timeout", 30*time.Second, "how long running jobs may finish after SIGTERM")
		},
		check: func([]string) error {
			cfg.Jobs.Work = true // a worker that does not work is no worker
			return cfg.Validate()
		},
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			cfg.DataDir = p.dataDir
			parts, err := app.Wire(ctx, p.pool, p.log, &cfg)
			if err != nil {
				return err
			}
			if err := parts.Jobs.Start(ctx); err != nil {
				return err
			}
			p.log.Info("worker started", "max_jobs", cfg.Jobs.MaxWorkers)
			<-ctx.Done()
			return stopJobs(parts.Jobs, stopAfter)
		},
	})
}

// stopJobs lets running jobs finish for up to d, then cancels them.
func stopJobs(q *jobs.Queue, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return q.Stop(ctx)
}
