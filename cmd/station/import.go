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
	"time"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/places"
)

// importCommand groups the commands that load reviewed data into the
// database. Alone, it imports the catalogue and the places built into the
// binary.
func (c *cli) importCommand() *ffcli.Command {
	var (
		catalogue catalogueImport
		shipped   *places.Dataset
	)
	cmd := c.build(command{
		path: "station import", usage: "[flags] | station import <subcommand> [flags] ARGS",
		help:  "import reviewed data; alone, the procedure catalogue and the tourist places built into the binary",
		flags: catalogue.cfg.RegisterFlags,
		check: func([]string) (err error) {
			if err := catalogue.prepare(procedures.Shipped(), "the shipped catalogue"); err != nil {
				return err
			}
			shipped, err = places.Shipped()
			return err
		},
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			if err := catalogue.run(ctx, p, c.stdout); err != nil {
				return err
			}
			return importPlaces(ctx, p, shipped, "the shipped places", c.stdout)
		},
	})
	cmd.Subcommands = []*ffcli.Command{c.importCatalogueCommand(), c.importWardsCommand(), c.importPlacesCommand()}
	return cmd
}

func (c *cli) importCatalogueCommand() *ffcli.Command {
	var (
		catalogue   catalogueImport
		check, fees bool
	)
	return c.build(command{
		path: "station import catalogue", usage: "[flags] [DIR]", args: atMost(1),
		help: "import the procedure catalogue from DIR (*.yaml entries), or the shipped one",
		long: "Validates every entry against the schema, embeds the chunks with the configured\n" +
			"embedder and replaces the stored catalogue in one transaction. Importing the same\n" +
			"entries with the same embedder again changes nothing.",
		flags: func(fs *flag.FlagSet) {
			catalogue.cfg.RegisterFlags(fs)
			fs.BoolVar(&check, "check", false, "only validate the entries, without a database (for reviewers and CI)")
			fs.BoolVar(&fees, "fees", false, "with -check: print every procedure's fee for an adult, a person over 60 and a child, with its basis")
		},
		check: func(args []string) error {
			files, from := procedures.Shipped(), "the shipped catalogue"
			if len(args) == 1 {
				files, from = os.DirFS(args[0]), args[0]
			}
			if !check {
				return catalogue.prepare(files, from)
			}
			entries, err := procedures.Load(files)
			if err != nil {
				return fmt.Errorf("%s: %w", from, err)
			}
			if err := writeCatalogueCheck(c.stdout, from, entries, fees); err != nil {
				return err
			}
			return skipDatabase
		},
		onDB: func(ctx context.Context, p *platform, _ []string) error { return catalogue.run(ctx, p, c.stdout) },
	})
}

// writeCatalogueCheck prints what import catalogue -check found: the
// entries by group, the seeds' services they cover, the facts to check
// again and, with fees, the fee table.
func writeCatalogueCheck(w io.Writer, from string, entries []procedures.Entry, fees bool) error {
	fmt.Fprintf(w, "%s: %d entries, all valid\n", from, len(entries))
	groups := map[string][]string{}
	var order []string
	for _, e := range entries {
		if groups[e.Group] == nil {
			order = append(order, e.Group)
		}
		groups[e.Group] = append(groups[e.Group], e.Slug)
	}
	for _, g := range order {
		fmt.Fprintf(w, "  %-10s %2d  %s\n", g, len(groups[g]), strings.Join(groups[g], " "))
	}
	if err := writeSeeds(w, entries); err != nil {
		return err
	}
	if stale := procedures.Stale(entries, time.Now()); len(stale) > 0 {
		fmt.Fprintf(w, "facts to check again (older than 12 months):\n  %s\n", strings.Join(stale, "\n  "))
	}
	if fees {
		writeFeeTable(w, procedures.FeeTable(entries, time.Now()))
	}
	return nil
}

// catalogueImport is an import of catalogue entries: prepared (the entries
// loaded and the embedder made) before the database opens.
type catalogueImport struct {
	cfg      procedures.Config
	entries  []procedures.Entry
	embedder procedures.Embedder
	from     string
}

func (ci *catalogueImport) prepare(files fs.FS, from string) (err error) {
	if err := ci.cfg.Validate(); err != nil {
		return err
	}
	if ci.entries, err = procedures.Load(files); err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	ci.from = from
	ci.embedder, err = ci.cfg.NewEmbedder()
	return err
}

func (ci *catalogueImport) run(ctx context.Context, p *platform, stdout io.Writer) error {
	catalogue, err := procedures.New(p.pool, ci.embedder)
	if err != nil {
		return err
	}
	rep, err := catalogue.Import(ctx, ci.entries)
	if err != nil {
		return err
	}
	what := "imported " + ci.from
	if rep.Unchanged {
		what = "catalogue unchanged"
	}
	fmt.Fprintf(stdout, "%s: version %d, %d entries, %d chunks embedded by %s (%d dimensions)\n",
		what, rep.Version, rep.Entries, rep.Chunks, rep.Embedder, rep.Dimension)
	return nil
}

func (c *cli) importPlacesCommand() *ffcli.Command {
	var (
		check bool
		d     *places.Dataset
		from  string
	)
	return c.build(command{
		path: "station import places", usage: "[flags] [FILE.yaml]", args: atMost(1),
		help: "import the tourist places, events and safety tips from FILE, or the shipped ones",
		long: "Validates the file and, in one transaction, adds new places, updates those nobody\n" +
			"corrected, keeps those ward staff corrected, removes uncorrected ones no longer listed\n" +
			"and replaces the safety tips.",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&check, "check", false, "only validate the file, without a database")
		},
		check: func(args []string) (err error) {
			from = "the shipped places"
			if len(args) == 0 {
				d, err = places.Shipped()
			} else {
				from = args[0]
				var b []byte
				if b, err = os.ReadFile(args[0]); err == nil {
					d, err = places.Parse(b)
				}
			}
			if err != nil {
				return fmt.Errorf("%s: %w", from, err)
			}
			if check {
				fmt.Fprintf(c.stdout, "%s: %d places and events, %d tips, all valid\n", from, len(d.Places), len(d.Tips))
				return skipDatabase
			}
			return nil
		},
		onDB: func(ctx context.Context, p *platform, _ []string) error {
			return importPlaces(ctx, p, d, from, c.stdout)
		},
	})
}

func importPlaces(ctx context.Context, p *platform, d *places.Dataset, from string, stdout io.Writer) error {
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
	tw := table(w, "procedure", "fee", "filer", "amount", "reason")
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

// writeSeeds lists the services the project's seeds name with the entries
// that offer each, and fails if one has none.
func writeSeeds(w io.Writer, entries []procedures.Entry) error {
	seeds, err := procedures.Seeds()
	if err != nil {
		return err
	}
	cover := procedures.Cover(seeds, entries)
	var missing []string
	for _, c := range cover {
		if !c.Offered() {
			missing = append(missing, c.Name)
		}
	}
	fmt.Fprintf(w, "services named in the seeds: %d of %d offered\n", len(cover)-len(missing), len(cover))
	for _, c := range cover {
		mark := "ok"
		if !c.Offered() {
			mark = "NONE"
		}
		fmt.Fprintf(w, "  %-4s %s (%s): %s\n", mark, c.Name, c.Source, strings.Join(append(c.Entries, c.Missing...), " "))
	}
	if len(missing) > 0 {
		return fmt.Errorf("no entry offers %s", strings.Join(missing, "; "))
	}
	return nil
}
