// Package jobs runs the service's background work on River, a job queue kept
// in the service's own PostgreSQL database. Any process may insert jobs; the
// processes started as workers (every `station serve` unless told otherwise,
// and any number of `station worker` on other machines) fetch and run them.
// A job that fails is retried with backoff; one that has failed its last
// attempt is kept as discarded, where staff see it and may run it again.
//
// Sweeps (stations gone silent, pending payments, overdue reports, …) are
// River periodic jobs: the elected leader among the workers inserts each on
// its schedule, so exactly one worker runs each tick however many replicas
// there are.
package jobs

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/citizenstation/citizenstation/internal/config"
)

// Sweep is background work repeated on a schedule by one worker at a time.
// Sweeps are written to be safe to repeat: a worker that dies mid-sweep has
// its job rescued and run again.
type Sweep struct {
	// Name identifies the sweep in the job's arguments and in logs.
	Name string
	// Every is the time between runs.
	Every time.Duration
	// Run does the sweep's work.
	Run func(ctx context.Context) error
}

// Config is how a Queue is built.
type Config struct {
	// Work makes this process fetch and run jobs; without it the queue only
	// inserts (and the sweeps are left to the processes that work).
	Work bool
	// MaxWorkers bounds how many jobs this process runs at once.
	MaxWorkers int
	// Sweeps are scheduled as periodic jobs when Work is set.
	Sweeps []Sweep
	// Register adds the workers of the parts' own job kinds.
	Register []func(*river.Workers)
	// ID names this process among River's clients; River makes one up when
	// empty.
	ID string
}

// Queue inserts and, when configured to work, runs the service's jobs.
type Queue struct {
	client *river.Client[pgx.Tx]
	work   bool
}

// New builds the queue over pool. The River schema must be migrated
// (station migrate does it).
func New(pool *pgxpool.Pool, log *slog.Logger, cfg Config) (*Queue, error) {
	workers := river.NewWorkers()
	sweeps := &sweepWorker{runs: map[string]func(context.Context) error{}, log: log}
	for _, s := range cfg.Sweeps {
		if _, dup := sweeps.runs[s.Name]; dup {
			return nil, fmt.Errorf("jobs: sweep %q added twice", s.Name)
		}
		sweeps.runs[s.Name] = s.Run
	}
	river.AddWorker(workers, sweeps)
	for _, register := range cfg.Register {
		register(workers)
	}
	rc := &river.Config{
		ID:      cfg.ID,
		Logger:  quieter(log),
		Workers: workers,
		// A discarded job stays for staff to look at for a month.
		DiscardedJobRetentionPeriod: 30 * 24 * time.Hour,
		CompletedJobRetentionPeriod: 24 * time.Hour,
		MaxAttempts:                 DefaultAttempts,
		JobTimeout:                  5 * time.Minute,
	}
	if cfg.Work {
		n := cfg.MaxWorkers
		if n <= 0 {
			n = 10
		}
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
		for _, s := range cfg.Sweeps {
			rc.PeriodicJobs = append(rc.PeriodicJobs, s.periodic())
		}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Queue{client: client, work: cfg.Work}, nil
}

// DefaultAttempts is how many times a job is tried before it is discarded:
// with River's backoff (attempt⁴ seconds) the last try comes about a day
// after the first.
const DefaultAttempts = 10

// Start begins fetching jobs when the queue works; an insert-only queue
// needs no start. The queue keeps working after ctx ends, until Stop, so
// that a stop signal lets running jobs finish.
func (q *Queue) Start(ctx context.Context) error {
	if !q.work {
		return nil
	}
	return q.client.Start(context.WithoutCancel(ctx))
}

// Stop lets running jobs finish within ctx, then cancels them.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.work {
		return nil
	}
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return q.client.StopAndCancel(context.Background())
	}
	return err
}

// Insert adds a job.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := q.client.Insert(ctx, args, opts)
	return err
}

// InsertTx adds a job within tx, so it exists exactly when tx commits.
func (q *Queue) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := q.client.InsertTx(ctx, tx, args, opts)
	return err
}

// Client is River's client, for tests that wait on its events.
func (q *Queue) Client() *river.Client[pgx.Tx] { return q.client }

// SweepArgs is the job a sweep's schedule inserts.
type SweepArgs struct {
	Name string `json:"name"`
}

// Kind is River's name for sweep jobs.
func (SweepArgs) Kind() string { return "sweep" }

// InsertOpts keep at most one run of a sweep waiting or running: a sweep
// slower than its schedule does not pile up copies of itself.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		MaxAttempts: 3,
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
				rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled},
		},
	}
}

func (s Sweep) periodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(s.Every),
		func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{Name: s.Name}, nil },
		&river.PeriodicJobOpts{ID: s.Name, RunOnStart: true})
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	runs map[string]func(context.Context) error
	log  *slog.Logger
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	run, ok := w.runs[job.Args.Name]
	if !ok {
		// A sweep this build no longer has: nothing to retry.
		return river.JobCancel(fmt.Errorf("no sweep named %q in this build", job.Args.Name))
	}
	if err := run(ctx); err != nil {
		return fmt.Errorf("sweep %s: %w", job.Args.Name, err)
	}
	return nil
}

// Timeout bounds one run of a sweep.
func (w *sweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration { return 5 * time.Minute }

// quieter passes River's own logs on at warning level and above: its info
// lines (leader elected, queue started) would drown the service's.
func quieter(log *slog.Logger) *slog.Logger {
	return slog.New(levelFilter{log.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}
func (f levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(a), f.min}
}
func (f levelFilter) WithGroup(g string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(g), f.min}
}

// RegisterFlags adds the settings of a process's share of the work.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.Work, "work", true, "run background jobs in this process (false: leave them to station worker processes)")
	fs.IntVar(&c.MaxWorkers, "job-workers", 10, "how many background jobs this process runs at once")
}

// Validate checks the settings.
func (c *Config) Validate() error {
	if c.MaxWorkers < 1 || c.MaxWorkers > 1000 {
		return config.Invalid("job-workers", c.MaxWorkers, "must be between 1 and 1000")
	}
	return nil
}
