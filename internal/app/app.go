// Package app wires the service's parts on one database: the catalogue,
// OCR store, staff, dossiers, stations, payments, reports and what the guide
// needs of them. station serve exposes them over HTTP and station eval run
// plays its suites against the same parts, built by the same function.
package app

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/assistant/flows"
	"github.com/citizenstation/citizenstation/internal/jobs"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/kiosk"
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
	DataDir   string
	Staff     staff.Config
	Reports   reports.Config
	Kiosk     kiosk.Config
	Payments  payments.Config
	Embed     procedures.Config
	OCR       ocr.Config
	Dossiers  dossiers.Config
	Assistant assistant.Config
	Signing   signing.Config
	Jobs      jobs.Config
}

// RegisterFlags adds every part's settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	c.Staff.RegisterFlags(fs)
	c.Reports.RegisterFlags(fs)
	c.Kiosk.RegisterFlags(fs)
	c.Payments.RegisterFlags(fs)
	c.Embed.RegisterFlags(fs)
	c.OCR.RegisterFlags(fs)
	c.Dossiers.RegisterFlags(fs)
	c.Assistant.RegisterFlags(fs)
	c.Signing.RegisterFlags(fs)
	c.Jobs.RegisterFlags(fs)
}

// Validate checks every part's settings.
func (c *Config) Validate() error {
	for _, v := range []interface{ Validate() error }{&c.Staff, &c.Reports, &c.Kiosk, &c.Payments, &c.Embed, &c.OCR, &c.Dossiers, &c.Assistant, &c.Signing, &c.Jobs} {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Parts are the service's parts wired on one pool: what serve exposes over
// HTTP and what eval run plays its suites against, built the same way.
type Parts struct {
	Catalogue *procedures.Catalogue
	OCRStore  *ocr.Store
	Staff     *staff.Service
	Dossiers  *dossiers.Service
	Stations  *kiosk.Service
	Payments  *payments.Service
	Reports   *reports.Service
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
	embedder, err := cfg.Embed.NewEmbedder()
	if err != nil {
		return nil, err
	}
	rules, err := cfg.Reports.Rules()
	if err != nil {
		return nil, err
	}
	p := &Parts{Live: live.New(pool, log, payments.Channel, reports.FeedChannel)}
	if p.Catalogue, err = procedures.New(pool, embedder); err != nil {
		return nil, err
	}
	p.OCRStore = ocr.NewStore(pool, cfg.DataDir)
	p.Staff = staff.NewService(pool, cfg.Staff)

	if p.Signing, err = signing.New(pool, cfg.Signing); err != nil {
		return nil, err
	}
	cfg.Dossiers.DataDir = cfg.DataDir
	if cfg.Signing.Enabled() {
		cfg.Dossiers.Signer = p.Signing
	}
	if p.Dossiers, err = dossiers.NewService(ctx, pool, p.Catalogue, cfg.Dossiers); err != nil {
		return nil, err
	}
	// Erasers of the parts that keep personal data per kiosk session.
	p.Stations = kiosk.NewService(pool, cfg.Kiosk, log, p.OCRStore, p.Dossiers, assistant.NewStore(pool))
	demoBiller, err := payments.NewDemoBiller(cfg.Payments.DemoBills)
	if err != nil {
		return nil, err
	}
	fees := payments.DossierFees{Dossiers: p.Dossiers}
	p.Payments = payments.NewService(pool, cfg.Payments, log, fees, demoBiller)
	p.Places = places.NewService(pool, StationLocation(p.Stations))
	p.Reports = reports.NewService(pool, cfg.Reports, rules, reports.KioskStations{Kiosk: p.Stations})

	// The assistant carries residents through the kiosk's own services too
	// (package flows adapts them).
	p.Assistant = assistant.Deps{
		Pool:      pool,
		Catalogue: p.Catalogue,
		Scans:     assistant.OCRScans{Results: p.OCRStore},
		Teacher:   p.Catalogue,
		Dossiers:  flows.Dossiers{Dossiers: p.Dossiers, Stations: p.Stations, Pool: pool},
		Services: flows.Services(flows.Parts{Pool: pool, Live: p.Live, Payments: p.Payments, Fees: fees,
			Reports: p.Reports, Dossiers: p.Dossiers, Kiosk: p.Stations}),
		Logger:   log,
		Stations: p.Stations,
	}
	jobsCfg := cfg.Jobs
	jobsCfg.Sweeps = p.sweeps(pool)
	if p.Jobs, err = jobs.New(pool, log, jobsCfg); err != nil {
		return nil, err
	}
	return p, nil
}

// sweeps are the parts' background sweeps, each a periodic job.
func (p *Parts) sweeps(pool *pgxpool.Pool) []jobs.Sweep {
	s := append(p.Stations.Sweeps(), p.Payments.Sweeps()...)
	return append(s, ratelimit.PurgeJob(pool), p.Dossiers.PurgeJob(), p.Reports.OverdueJob(30*time.Second))
}

// Defaults returns the settings the flags default to.
func Defaults() Config {
	var c Config
	c.RegisterFlags(flag.NewFlagSet("", flag.ContinueOnError))
	return c
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
