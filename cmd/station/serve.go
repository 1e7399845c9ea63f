package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/evals"
	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/jobs"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/web"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures/places"
)

func serveCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station serve", flag.ContinueOnError)
	var (
		platformCfg config.Platform
		serverCfg   config.Server
		partsCfg    app.Config
		webCfg      web.Config
		evalCfg     evals.Config
	)
	platformCfg.RegisterFlags(fs)
	serverCfg.RegisterFlags(fs)
	partsCfg.RegisterFlags(fs)
	webCfg.RegisterFlags(fs)
	evalCfg.RegisterFlags(fs) // after the assistant's: shares its -eval-token
	return &ffcli.Command{
		Name:       "serve",
		ShortUsage: "station serve [flags]",
		ShortHelp:  "run the HTTP service",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			// The kiosk screen ends a visit after the same inactivity as
			// the server (STATION_KIOSK_IDLE).
			webCfg.KioskIdle = partsCfg.Kiosk.Idle
			for _, c := range []interface{ Validate() error }{&serverCfg, &partsCfg, &webCfg, &evalCfg} {
				if err := c.Validate(); err != nil {
					return err
				}
			}
			p, err := openPlatform(ctx, &platformCfg, stderr)
			if err != nil {
				return err
			}
			defer p.Close()
			if serverCfg.Migrate {
				n, err := database.Migrate(ctx, p.pool)
				if err != nil {
					return err
				}
				p.log.Info("migrations applied", "count", n)
			}
			if partsCfg.Dossiers.UsesDevKey() {
				p.log.Warn("STATION_DEV_DATA_KEY: ID and phone numbers are sealed with the public development key; never use this with real data")
			}
			partsCfg.DataDir = platformCfg.DataDir
			parts, err := app.Wire(ctx, p.pool, p.log, &partsCfg)
			if err != nil {
				return err
			}
			ocrPool, err := ocr.NewPool(partsCfg.OCR)
			if err != nil {
				return err
			}
			defer ocrPool.Close()
			ocrService := ocr.NewService(ocr.NewReader(ocrPool), parts.OCRStore)
			ocrService.Catalogue = parts.Catalogue
			ocrService.Stations, ocrService.EvalToken = parts.Stations, evalCfg.EvalToken()

			// One listening connection per replica carries every live
			// stream; streams are capped per station and per address.
			go parts.Live.Run(ctx)
			streams := live.NewLimits(serverCfg.StreamsPerStation, serverCfg.StreamsPerAddress)
			model, err := assistant.OpenModel(partsCfg.Assistant, p.log)
			if err != nil {
				return err
			}
			deps := parts.Assistant
			deps.Model, deps.Streams = model, streams
			assist, err := assistant.New(deps, partsCfg.Assistant)
			if err != nil {
				return err
			}

			feed, err := reports.NewHub(parts.Live, p.log)
			if err != nil {
				return err
			}
			go feed.Run(ctx)
			if err := parts.Jobs.Start(ctx); err != nil {
				return err
			}
			defer stopJobs(parts.Jobs, serverCfg.ShutdownTimeout)

			tesseract := &ocr.LanguageCheck{Languages: partsCfg.OCR.Languages}
			staffSvc := parts.Staff
			screens, err := web.New(webCfg, staffSvc)
			if err != nil {
				return err
			}
			srv := httpserver.New(httpserver.Options{
				Addr:            serverCfg.Addr,
				Logger:          p.log,
				ShutdownTimeout: serverCfg.ShutdownTimeout,
				TrustedProxies:  serverCfg.Proxies(),
				MetricsToken:    serverCfg.MetricsToken,
				Checks: []httpserver.Check{
					{Name: "database", Func: func(ctx context.Context) error { return database.Check(ctx, p.pool) }},
					{Name: "tesseract", Func: tesseract.Check},
					{Name: "reports_feed", Func: feed.Check},
					{Name: "catalogue", Func: parts.Catalogue.Check},
				},
			},
				parts.Catalogue,
				ocrService,
				assist,
				assist.MissRoutes(staffSvc, []staff.Role{staff.RoleAdmin, staff.RoleCommandCentre, staff.RoleWardStaff}, []staff.Role{staff.RoleAdmin}),
				staffSvc,
				parts.Dossiers.Routes(staffSvc),
				&reports.HTTP{Service: parts.Reports, Hub: feed, Staff: staffSvc, Devices: parts.Stations, Streams: streams,
					Track: ratelimit.New(p.pool, 30, time.Minute)},
				&kiosk.Handler{
					Service: parts.Stations,
					Admin:   staffSvc.Require(staff.RoleAdmin),
					Viewer:  staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre),
				},
				&payments.Handler{Service: parts.Payments, Device: parts.Stations.RequireDevice},
				&evals.Handler{
					Store:    evals.NewStore(p.pool),
					Token:    evalCfg.EvalToken(),
					Staff:    staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre, staff.RoleEvaluator),
					Pages:    staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre, staff.RoleEvaluator),
					Stations: parts.Stations,
					Orders:   parts.Payments,
				},
				signing.NewHandler(parts.Signing),
				&places.Handler{Service: parts.Places, Staff: staffSvc.Require(staff.RoleAdmin, staff.RoleWardStaff)},
				&jobs.Handler{Queue: parts.Jobs, Staff: staffSvc.Require(staff.RoleAdmin)},
				screens,
			)
			return srv.ListenAndServe(ctx)
		},
	}
}
