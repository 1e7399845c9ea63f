package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	neturl "net/url"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/procedures"
)

// benchCommand groups the measurements that print figures for the README.
func (c *cli) benchCommand() *ffcli.Command {
	return group("station bench", "<subcommand> [flags]", "measure quality and speed",
		c.benchSearchCommand(), c.benchConversationCommand(), c.benchCityCommand(), c.benchOCRCommand())
}

// scratchFlags are the settings of the benchmarks that run on a scratch
// database beside -database-url, with the configured embedder.
type scratchFlags struct {
	platform config.Platform
	embed    procedures.Config
	embedder procedures.Embedder
	noEmbed  bool // the benchmark embeds nothing (bench city runs station import)
}

func (s *scratchFlags) register(fs *flag.FlagSet) {
	s.platform.RegisterFlags(fs)
	if !s.noEmbed {
		s.embed.RegisterFlags(fs)
	}
}

// check validates the settings and makes the embedder.
func (s *scratchFlags) check() (err error) {
	if err := s.platform.Validate(); err != nil || s.noEmbed {
		return err
	}
	if err := s.embed.Validate(); err != nil {
		return err
	}
	s.embedder, err = s.embed.NewEmbedder()
	return err
}

// with creates the scratch database, runs f on it and drops it, or keeps
// it and says so.
func (s *scratchFlags) with(ctx context.Context, keep bool, stdout io.Writer, f func(*pgxpool.Pool) error) error {
	pool, name, drop, err := scratchDatabase(ctx, s.platform.DatabaseURL, s.platform.DBWait)
	if err != nil {
		return err
	}
	if keep {
		defer fmt.Fprintf(stdout, "kept database %s\n", name)
		defer pool.Close()
	} else {
		defer drop()
	}
	return f(pool)
}

func (c *cli) benchSearchCommand() *ffcli.Command {
	var (
		db        scratchFlags
		synthetic int
		rounds    int
		keep      bool
	)
	return c.build(command{
		path: "station bench search", usage: "[flags]",
		help: "recall@1, recall@3, MRR and latency of hybrid, full-text and vector search",
		long: "Imports the shipped catalogue (and, with -synthetic, distractor entries) into a\n" +
			"scratch database created beside -database-url and dropped afterwards, runs the\n" +
			"resident test set with each search mode and prints the figures.",
		flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.IntVar(&synthetic, "synthetic", 0, "add synthetic entries until the catalogue has about this many chunks (e.g. 50000)")
			fs.IntVar(&rounds, "rounds", 3, "times each query is run for the latency figures (after one warm-up round)")
			fs.BoolVar(&keep, "keep", false, "keep the scratch database afterwards, for looking into query plans")
		},
		check: func([]string) error {
			if synthetic < 0 || rounds < 1 {
				return config.Invalid("synthetic", synthetic, "must be ≥ 0, and -rounds ≥ 1")
			}
			return db.check()
		},
		run: func(ctx context.Context, _ []string) error {
			return db.with(ctx, keep, c.stdout, func(pool *pgxpool.Pool) error {
				return benchSearch(ctx, pool, db.embedder, synthetic, rounds, c.stdout)
			})
		},
	})
}

