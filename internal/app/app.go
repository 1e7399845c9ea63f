// Package app wires the service's parts on one database: the catalogue,
// OCR store, staff, dossiers, stations, payments, reports and what the guide
// needs of them. station serve exposes them over HTTP and station eval run
// plays its suites against the same parts, built by the same function.
package app

import (
	"context"
	"flag"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/assistant/flows"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/jobs"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/help"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
	"github.com/citizenstation/citizenstation/procedures/places"
)

// Config is the configuration of the service's parts. serve reads it
// from flags; eval run derives one for its scratch databases.
type Config struct {
	DataDir  string
	Staff    staff.Config
	Reports  reports.Config
	Kiosk    kiosk.Config
	Help     help.Config
	Payments payments.Config
	Embed    procedures.Config
	OCR      ocr.Config
	Dossiers dossiers.Config
	// Keys are the data keys that seal personal data at rest; every part
	// that seals gets the one sealer built from them.
	Keys      seal.Config
	Assistant assistant.Config
	Signing   signing.Config
	Jobs      jobs.Config
}

// setting is what each part's settings provide.
type setting interface {
	RegisterFlags(fs *flag.FlagSet)
	Validate() error
}

// settings are every part's settings, in the order their flags are listed.
func (c *Config) settings() []setting {
	return []setting{&c.Staff, &c.Reports, &c.Kiosk, &c.Help, &c.Payments, &c.Embed, &c.OCR, &c.Dossiers, &c.Keys, &c.Assistant, &c.Signing, &c.Jobs}
}

// RegisterFlags adds every part's settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	for _, s := range c.settings() {
		s.RegisterFlags(fs)
	}
}

