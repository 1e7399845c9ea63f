package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/reports"
	"github.com/citizenstation/citizenstation/staff"
	"github.com/citizenstation/citizenstation/web"
)

func serveCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station serve", flag.ContinueOnError)
	var (
		platformCfg config.Platform
		serverCfg   config.Server
		staffCfg    staff.Config
		reportsCfg  reports.Config
		webCfg      web.Config
	)
	platformCfg.RegisterFlags(fs)
	serverCfg.RegisterFlags(fs)
	staffCfg.RegisterFlags(fs)
	reportsCfg.RegisterFlags(fs)
	webCfg.RegisterFlags(fs)
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
			if err := reportsCfg.Validate(); err != nil {
				return err
			}
			rules, err := reportsCfg.Rules()
			if err != nil {
				return err
			}
			if err := webCfg.Validate(); err != nil {
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

			tesseract := &ocr.LanguageCheck{Languages: []string{"vie"}}
			staffSvc := staff.NewService(p.pool, staffCfg)
			// Kiosk stations are not wired yet: kiosk reports then need a
			// position or an address.
			reportsSvc := reports.NewService(p.pool, reportsCfg, rules, nil)
			feed := reports.NewHub(p.pool, p.log)
			go feed.Run(ctx)
			reportsHTTP := &reports.HTTP{Service: reportsSvc, Hub: feed, Staff: staffSvc,
				Track: ratelimit.New(p.pool, 30, time.Minute)}
			srv := httpserver.New(httpserver.Options{
				Addr:            serverCfg.Addr,
				Logger:          p.log,
				ShutdownTimeout: serverCfg.ShutdownTimeout,
				Checks: []httpserver.Check{
					{Name: "database", Func: func(ctx context.Context) error { return database.Check(ctx, p.pool) }},
					{Name: "tesseract", Func: tesseract.Check},
					{Name: "reports_feed", Func: feed.Check},
				},
			}, staffSvc, reportsHTTP, screens)
			return srv.ListenAndServe(ctx)
		},
	}
}
