// Package procedurestest loads the shipped catalogue into a test database,
// so that other packages' tests run against the real entries and search.
package procedurestest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/procedures"
)

// Load imports the shipped catalogue into pool (a dbtest database) with the
// local embedder and returns the catalogue.
func Load(tb testing.TB, pool *pgxpool.Pool) *procedures.Catalogue {
	tb.Helper()
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		tb.Fatalf("procedurestest: load shipped catalogue: %v", err)
	}
	c, err := procedures.New(pool, procedures.NewLocalEmbedder())
	if err != nil {
		tb.Fatalf("procedurestest: %v", err)
	}
	if _, err := c.Import(context.Background(), entries); err != nil {
		tb.Fatalf("procedurestest: import: %v", err)
	}
	return c
}
