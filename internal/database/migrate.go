package database

import (
	"context"
	"database/sql"
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
// payments, 00600 reports, 00700 evals. Migration 01901 is in Go
// (sealPlain).
//
//go:embed migrations/*.sql
var migrations embed.FS

// SealPlainVersion is the migration, in Go, that seals the personal data
// stored in plain text before it was sealed at rest (the key never reaches
// the database, so SQL cannot); migration 01902 then drops the plain columns.
const SealPlainVersion = 1901

// plainLeft counts the values migration 01901 must seal.
const plainLeft = `SELECT
	(SELECT count(*) FROM reports WHERE contact IS NOT NULL) +
	(SELECT count(*) FROM ocr_results WHERE sealed IS NULL) +
	(SELECT count(*) FROM assistant_sessions WHERE state IS NOT NULL) +
	(SELECT count(*) FROM assistant_fields WHERE value IS NOT NULL) +
	(SELECT count(*) FROM assistant_turns WHERE input IS NOT NULL OR reply IS NOT NULL) +
	(SELECT count(*) FROM assistant_photos WHERE data IS NOT NULL)`

// sealPlain is migration 01901: it runs seal when given and then checks
// that no plain value is left, so that 01902 drops nothing but empty
// columns. Without seal (a test's or a benchmark's new database) it only
// checks.
func sealPlain(pool *pgxpool.Pool, seal func(context.Context) error) *goose.Migration {
	return goose.NewGoMigration(SealPlainVersion, &goose.GoFunc{RunDB: func(ctx context.Context, _ *sql.DB) error {
		if seal != nil {
			if err := seal(ctx); err != nil {
				return fmt.Errorf("seal plain personal data: %w", err)
			}
		}
		var left int64
		if err := pool.QueryRow(ctx, plainLeft).Scan(&left); err != nil {
			return fmt.Errorf("count plain personal data: %w", err)
		}
		if left > 0 {
			return fmt.Errorf("%d values of personal data are stored in plain text: run station migrate with the data key (STATION_DATA_KEY) to seal them", left)
		}
		return nil
	}}, nil)
}

// migrator returns a goose provider over its own database/sql handle, since
// goose closes what it is given.
func migrator(pool *pgxpool.Pool, seal func(context.Context) error) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*pool.Config().ConnConfig.Copy())
	// Parts of the service land in any order, so a migration numbered below
	// the newest applied one is still applied rather than refused.
	return goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithAllowOutofOrder(true),
		goose.WithGoMigrations(sealPlain(pool, seal)))
}

// Migrate applies every pending migration and returns how many it applied.
// It stops at migration 01901 if personal data is stored in plain text:
// MigrateSealing seals it.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	return MigrateSealing(ctx, pool, nil)
}

// MigrateSealing is Migrate with seal, the step of migration 01901 that
// seals the personal data stored in plain text (app.SealPlain), in short
// transactions: a run stopped half-way carries on where it stopped.
func MigrateSealing(ctx context.Context, pool *pgxpool.Pool, seal func(context.Context) error) (int, error) {
	p, err := migrator(pool, seal)
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
	p, err := migrator(pool, nil)
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

// MigrateDownTo undoes the applied migrations above version, newest first:
// tests of a data migration use it to go back to the schema before it.
func MigrateDownTo(ctx context.Context, pool *pgxpool.Pool, version int64) error {
	p, err := migrator(pool, nil)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer p.Close()
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("undo migrations: %w", err)
	}
	return nil
}
