package main

import (
	"context"
	"flag"
	"io"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/evals"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/staff"
)

func serveCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station serve", flag.ContinueOnError)
	var (
		platformCfg config.Platform
		serverCfg   config.Server
		staffCfg    staff.Config
		ocrCfg      ocr.Config
		embedCfg    procedures.Config
		assistCfg   assistant.Config
		evalCfg     evals.Config
	)
	platformCfg.RegisterFlags(fs)
	serverCfg.RegisterFlags(fs)
	staffCfg.RegisterFlags(fs)
	ocrCfg.RegisterFlags(fs)
	embedCfg.RegisterFlags(fs)
	assistCfg.RegisterFlags(fs)
	evalCfg.RegisterFlags(fs) // after the assistant's: shares its -eval-token
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
			if err := ocrCfg.Validate(); err != nil {
				return err
			}
			if err := assistCfg.Validate(); err != nil {
				return err
			}
			if err := evalCfg.Validate(); err != nil {
				return err
			}
			if err := embedCfg.Validate(); err != nil {
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
			staffSvc := staff.NewService(p.pool, staffCfg)
			tesseract := &ocr.LanguageCheck{Languages: ocrCfg.Languages}
			ocrPool, err := ocr.NewPool(ocrCfg)
			if err != nil {
				return err
			}
			defer ocrPool.Close()
			ocrStore := ocr.NewStore(p.pool, platformCfg.DataDir)
			ocrService := ocr.NewService(ocr.NewReader(ocrPool), ocrStore)

			model, err := assistant.OpenModel(assistCfg, p.log)
			if err != nil {
				return err
			}
			// TODO(merge): Dossiers is dossiers.Service (dossiers branch).
			assist, err := assistant.New(assistant.Deps{Pool: p.pool, Catalogue: catalogue, Scans: assistant.OCRScans{Results: ocrStore},
				Model: model, Logger: p.log}, assistCfg)
			if err != nil {
				return err
			}
			srv := httpserver.New(httpserver.Options{
				Addr:            serverCfg.Addr,
				Logger:          p.log,
				ShutdownTimeout: serverCfg.ShutdownTimeout,
				Checks: []httpserver.Check{
					{Name: "database", Func: func(ctx context.Context) error { return database.Check(ctx, p.pool) }},
					{Name: "tesseract", Func: tesseract.Check},
					{Name: "catalogue", Func: catalogue.Check},
				},
			}, staffSvc, catalogue, ocrService, assist, &evals.Handler{
				Store: evals.NewStore(p.pool),
				Token: evalCfg.EvalToken(),
				Staff: staffSvc.Require(staff.RoleAdmin, staff.RoleCommandCentre),
			})
			return srv.ListenAndServe(ctx)
		},
	}
}
