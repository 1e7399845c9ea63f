package main

import (
	"context"
	"flag"
	"io"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/evals"
	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/jobs"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/web"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/help"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/kiosk/stats"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
	"github.com/citizenstation/citizenstation/procedures/places"
)

// serveConfig is every setting of station serve.
type serveConfig struct {
	platform config.Platform
	server   config.Server
	parts    app.Config
	web      web.Config
	eval     evals.Config
}

func (c *cli) serveCommand() *ffcli.Command {
	var cfg serveConfig
	return c.build(command{
		path: "station serve", usage: "[flags]", help: "run the HTTP service",
		flags: func(fs *flag.FlagSet) {
			cfg.platform.RegisterFlags(fs)
			cfg.server.RegisterFlags(fs)
			cfg.parts.RegisterFlags(fs)
			cfg.web.RegisterFlags(fs)
			cfg.eval.RegisterFlags(fs) // after the assistant's: shares its -eval-token
		},
		check: func([]string) error { return cfg.validate() },
		run:   func(ctx context.Context, _ []string) error { return serve(ctx, &cfg, c.stderr) },
	})
}

// validate checks the settings; the kiosk screen ends a visit after the
// same inactivity as the server (STATION_KIOSK_IDLE).
func (cfg *serveConfig) validate() error {
	cfg.web.KioskIdle = cfg.parts.Kiosk.Idle
	for _, c := range []interface{ Validate() error }{&cfg.server, &cfg.parts, &cfg.web, &cfg.eval} {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// serve runs the service until ctx ends: the database migrated, the parts
// wired, the live streams, jobs and feeds started, and the HTTP server.
func serve(ctx context.Context, cfg *serveConfig, stderr io.Writer) error {
	p, err := openPlatform(ctx, &cfg.platform, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := prepareDatabase(ctx, p, cfg); err != nil {
		return err
	}
	cfg.parts.DataDir = cfg.platform.DataDir
	cfg.parts.Help.Hotline = cfg.web.Hotline
	parts, err := app.Wire(ctx, p.pool, p.log, &cfg.parts)
	if err != nil {
		return err
	}
	s, err := startServices(ctx, p, cfg, parts)
	if err != nil {
		return err
	}
	defer s.close()
	if err := parts.Jobs.Start(ctx); err != nil {
		return err
	}
	defer stopJobs(parts.Jobs, cfg.server.ShutdownTimeout)
	srv := httpserver.New(httpserver.Options{
		Addr:            cfg.server.Addr,
		Logger:          p.log,
		ShutdownTimeout: cfg.server.ShutdownTimeout,
		TrustedProxies:  cfg.server.Proxies(),
		MetricsToken:    cfg.server.MetricsToken,
		Checks:          s.checks(p, cfg, parts),
	}, s.routes(p, cfg, parts)...)
	return srv.ListenAndServe(ctx)
}

// prepareDatabase applies the migrations when asked to and warns of the
// development data key.
func prepareDatabase(ctx context.Context, p *platform, cfg *serveConfig) error {
	if cfg.server.Migrate {
		sealer, err := cfg.parts.Keys.Sealer()
		if err != nil {
			return err
		}
		n, err := database.MigrateSealing(ctx, p.pool, app.SealPlain(p.pool, sealer))
		if err != nil {
			return err
		}
		p.log.Info("migrations applied", "count", n)
	}
	if cfg.parts.Keys.UsesDevKey() {
		p.log.Warn("STATION_DEV_DATA_KEY: ID and phone numbers are sealed with the public development key; never use this with real data")
	}
	return nil
}

// services are what serve runs besides the wired parts.
type services struct {
	ocr     *ocr.Service
	ocrPool *ocr.Pool
	assist  *assistant.Service
	feed    *reports.Hub
	streams *live.Limits
	screens *web.Handler
}

func (s *services) close() { s.ocrPool.Close() }

// startServices starts the OCR workers, the replica's one listening
// connection (every live stream reads through it; streams are capped per
// station and per address), the guide with its model and the reports feed.
func startServices(ctx context.Context, p *platform, cfg *serveConfig, parts *app.Parts) (*services, error) {
	ocrPool, err := ocr.NewPool(cfg.parts.OCR)
	if err != nil {
		return nil, err
	}
	s := &services{ocrPool: ocrPool, ocr: ocr.NewService(ocr.NewReader(ocrPool), parts.OCRStore)}
	s.ocr.Catalogue = parts.Catalogue
	s.ocr.Stations, s.ocr.EvalToken = parts.Stations, cfg.eval.EvalToken()
	go parts.Live.Run(ctx)
	s.streams = live.NewLimits(cfg.server.StreamsPerStation, cfg.server.StreamsPerAddress)
	model, err := assistant.OpenModel(cfg.parts.Assistant, p.log)
	if err == nil {
		deps := parts.Assistant
		deps.Model, deps.Streams = model, s.streams
		s.assist, err = assistant.New(deps, cfg.parts.Assistant)
	}
	if err == nil {
		s.feed, err = reports.NewHub(parts.Live, p.log)
	}
	if err == nil {
		s.screens, err = web.New(cfg.web, parts.Staff)
	}
	if err != nil {
		ocrPool.Close()
		return nil, err
	}
	go s.feed.Run(ctx)
	return s, nil
}

// checks are what /readyz asks.
func (s *services) checks(p *platform, cfg *serveConfig, parts *app.Parts) []httpserver.Check {
	tesseract := &ocr.LanguageCheck{Languages: cfg.parts.OCR.Languages}
	return []httpserver.Check{
		{Name: "database", Func: func(ctx context.Context) error { return database.Check(ctx, p.pool) }},
		{Name: "tesseract", Func: tesseract.Check},
		{Name: "reports_feed", Func: s.feed.Check},
		{Name: "catalogue", Func: parts.Catalogue.Check},
	}
}

// routes are every capability's routes, each with the staff roles that
// may use them.
func (s *services) routes(p *platform, cfg *serveConfig, parts *app.Parts) []httpserver.Routes {
	staffSvc := parts.Staff
	calls := &help.Handler{Service: parts.Help, Devices: parts.Stations, Staff: staffSvc, Live: parts.Live, Streams: s.streams}
	return []httpserver.Routes{
		&procedures.Handler{Catalogue: parts.Catalogue},
		&ocr.Handler{Service: s.ocr},
		&assistant.Handler{Service: s.assist},
		&assistant.MissHandler{Service: s.assist, Staff: staffSvc,
			Readers: []staff.Role{staff.RoleAdmin, staff.RoleCommandCentre, staff.RoleWardStaff}, Teachers: []staff.Role{staff.RoleAdmin}},
		&staff.Handler{Service: staffSvc},
		&dossiers.Handler{Service: parts.Dossiers, Staff: staffSvc, Help: calls},
		&reports.Handler{Service: parts.Reports, Hub: s.feed, Staff: staffSvc, Devices: parts.Stations, Streams: s.streams, Help: calls},
		&kiosk.Handler{
			Service: parts.Stations,
			Admin:   staffSvc.Require(staff.RoleAdmin),
			Viewer:  staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre),
			Pages:   staffSvc.RequirePage(staff.PageRoles("/staff/stations")...),
			Live:    parts.Live,
			Streams: s.streams,
		},
		calls,
		&payments.Handler{Service: parts.Payments, Device: parts.Stations.RequireDevice, Admin: staffSvc.Require(staff.RoleAdmin)},
		&evals.Handler{
			Store:    evals.NewStore(p.pool),
			Token:    cfg.eval.EvalToken(),
			Staff:    staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre, staff.RoleEvaluator),
			Pages:    staffSvc.RequirePage(staff.RoleAdmin, staff.RoleCommandCentre, staff.RoleEvaluator),
			Stations: parts.Stations,
			Orders:   parts.Payments,
		},
		&signing.Handler{Service: parts.Signing},
		&places.Handler{Service: parts.Places, Staff: staffSvc.Require(staff.RoleAdmin, staff.RoleWardStaff),
			Pages: staffSvc.RequirePage(staff.PageRoles("/staff/places")...)},
		&jobs.Handler{Queue: parts.Jobs, Staff: staffSvc.Require(staff.RoleAdmin)},
		&stats.Handler{Service: stats.NewService(p.pool), Page: staffSvc.RequirePage(staff.PageRoles("/staff/stations/stats")...)},
		s.screens,
	}
}
