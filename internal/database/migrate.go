package database

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// Migrations are plain SQL files in goose's format, numbered by the part of
// the service that owns them: 00001–00099 platform, 00100 catalogue,
// 00200 OCR, 00300 assistant, 00400 staff and dossiers, 00500 kiosk and
// payments, 00600 reports, 00700 evals.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrator returns a goose provider over its own database/sql handle, since
// goose closes what it is given.
func migrator(pool *pgxpool.Pool) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*pool.Config().ConnConfig.Copy())
	// Parts of the service land in any order, so a migration numbered below
	// the newest applied one is still applied rather than refused.
	return goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithAllowOutofOrder(true))
}

// Migrate applies every pending migration and returns how many it applied.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	p, err := migrator(pool)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	defer p.Close()
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("apply migrations: %w", err)
	}
	return len(results), nil
}

// Pending reports whether migrations are waiting to be applied.
func Pending(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	p, err := migrator(pool)
	if err != nil {
		return false, err
	}
	defer p.Close()
	return p.HasPending(ctx)
}

// MigrationsHash identifies the embedded schema, so that test templates made
// from another schema are never reused.
func MigrationsHash() string {
	entries, _ := fs.ReadDir(migrations, "migrations")
	h := fnv.New64a()
	for _, e := range entries {
		b, _ := migrations.ReadFile("migrations/" + e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
