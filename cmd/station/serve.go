package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/assistant/flows"
	"github.com/citizenstation/citizenstation/evals"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/periodic"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/web"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

func serveCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station serve", flag.ContinueOnError)
	var (
		platformCfg config.Platform
		serverCfg   config.Server
		staffCfg    staff.Config
		reportsCfg  reports.Config
		kioskCfg    kiosk.Config
		paymentsCfg payments.Config
		embedCfg    procedures.Config
		ocrCfg      ocr.Config
		dossierCfg  dossiers.Config
		assistCfg   assistant.Config
		webCfg      web.Config
		evalCfg     evals.Config
	)
	platformCfg.RegisterFlags(fs)
	serverCfg.RegisterFlags(fs)
	staffCfg.RegisterFlags(fs)
	reportsCfg.RegisterFlags(fs)
	kioskCfg.RegisterFlags(fs)
	paymentsCfg.RegisterFlags(fs)
	embedCfg.RegisterFlags(fs)
	ocrCfg.RegisterFlags(fs)
	dossierCfg.RegisterFlags(fs)
	assistCfg.RegisterFlags(fs)
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
			webCfg.KioskIdle = kioskCfg.Idle
			for _, c := range []interface{ Validate() error }{&serverCfg, &staffCfg, &reportsCfg, &kioskCfg, &paymentsCfg, &embedCfg, &ocrCfg, &dossierCfg, &assistCfg, &webCfg, &evalCfg} {
				if err := c.Validate(); err != nil {
					return err
				}
			}
			rules, err := reportsCfg.Rules()
			if err != nil {
				return err
			}
			embedder, err := embedCfg.NewEmbedder()
			if err != nil {
				return err
			}
			screens, err := web.New(webCfg)
			if err != nil {
				return err
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

			catalogue, err := procedures.New(p.pool, embedder)
			if err != nil {
				return err
			}
			ocrPool, err := ocr.NewPool(ocrCfg)
			if err != nil {
				return err
			}
			defer ocrPool.Close()
			ocrStore := ocr.NewStore(p.pool, platformCfg.DataDir)
			ocrService := ocr.NewService(ocr.NewReader(ocrPool), ocrStore)
			ocrService.Catalogue = catalogue
			staffSvc := staff.NewService(p.pool, staffCfg)
			dossierCfg.DataDir = platformCfg.DataDir
			if dossierCfg.UsesDevKey() {
				p.log.Warn("STATION_DEV_DATA_KEY: ID and phone numbers are sealed with the public development key; never use this with real data")
			}
			dossierSvc, err := dossiers.NewService(ctx, p.pool, catalogue, dossierCfg)
			if err != nil {
				return err
			}

			// Kiosk stations and payments. Erasers of the parts that keep
			// personal data per kiosk session are passed to kiosk.NewService.
			stations := kiosk.NewService(p.pool, kioskCfg, p.log, ocrStore, dossierSvc, assistant.NewStore(p.pool))
			demoBiller, err := payments.NewDemoBiller(paymentsCfg.DemoBills)
			if err != nil {
				return err
			}
			pay := payments.NewService(p.pool, paymentsCfg, p.log, payments.DossierFees{Dossiers: dossierSvc}, demoBiller)
			sweeps := append(stations.Sweeps(), pay.Sweeps()...)
			sweeps = append(sweeps, ratelimit.PurgeJob(p.pool), dossierSvc.PurgeJob())
			for _, job := range sweeps {
				go periodic.Run(ctx, p.pool, p.log, job)
			}

			reportsSvc := reports.NewService(p.pool, reportsCfg, rules, reports.KioskStations{Kiosk: stations})

			// The assistant carries residents through the kiosk's own
			// services too (package flows adapts them).
			model, err := assistant.OpenModel(assistCfg, p.log)
			if err != nil {
				return err
			}
			assist, err := assistant.New(assistant.Deps{Pool: p.pool, Catalogue: catalogue, Scans: assistant.OCRScans{Results: ocrStore},
				Dossiers: flows.Dossiers{Dossiers: dossierSvc, Stations: stations}, Model: model, Logger: p.log,
				Services: flows.Services(flows.Parts{Pool: p.pool, Payments: pay, Fees: payments.DossierFees{Dossiers: dossierSvc},
					Reports: reportsSvc, Dossiers: dossierSvc, Kiosk: stations})}, assistCfg)
			if err != nil {
				return err
			}

			feed := reports.NewHub(p.pool, p.log)
			go feed.Run(ctx)
			go periodic.Run(ctx, p.pool, p.log, reportsSvc.OverdueJob(30*time.Second))
			reportsHTTP := &reports.HTTP{Service: reportsSvc, Hub: feed, Staff: staffSvc, Devices: stations,
				Track: ratelimit.New(p.pool, 30, time.Minute)}

			tesseract := &ocr.LanguageCheck{Languages: ocrCfg.Languages}
			srv := httpserver.New(httpserver.Options{
				Addr:            serverCfg.Addr,
				Logger:          p.log,
				ShutdownTimeout: serverCfg.ShutdownTimeout,
				Checks: []httpserver.Check{
					{Name: "database", Func: func(ctx context.Context) error { return database.Check(ctx, p.pool) }},
					{Name: "tesseract", Func: tesseract.Check},
					{Name: "reports_feed", Func: feed.Check},
					{Name: "catalogue", Func: catalogue.Check},
				},
			},
				catalogue,
				ocrService,
				assist,
				staffSvc,
				dossierSvc.Routes(staffSvc),
				reportsHTTP,
				&kiosk.Handler{
					Service: stations,
					Admin:   staffSvc.Require(staff.RoleAdmin),
					Viewer:  staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre),
				},
				&payments.Handler{Service: pay, Device: stations.RequireDevice},
				&evals.Handler{
					Store: evals.NewStore(p.pool),
					Token: evalCfg.EvalToken(),
					Staff: staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre),
				},
				screens,
			)
			return srv.ListenAndServe(ctx)
		},
	}
}
