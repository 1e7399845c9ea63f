// Package kiosk watches and measures the citizen stations: the registry of
// stations and their device tokens, heartbeats with peripheral states in the
// XFS4IoT vocabulary, offline detection, and kiosk sessions (a resident's
// visit) with their usage figures and the wipe of everything personal when a
// visit ends.
//
// Every piece of state lives in PostgreSQL, so any number of `station serve`
// replicas can answer devices; the sweeps (offline stations, idle sessions)
// run on every replica but only one performs each tick (package periodic).
package kiosk

import (
	"context"
	"flag"
	"log/slog"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/jobs"
)

// Eraser deletes what a kiosk session left behind: each part that stores
// personal data under a kiosk_session_id (OCR scans, assistant answers,
// draft dossiers) implements it for its own tables. It deletes rows in tx
// and returns the files to remove once tx has committed.
type Eraser interface {
	EraseKioskSession(ctx context.Context, tx pgx.Tx, kioskSessionID string) (files []string, err error)
}

// Config holds the kiosk settings.
type Config struct {
	// HeartbeatInterval is how often devices are told to beat.
	HeartbeatInterval time.Duration
	// OfflineAfter is the silence after which a station is offline.
	OfflineAfter time.Duration
	// Idle is the inactivity after which a kiosk session ends and is wiped.
	Idle time.Duration
	// SweepEvery is how often the offline and idle sweeps run.
	SweepEvery time.Duration
}

// RegisterFlags adds the kiosk settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.HeartbeatInterval, "kiosk-heartbeat", 60*time.Second, "how often stations send a heartbeat")
	fs.DurationVar(&c.OfflineAfter, "kiosk-offline-after", 5*time.Minute, "silence after which a station is offline")
	fs.DurationVar(&c.Idle, "kiosk-idle", 90*time.Second, "inactivity after which a kiosk session ends and its personal data is erased")
	fs.DurationVar(&c.SweepEvery, "kiosk-sweep", 10*time.Second, "how often the offline and idle sweeps run")
}

// Validate checks the kiosk settings.
func (c *Config) Validate() error {
	switch {
	case c.HeartbeatInterval < time.Second:
		return config.Invalid("kiosk-heartbeat", c.HeartbeatInterval, "must be at least 1s")
	case c.OfflineAfter <= c.HeartbeatInterval:
		return config.Invalid("kiosk-offline-after", c.OfflineAfter, "must be longer than -kiosk-heartbeat")
	case c.Idle < 10*time.Second:
		return config.Invalid("kiosk-idle", c.Idle, "must be at least 10s")
	case c.SweepEvery < time.Second:
		return config.Invalid("kiosk-sweep", c.SweepEvery, "must be at least 1s")
	}
	return nil
}

// DefaultConfig is the configuration the flags default to.
func DefaultConfig() Config {
	return config.Defaults[Config]()
}

// Service is the kiosk capability: tests and handlers call it directly.
type Service struct {
	pool    *pgxpool.Pool
	cfg     Config
	log     *slog.Logger
	erasers []Eraser
}

// NewService returns the service. erasers are called, in order, in the
// transaction that ends each kiosk session.
func NewService(pool *pgxpool.Pool, cfg Config, log *slog.Logger, erasers ...Eraser) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{pool: pool, cfg: cfg, log: log, erasers: erasers}
}

// Config returns the service's settings.
func (s *Service) Config() Config { return s.cfg }

// identifier is the shape of the service, step and peripheral names devices
// send: short, lower-case, no free text (and so no personal data).
var identifier = regexp.MustCompile(`^[a-z0-9][a-z0-9_.:-]{0,79}$`)

// Sweeps are the kiosk's background jobs: stations gone silent, and
// visits gone idle. They run as River periodic jobs, one worker each tick.
func (s *Service) Sweeps() []jobs.Sweep {
	return []jobs.Sweep{
		{Name: "kiosk-offline", Every: s.cfg.SweepEvery, Run: func(ctx context.Context) error {
			_, err := s.SweepOffline(ctx)
			return err
		}},
		{Name: "kiosk-idle", Every: s.cfg.SweepEvery, Run: func(ctx context.Context) error {
			_, err := s.SweepIdle(ctx)
			return err
		}},
	}
}