// Validate checks every part's settings.
func (c *Config) Validate() error {
	for _, s := range c.settings() {
		if err := s.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Parts are the service's parts wired on one pool: what serve exposes over
// HTTP and what eval run plays its suites against, built the same way.
type Parts struct {
	// Sealer seals personal data at rest under the data keys.
	Sealer    *seal.Sealer
	Catalogue *procedures.Catalogue
	OCRStore  *ocr.Store
	Staff     *staff.Service
	Dossiers  *dossiers.Service
	Stations  *kiosk.Service
	// Help is "Gọi cán bộ": residents' calls for a person.
	Help     *help.Service
	Payments *payments.Service
	Reports  *reports.Service
	// Places is the tourist information, with directions from the stations.
	Places *places.Service
	// Signing signs the documents handed out and verifies copies of them.
	Signing *signing.Service
	// Jobs is the background work queue with the parts' sweeps and job
	// kinds; the caller starts it when the process is to work.
	Jobs *jobs.Queue
	// Live is the replica's one listening connection, which every live
	// stream reads through; the caller runs it.
	Live *live.Listener
	// Assistant is what the guide needs, all but its model, which each
	// caller opens for itself.
	Assistant assistant.Deps
}

// Wire builds the parts on pool. Nothing starts running: the job queue
// and feeds are the caller's to start.
func Wire(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, cfg *Config) (*Parts, error) {
	sealer, err := cfg.Keys.Sealer()
	if err != nil {
		return nil, err
	}
	p := &Parts{Sealer: sealer, Live: live.New(pool, log, payments.Channel, reports.FeedChannel, kiosk.FleetChannel, help.Channel)}
	if err := p.wireFiling(ctx, pool, cfg); err != nil {
		return nil, err
	}
	fees := payments.DossierFees{Dossiers: p.Dossiers}
	if err := p.wireKiosk(ctx, pool, log, cfg, fees); err != nil {
		return nil, err
	}
	// The assistant carries residents through the kiosk's own services too
	// (package flows adapts them).
	p.Assistant = assistant.Deps{
		Pool:      pool,
		Catalogue: p.Catalogue,
		Scans:     assistant.OCRScans{Results: p.OCRStore},
		Teacher:   p.Catalogue,
		Dossiers:  flows.Dossiers{Dossiers: p.Dossiers, Stations: p.Stations, Pool: pool},
		Services: flows.Services(flows.Parts{Pool: pool, Live: p.Live, Payments: p.Payments, Fees: fees,
			Reports: p.Reports, Dossiers: p.Dossiers, Kiosk: p.Stations, Places: p.Places}),
		Logger:   log,
		Stations: p.Stations,
		Sealer:   p.Sealer,
		Lookups:  cfg.Dossiers.Lookups,
	}
	if err := p.wireJobs(pool, log, cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// wireFiling builds what filing a procedure needs: the catalogue, the OCR
// store, staff, signing and dossiers.
func (p *Parts) wireFiling(ctx context.Context, pool *pgxpool.Pool, cfg *Config) error {
	embedder, err := cfg.Embed.NewEmbedder()
	if err != nil {
		return err
	}
	if p.Catalogue, err = procedures.New(pool, embedder); err != nil {
		return err
	}
	p.OCRStore = ocr.NewStore(pool, cfg.DataDir, p.Sealer)
	cfg.Staff.Sealer = p.Sealer
	p.Staff = staff.NewService(pool, cfg.Staff)
	if p.Signing, err = signing.New(pool, cfg.Signing); err != nil {
		return err
	}
	cfg.Dossiers.DataDir, cfg.Dossiers.Sealer = cfg.DataDir, p.Sealer
	// Every look-up by a code that proves something counts against one
	// limit per code and one per client address (dossiers, payments,
	// reports; wireKiosk passes it on).
	cfg.Dossiers.Lookups = ratelimit.NewLookups(pool, p.Sealer, cfg.Dossiers.TrackPerCode, cfg.Dossiers.TrackPerIP)
	if cfg.Signing.Enabled() {
		cfg.Dossiers.Signer = p.Signing
	}
	p.Dossiers, err = dossiers.NewService(ctx, pool, p.Catalogue, cfg.Dossiers)
	return err
}

// wireKiosk builds the station's own services: calls for staff, the
// stations, payments, places and reports.
func (p *Parts) wireKiosk(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger, cfg *Config, fees payments.DossierFees) error {
	rules, err := cfg.Reports.Rules()
	if err != nil {
		return err
	}
	// Erasers of the parts that keep personal data per kiosk session.
	p.Help = help.NewService(pool, cfg.Help)
	p.Stations = kiosk.NewService(pool, cfg.Kiosk, log, p.OCRStore, p.Dossiers, assistant.NewStore(pool, p.Sealer), p.Help)
	demoBiller, err := payments.NewDemoBiller(cfg.Payments.DemoBills)
	if err != nil {
		return err
	}
	// A payment's receipt prints like a dossier's, and its lookup by code
	// is limited like a dossier's tracking.
	cfg.Payments.Papers = payments.Papers{Fonts: p.Dossiers.Fonts()}
	if cfg.Signing.Enabled() {
		cfg.Payments.Papers.Signer = p.Signing
	}
	cfg.Payments.Lookups, cfg.Reports.Lookups = cfg.Dossiers.Lookups, cfg.Dossiers.Lookups
	cfg.Payments.Passes = p.Sealer
	p.Payments = payments.NewService(pool, cfg.Payments, log, fees, demoBiller)
	p.Places = places.NewService(pool, StationLocation(p.Stations))
	cfg.Reports.Papers = reports.Papers{Fonts: p.Dossiers.Fonts()}
	if cfg.Signing.Enabled() {
		cfg.Reports.Papers.Signer = p.Signing
	}
	cfg.Reports.Sealer = p.Sealer
	p.Reports = reports.NewService(pool, cfg.Reports, rules, reports.KioskStations{Kiosk: p.Stations})
	return nil
}

// wireJobs builds the job queue with the parts' sweeps and workers.
func (p *Parts) wireJobs(pool *pgxpool.Pool, log *slog.Logger, cfg *Config) (err error) {
	jobsCfg := cfg.Jobs
	jobsCfg.Sweeps = p.sweeps(pool)
	jobsCfg.Register = append(slices.Clone(jobsCfg.Register), p.Help.RegisterWorkers)
	if cfg.Reports.NotifyURL != "" {
		notify := &reports.NotifyWorker{Pool: pool, URL: cfg.Reports.NotifyURL}
		jobsCfg.Register = append(jobsCfg.Register, func(w *river.Workers) { river.AddWorker(w, notify) })
	}
	if p.Jobs, err = jobs.New(pool, log, jobsCfg); err != nil {
		return err
	}
	p.Help.Queue = p.Jobs
	if cfg.Reports.NotifyURL != "" {
		p.Reports.SetNotifier(p.Jobs)
	}
	return nil
}

// sweeps are the parts' background sweeps, each a periodic job.
func (p *Parts) sweeps(pool *pgxpool.Pool) []jobs.Sweep {
	s := append(p.Stations.Sweeps(), p.Payments.Sweeps()...)
	return append(s, ratelimit.PurgeJob(pool), p.Dossiers.PurgeJob(), p.Signing.PurgeJob(), p.OCRStore.PurgeJob(), p.Reports.OverdueJob(30*time.Second))
}

// Defaults returns the settings the flags default to.
func Defaults() Config {
	return config.Defaults[Config]()
}

// StationLocation gives the tourist information a station's position, from
// which it gives directions.
func StationLocation(stations *kiosk.Service) places.Locate {
	return func(ctx context.Context, id string) (places.Origin, bool, error) {
		st, err := stations.Station(ctx, id)
		if err != nil || st.Latitude == nil || st.Longitude == nil {
			return places.Origin{}, false, err
		}
		return places.Origin{Name: st.Name, Lat: *st.Latitude, Lng: *st.Longitude}, true, nil
	}
}
