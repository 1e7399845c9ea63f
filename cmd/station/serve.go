package main

import (
	"context"
	"flag"
	"io"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/periodic"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/payments"
	"github.com/citizenstation/citizenstation/staff"
)

func serveCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station serve", flag.ContinueOnError)
	var (
		platformCfg config.Platform
		serverCfg   config.Server
		staffCfg    staff.Config
		kioskCfg    kiosk.Config
		paymentsCfg payments.Config
	)
	platformCfg.RegisterFlags(fs)
	serverCfg.RegisterFlags(fs)
	staffCfg.RegisterFlags(fs)
	kioskCfg.RegisterFlags(fs)
	paymentsCfg.RegisterFlags(fs)
	return &ffcli.Command{
		Name:       "serve",
		ShortUsage: "station serve [flags]",
		ShortHelp:  "run the HTTP service",
		FlagSet:    fs,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			for _, c := range []interface{ Validate() error }{&serverCfg, &staffCfg, &kioskCfg, &paymentsCfg} {
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

			// Kiosk stations and payments. Erasers of the parts that keep
			// personal data per kiosk session are passed to kiosk.NewService.
			stations := kiosk.NewService(p.pool, kioskCfg, p.log)
			demoBiller, err := payments.NewDemoBiller(paymentsCfg.DemoBills)
			if err != nil {
				return err
			}
			pay := payments.NewService(p.pool, paymentsCfg, p.log, nil, demoBiller)
			for _, job := range append(stations.Sweeps(), pay.Sweeps()...) {
				go periodic.Run(ctx, p.pool, p.log, job)
			}

			tesseract := &ocr.LanguageCheck{Languages: []string{"vie"}}
			staffSvc := staff.NewService(p.pool, staffCfg)
			srv := httpserver.New(httpserver.Options{
				Addr:            serverCfg.Addr,
				Logger:          p.log,
				ShutdownTimeout: serverCfg.ShutdownTimeout,
				Checks: []httpserver.Check{
					{Name: "database", Func: func(ctx context.Context) error { return database.Check(ctx, p.pool) }},
					{Name: "tesseract", Func: tesseract.Check},
				},
			}, staffSvc,
				&kiosk.Handler{Service: stations,
					Admin:  staffSvc.Require(staff.RoleAdmin),
					Viewer: staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre)},
				&payments.Handler{Service: pay, Device: stations.RequireDevice},
			)
			return srv.ListenAndServe(ctx)
		},
	}
}
