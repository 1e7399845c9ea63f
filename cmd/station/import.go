package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/places"
)

// importCommand groups the commands that load reviewed data into the
// database. Alone, it imports the catalogue built into the binary.
func importCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station import", flag.ContinueOnError)
	var (
		platformCfg config.Platform
		embedCfg    procedures.Config
	)
	platformCfg.RegisterFlags(fs)
	embedCfg.RegisterFlags(fs)
	subcommands := []*ffcli.Command{
		importCatalogueCommand(stdout, stderr),
		importWardsCommand(stdout, stderr),
		importPlacesCommand(stdout, stderr),
	}
	for _, c := range subcommands {
		c.FlagSet.SetOutput(stderr)
	}
	return &ffcli.Command{
		Name:        "import",
		ShortUsage:  "station import [flags] | station import <subcommand> [flags] ARGS",
		ShortHelp:   "import reviewed data; alone, the procedure catalogue and the tourist places built into the binary",
		FlagSet:     fs,
		Options:     envOptions,
		Subcommands: subcommands,
		Exec: func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("station import: unknown subcommand %q", args[0])
			}
			if err := importCatalogue(ctx, &platformCfg, &embedCfg, procedures.Shipped(), "the shipped catalogue", stdout, stderr); err != nil {
				return err
			}
			d, err := places.Shipped()
			if err != nil {
				return err
			}
			return importPlaces(ctx, &platformCfg, d, "the shipped places", stdout, stderr)
		},
	}
}

func importCatalogueCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station import catalogue", flag.ContinueOnError)
	var (
		platformCfg config.Platform
		embedCfg    procedures.Config
		check       bool
		fees        bool
	)
	platformCfg.RegisterFlags(fs)
	embedCfg.RegisterFlags(fs)
	fs.BoolVar(&check, "check", false, "only validate the entries, without a database (for reviewers and CI)")
	fs.BoolVar(&fees, "fees", false, "with -check: print every procedure's fee for an adult, a person over 60 and a child, with its basis")
	return &ffcli.Command{
		Name:       "catalogue",
		ShortUsage: "station import catalogue [flags] [DIR]",
		ShortHelp:  "import the procedure catalogue from DIR (*.yaml entries), or the shipped one",
		LongHelp: "Validates every entry against the schema, embeds the chunks with the configured\n" +
			"embedder and replaces the stored catalogue in one transaction. Importing the same\n" +
			"entries with the same embedder again changes nothing.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			files, from := procedures.Shipped(), "the shipped catalogue"
			switch len(args) {
			case 0:
			case 1:
				files, from = os.DirFS(args[0]), args[0]
			default:
				return fmt.Errorf("station import catalogue: want at most one directory, got %d arguments", len(args))
			}
			if check {
				entries, err := procedures.Load(files)
				if err != nil {
					return fmt.Errorf("%s: %w", from, err)
				}
				fmt.Fprintf(stdout, "%s: %d entries, all valid\n", from, len(entries))
				groups := map[string][]string{}
				var order []string
				for _, e := range entries {
					if groups[e.Group] == nil {
						order = append(order, e.Group)
					}
					groups[e.Group] = append(groups[e.Group], e.Slug)
				}
				for _, g := range order {
					fmt.Fprintf(stdout, "  %-10s %2d  %s\n", g, len(groups[g]), strings.Join(groups[g], " "))
				}
				if stale := procedures.Stale(entries, time.Now()); len(stale) > 0 {
					fmt.Fprintf(stdout, "facts to check again (older than 12 months):\n  %s\n", strings.Join(stale, "\n  "))
				}
				if fees {
					writeFeeTable(stdout, procedures.FeeTable(entries, time.Now()))
				}
				return nil
			}
			return importCatalogue(ctx, &platformCfg, &embedCfg, files, from, stdout, stderr)
		},
	}
}

func importCatalogue(ctx context.Context, platformCfg *config.Platform, embedCfg *procedures.Config, files fs.FS, from string, stdout, stderr io.Writer) error {
	if err := embedCfg.Validate(); err != nil {
		return err
	}
	entries, err := procedures.Load(files)
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	embedder, err := embedCfg.NewEmbedder()
	if err != nil {
		return err
	}
	p, err := openPlatform(ctx, platformCfg, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	catalogue, err := procedures.New(p.pool, embedder)
	if err != nil {
		return err
	}
	rep, err := catalogue.Import(ctx, entries)
	if err != nil {
		return err
	}
	if rep.Unchanged {
		fmt.Fprintf(stdout, "catalogue unchanged: version %d, %d entries, %d chunks embedded by %s (%d dimensions)\n",
			rep.Version, rep.Entries, rep.Chunks, rep.Embedder, rep.Dimension)
		return nil
	}
	fmt.Fprintf(stdout, "imported %s: version %d, %d entries, %d chunks embedded by %s (%d dimensions)\n",
		from, rep.Version, rep.Entries, rep.Chunks, rep.Embedder, rep.Dimension)
	return nil
}

func importPlacesCommand(stdout, stderr io.Writer) *ffcli.Command {
	fs := flag.NewFlagSet("station import places", flag.ContinueOnError)
	var platformCfg config.Platform
	platformCfg.RegisterFlags(fs)
	check := fs.Bool("check", false, "only validate the file, without a database")
	return &ffcli.Command{
		Name:       "places",
		ShortUsage: "station import places [flags] [FILE.yaml]",
		ShortHelp:  "import the tourist places, events and safety tips from FILE, or the shipped ones",
		LongHelp: "Validates the file and, in one transaction, adds new places, updates those nobody\n" +
			"corrected, keeps those ward staff corrected, removes uncorrected ones no longer listed\n" +
			"and replaces the safety tips.",
		FlagSet: fs,
		Options: envOptions,
		Exec: func(ctx context.Context, args []string) error {
			var d *places.Dataset
			var err error
			from := "the shipped places"
			switch len(args) {
			case 0:
				d, err = places.Shipped()
			case 1:
				from = args[0]
				var b []byte
				if b, err = os.ReadFile(args[0]); err == nil {
					d, err = places.Parse(b)
				}
			default:
				return fmt.Errorf("station import places: want at most one file, got %d arguments", len(args))
			}
			if err != nil {
				return fmt.Errorf("%s: %w", from, err)
			}
			if *check {
				fmt.Fprintf(stdout, "%s: %d places and events, %d tips, all valid\n", from, len(d.Places), len(d.Tips))
				return nil
			}
			return importPlaces(ctx, &platformCfg, d, from, stdout, stderr)
		},
	}
}

func importPlaces(ctx context.Context, platformCfg *config.Platform, d *places.Dataset, from string, stdout, stderr io.Writer) error {
	p, err := openPlatform(ctx, platformCfg, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	rep, err := places.NewService(p.pool, nil).Import(ctx, d)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s: %d added, %d updated, %d kept as staff corrected them, %d removed; %d safety tips\n",
		from, rep.Added, rep.Updated, rep.KeptEdited, rep.Removed, rep.Tips)
	return nil
}

// writeFeeTable prints the scripted run of the fee rules: each fee line of
// each procedure for each sample filer, the amount and why.
func writeFeeTable(w io.Writer, rows []procedures.FeeRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "procedure\tfee\tfiler\tamount\treason")
	for _, r := range rows {
		amount := strconv.FormatInt(r.Charge.Amount, 10)
		if r.Charge.Unconfirmed {
			amount = "?"
		}
		label := []rune(r.Label)
		if len(label) > 40 {
			label = append(label[:39], '…')
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Slug, string(label), r.Filer, amount, r.Charge.Reason)
	}
	tw.Flush()
}
