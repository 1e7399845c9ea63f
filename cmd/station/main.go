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
	if err := run(ctx, os.Args[1:], &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "station:", err)
		os.Exit(1)
	}
}

// run parses args and runs the chosen subcommand on the terminal c.
func run(ctx context.Context, args []string, c *cli) error {
	root := &ffcli.Command{
		Name:       "station",
		ShortUsage: "station <subcommand> [flags]",
		ShortHelp:  "citizenstation: the digital citizen station service",
		LongHelp: "Every flag can also be set by an environment variable: -database-url is\n" +
			"STATION_DATABASE_URL, -addr is STATION_ADDR, and so on.\n" +
			"Run station <subcommand> -h for a subcommand's flags.",
		Subcommands: []*ffcli.Command{
			c.serveCommand(),
			c.workerCommand(),
			c.migrateCommand(),
			c.rekeyCommand(),
			c.importCommand(),
			c.benchCommand(),
			c.missesCommand(),
			c.ocrCommand(),
			c.userCommand(),
			c.auditCommand(),
			c.dossiersCommand(),
			c.stationsCommand(),
			c.statsCommand(),
			c.paymentsCommand(),
			c.sandboxGatewayCommand(),
			c.evalCommand(),
			c.agentCommand(),
		},
		Exec: unknownCommand("station"),
	}
	// Help goes to stderr when asked for; a wrong flag is one line, which
	// main prints, not the help after it.
	var help bytes.Buffer
	root.FlagSet = flag.NewFlagSet("station", flag.ContinueOnError)
	setOutput(root, &help)
	err := root.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.stderr.Write(help.Bytes())
		return err
	case err != nil:
		return err
	}
	setOutput(root, c.stderr)
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
	log     *slog.Logger
	pool    *pgxpool.Pool
	dataDir string // where uploaded scans and media are kept
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
	return &platform{log: log, pool: pool, dataDir: cfg.DataDir}, nil
}

func (p *platform) Close() { p.pool.Close() }