func benchSearch(ctx context.Context, pool *pgxpool.Pool, embedder procedures.Embedder, synthetic, rounds int, stdout io.Writer) error {
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		return err
	}
	queries, err := procedures.ShippedQueries()
	if err != nil {
		return err
	}
	if synthetic > 0 {
		entries = append(entries, procedures.Synthetic(entries, synthetic, 1)...)
	}
	catalogue, err := procedures.New(pool, embedder)
	if err != nil {
		return err
	}
	start := time.Now()
	rep, err := catalogue.Import(ctx, entries)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "catalogue: %d entries, %d chunks, embedder %s (%d dimensions), imported in %s\n",
		rep.Entries, rep.Chunks, rep.Embedder, rep.Dimension, time.Since(start).Round(time.Millisecond))
	target, heldOut := procedures.SplitHeldOut(queries)
	fmt.Fprintf(stdout, "latency over %d rounds after a warm-up, one query at a time\n", rounds)
	for _, set := range []struct {
		name    string
		queries []procedures.TestQuery
	}{{"target set", target}, {"held-out set", heldOut}} {
		fmt.Fprintf(stdout, "\n%s: %d queries\n", set.name, len(set.queries))
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "mode\trecall@1\trecall@3\tMRR\tp50\tp95\t")
		for _, mode := range []procedures.Mode{procedures.Hybrid, procedures.FullTextOnly, procedures.VectorOnly, procedures.HybridNoNames} {
			if _, err := catalogue.Measure(ctx, set.queries, mode); err != nil { // warm-up
				return err
			}
			var q procedures.Quality
			var latencies []time.Duration
			for i := 0; i < rounds; i++ {
				if q, err = catalogue.Measure(ctx, set.queries, mode); err != nil {
					return err
				}
				latencies = append(latencies, q.Latencies...)
			}
			fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%s\t%s\t\n", mode, q.Recall1, q.Recall3, q.MRR,
				ms(procedures.Percentile(latencies, 50)), ms(procedures.Percentile(latencies, 95)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// scratchDatabase creates an empty database on the server of url, migrates
// it and returns a pool on it with a function that drops it, so that a
// benchmark or an eval run never touches the service's own data.
func scratchDatabase(ctx context.Context, url string, wait time.Duration) (pool *pgxpool.Pool, name string, drop func(), err error) {
	pool, name, drop, err = newDatabase(ctx, url, "", wait)
	if err != nil {
		return nil, "", nil, err
	}
	if _, err := database.Migrate(ctx, pool); err != nil {
		drop()
		return nil, "", nil, err
	}
	return pool, name, drop, nil
}

// copyDatabase makes a copy of the scratch database template (which nobody
// may be connected to) and opens it; drop closes and drops the copy.
func copyDatabase(ctx context.Context, url, template string, wait time.Duration) (pool *pgxpool.Pool, drop func(), err error) {
	pool, _, drop, err = newDatabase(ctx, url, template, wait)
	return pool, drop, err
}

// newDatabase creates a database with a random name on the server of url,
// a copy of template when one is named, and opens a pool on it; drop
// closes the pool and drops the database.
func newDatabase(ctx context.Context, url, template string, wait time.Duration) (pool *pgxpool.Pool, name string, drop func(), err error) {
	u, err := neturl.Parse(url)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, "", nil, config.Invalid("database-url", url, "scratch databases need a postgres:// URL to name them")
	}
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %w", config.EnvName("database-url"), err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 4)
	rand.Read(b)
	name = "cs_scratch_" + hex.EncodeToString(b)
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + template
	}
	if _, err := admin.Exec(ctx, create); err != nil {
		return nil, "", nil, fmt.Errorf("create scratch database: %w", err)
	}
	cfg := admin.Config().Copy()
	dropDB := func() {
		c, err := pgx.ConnectConfig(context.Background(), cfg)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	u.Path = "/" + name
	if pool, err = database.Open(ctx, u.String(), wait); err != nil {
		dropDB()
		return nil, "", nil, err
	}
	return pool, name, func() { pool.Close(); dropDB() }, nil
}

func (c *cli) benchConversationCommand() *ffcli.Command {
	var (
		db     scratchFlags
		misses bool
	)
	return c.build(command{
		path: "station bench conversation", usage: "[flags]",
		help: "top-1, top-3 and turns to the first form question on the residents' openings",
		long: "Imports the shipped catalogue into a scratch database created beside -database-url\n" +
			"and dropped afterwards, plays every shipped opening (assistant/openings.yaml)\n" +
			"through the deterministic guide as a resident would, and prints the figures.",
		flags: func(fs *flag.FlagSet) {
			db.register(fs)
			fs.BoolVar(&misses, "misses", false, "list the openings whose procedure was not offered first")
		},
		check: func([]string) error { return db.check() },
		run: func(ctx context.Context, _ []string) error {
			return db.with(ctx, false, c.stdout, func(pool *pgxpool.Pool) error {
				return benchConversation(ctx, pool, db.embedder, misses, c.stdout)
			})
		},
	})
}

func benchConversation(ctx context.Context, pool *pgxpool.Pool, embedder procedures.Embedder, misses bool, stdout io.Writer) error {
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		return err
	}
	catalogue, err := procedures.New(pool, embedder)
	if err != nil {
		return err
	}
	if _, err := catalogue.Import(ctx, entries); err != nil {
		return err
	}
	guide, err := assistant.New(assistant.Deps{Pool: pool, Catalogue: catalogue, Logger: slog.New(slog.DiscardHandler), Sealer: seal.Ephemeral()}, assistant.Defaults())
	if err != nil {
		return err
	}
	openings, err := assistant.ShippedOpenings()
	if err != nil {
		return err
	}
	start := time.Now()
	q, err := guide.MeasureOpenings(ctx, openings)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "openings: %d, played in %s (deterministic guide, embedder %s)\n", q.Openings, time.Since(start).Round(time.Millisecond), embedder.Name())
	fmt.Fprintf(stdout, "top-1 %.3f  top-3 %.3f  median turns to the first form question %.1f  opening values kept %d/%d\n",
		q.Top1, q.Top3, q.MedianTurns, q.FillsKept, q.Fills)
	if misses {
		for _, m := range q.Misses {
			fmt.Fprintf(stdout, "miss: %q want %s, offered %v\n", m.Say, m.Want, m.Offered)
		}
	}
	return nil
}
