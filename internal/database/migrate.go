package database

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
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
	queue, err := queueMigrator(pool).Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return len(results), fmt.Errorf("apply job queue migrations: %w", err)
	}
	return len(results) + len(queue.Versions), nil
}

// queueMigrator applies River's migrations.
func queueMigrator(pool *pgxpool.Pool) *rivermigrate.Migrator[pgx.Tx] {
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		panic(err) // only for an unknown migration line; ours is River's default
	}
	return m
}

// Pending reports whether migrations are waiting to be applied.
func Pending(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	p, err := migrator(pool)
	if err != nil {
		return false, err
	}
	defer p.Close()
	if pending, err := p.HasPending(ctx); pending || err != nil {
		return pending, err
	}
	m := queueMigrator(pool)
	applied, err := m.ExistingVersions(ctx)
	if err != nil {
		return false, err
	}
	return len(applied) < len(m.AllVersions()), nil
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
	for _, m := range queueMigrator(nil).AllVersions() {
		h.Write([]byte(m.Name))
		h.Write([]byte(m.SQLUp))
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
