package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/jobs"
)

// workerCommand runs background jobs without serving HTTP, so that jobs can
// run on machines other than the web replicas; any number may run.
func workerCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station worker", flag.ContinueOnError)
	var (
		platformCfg config.Platform
		partsCfg    app.Config
		stopAfter   time.Duration
	)
	platformCfg.RegisterFlags(fs)
	partsCfg.RegisterFlags(fs)
	fs.DurationVar(&stopAfter, "shutdown-timeout", 30*time.Second, "how long running jobs may finish after SIGTERM")
	return &ffcli.Command{
		Name:       "worker",
		ShortUsage: "station worker [flags]",
		ShortHelp:  "run background jobs (sweeps, notifications, OCR) without serving HTTP",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			partsCfg.Jobs.Work = true // a worker that does not work is no worker
			if err := partsCfg.Validate(); err != nil {
				return err
			}
			p, err := openPlatform(ctx, &platformCfg, stderr)
			if err != nil {
				return err
			}
			defer p.Close()
			partsCfg.DataDir = platformCfg.DataDir
			parts, err := app.Wire(ctx, p.pool, p.log, &partsCfg)
			if err != nil {
				return err
			}
			if err := parts.Jobs.Start(ctx); err != nil {
				return err
			}
			p.log.Info("worker started", "max_jobs", partsCfg.Jobs.MaxWorkers)
			<-ctx.Done()
			return stopJobs(parts.Jobs, stopAfter)
		},
	}
}

// stopJobs lets running jobs finish for up to d, then cancels them.
func stopJobs(q *jobs.Queue, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return q.Stop(ctx)
}
