package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/dossiers"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/periodic"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/payments"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/reports"
	"github.com/citizenstation/citizenstation/staff"
)

func serveCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station serve", flag.ContinueOnError)
	var (
		platformCfg config.Platform
		serverCfg   config.Server
		embedCfg    procedures.Config
		staffCfg    staff.Config
		dossierCfg  dossiers.Config
		kioskCfg    kiosk.Config
		paymentsCfg payments.Config
		reportsCfg  reports.Config
	)
	platformCfg.RegisterFlags(fs)
	serverCfg.RegisterFlags(fs)
	embedCfg.RegisterFlags(fs)
	staffCfg.RegisterFlags(fs)
	dossierCfg.RegisterFlags(fs)
	kioskCfg.RegisterFlags(fs)
	paymentsCfg.RegisterFlags(fs)
	reportsCfg.RegisterFlags(fs)
	return &ffcli.Command{
		Name:       "serve",
		ShortUsage: "station serve [flags]",
		ShortHelp:  "run the HTTP service",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			if err := serverCfg.Validate(); err != nil {
				return err
			}
			if err := staffCfg.Validate(); err != nil {
				return err
			}
			if err := dossierCfg.Validate(); err != nil {
				return err
			}
			if err := embedCfg.Validate(); err != nil {
				return err
			}
			if err := kioskCfg.Validate(); err != nil {
				return err
			}
			if err := paymentsCfg.Validate(); err != nil {
				return err
			}
			if err := reportsCfg.Validate(); err != nil {
				return err
			}
			rules, err := reportsCfg.Rules()
			if err != nil {
				return err
			}
			embedder, err := embedCfg.NewEmbedder()
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
			tesseract := &ocr.LanguageCheck{Languages: []string{"vie"}}
			staffSvc := staff.NewService(p.pool, staffCfg)
			dossierCfg.DataDir = platformCfg.DataDir
			if dossierCfg.UsesDevKey() {
				p.log.Warn("STATION_DEV_DATA_KEY: ID and phone numbers are sealed with the public development key; never use this with real data")
			}
			dossierSvc, err := dossiers.NewService(ctx, p.pool, catalogue, dossierCfg)
			if err != nil {
				return err
			}

			// Kiosk stations and payments. Every part that keeps personal
			// data per kiosk session passes its eraser to kiosk.NewService.
			stations := kiosk.NewService(p.pool, kioskCfg, p.log, dossierSvc)
			demoBiller, err := payments.NewDemoBiller(paymentsCfg.DemoBills)
			if err != nil {
				return err
			}
			pay := payments.NewService(p.pool, paymentsCfg, p.log, payments.DossierFees{Dossiers: dossierSvc}, demoBiller)
			for _, job := range append(stations.Sweeps(), pay.Sweeps()...) {
				go periodic.Run(ctx, p.pool, p.log, job)
			}
			// Security reports: routed by ward polygons and kiosk stations,
			// with one live-feed listener per replica.
			reportsSvc := reports.NewService(p.pool, reportsCfg, rules, reports.KioskStations{Kiosk: stations})
			feed := reports.NewHub(p.pool, p.log)
			go feed.Run(ctx)
			go reportsSvc.RunOverdueSweep(ctx, 30*time.Second, p.log)
			srv := httpserver.New(httpserver.Options{
				Addr:            serverCfg.Addr,
				Logger:          p.log,
				ShutdownTimeout: serverCfg.ShutdownTimeout,
				Checks: []httpserver.Check{
					{Name: "database", Func: func(ctx context.Context) error { return database.Check(ctx, p.pool) }},
					{Name: "tesseract", Func: tesseract.Check},
					{Name: "catalogue", Func: catalogue.Check},
					{Name: "reports_feed", Func: feed.Check},
				},
			}, catalogue, staffSvc, dossierSvc.Routes(staffSvc),
				&kiosk.Handler{Service: stations,
					Admin:  staffSvc.Require(staff.RoleAdmin),
					Viewer: staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre)},
				&payments.Handler{Service: pay, Device: stations.RequireDevice},
				&reports.HTTP{Service: reportsSvc, Hub: feed, Staff: staffSvc, Devices: stations,
					Track: ratelimit.New(p.pool, 30, time.Minute)},
			)
			return srv.ListenAndServe(ctx)
		},
	}
}
