// Command station is the citizenstation service: the HTTP API and kiosk
// screens, and the commands that migrate, import, evaluate and administer it.
// main only wires the parts together.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/peterbourgon/ff/v3"
	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/logging"
	"github.com/citizenstation/citizenstation/ocr"
)

func main() {
	// Before anything else: Tesseract must run single-threaded per worker.
	if err := ocr.RunSingleThreaded(); err != nil {
		fmt.Fprintln(os.Stderr, "station: OMP_THREAD_LIMIT:", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "station:", err)
		os.Exit(1)
	}
}

// run parses args and runs the chosen subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := &ffcli.Command{
		Name:       "station",
		ShortUsage: "station <subcommand> [flags]",
		ShortHelp:  "citizenstation: the digital citizen station service",
		LongHelp: "Every flag can also be set by an environment variable: -database-url is\n" +
			"STATION_DATABASE_URL, -addr is STATION_ADDR, and so on.\n" +
			"Run station <subcommand> -h for a subcommand's flags.",
		Subcommands: []*ffcli.Command{
			serveCommand(stdout, stderr),
			workerCommand(stdout, stderr),
			migrateCommand(stdout, stderr),
			importCommand(stdout, stderr),
			benchCommand(stdout, stderr),
			missesCommand(stdout, stderr),
			ocrCommand(stdout, stderr),
			userCommand(os.Stdin, stdout, stderr),
			auditCommand(stdout, stderr),
			dossiersCommand(stdout, stderr),
			stationsCommand(stdout, stderr),
			paymentsCommand(stdout, stderr),
			sandboxGatewayCommand(stdout, stderr),
			evalCommand(stdout, stderr),
		},
		Exec: func(_ context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q (station -h lists the commands)", args[0])
			}
			return flag.ErrHelp
		},
	}
	// Help goes to stderr when asked for; a wrong flag is one line, which
	// main prints, not the help after it.
	var help bytes.Buffer
	root.FlagSet = flag.NewFlagSet("station", flag.ContinueOnError)
	setOutput(root, &help)
	err := root.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		stderr.Write(help.Bytes())
		return err
	case err != nil:
		return err
	}
	setOutput(root, stderr)
	return root.Run(ctx)
}

// setOutput sends the flag messages of c and its subcommands to w.
func setOutput(c *ffcli.Command, w io.Writer) {
	if c.FlagSet != nil {
		c.FlagSet.SetOutput(w)
	}
	for _, sub := range c.Subcommands {
		setOutput(sub, w)
	}
}

// envOptions make every flag settable from STATION_* variables.
var envOptions = []ff.Option{ff.WithEnvVarPrefix(config.EnvPrefix)}

// platform is what most subcommands open first: the logger and the pool.
type platform struct {
	log  *slog.Logger
	pool *pgxpool.Pool
}

func openPlatform(ctx context.Context, cfg *config.Platform, stderr io.Writer) (*platform, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log, err := logging.New(stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return nil, config.Invalid("log-level", cfg.LogLevel+"/"+cfg.LogFormat, err.Error())
	}
	pool, err := database.Open(ctx, cfg.DatabaseURL, cfg.DBWait)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.EnvName("database-url"), err)
	}
	return &platform{log: log, pool: pool}, nil
}

func (p *platform) Close() { p.pool.Close() }
