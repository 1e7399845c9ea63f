// Package database opens the service's PostgreSQL pool, applies its schema
// and reports whether the database is ready. Every replica of the service
// shares one database, so anything another replica needs lives here.
package database

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// defaultMaxConns is the pool size when the URL does not set one.
const defaultMaxConns = 20

// Open connects to url, makes sure the extensions the schema relies on exist
// (the pgvector types must exist before a pooled connection can register
// them), and returns a pool whose connections know the vector types. It
// waits up to wait for the server to accept connections.
func Open(ctx context.Context, url string, wait time.Duration) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if err := bootstrap(ctx, cfg.ConnConfig, wait); err != nil {
		return nil, err
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		return pgxvec.RegisterTypes(ctx, conn)
	}
	// pgx's default of max(4, CPUs) connections is too few here: the
	// reports feed keeps one listening, and dozens of staff, kiosks and
	// sweeps share the rest. pool_max_conns in the URL still decides when
	// it is given.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = max(cfg.MaxConns, defaultMaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	return pool, nil
}

// bootstrap waits for the server and creates the extensions. CREATE EXTENSION
// is done here rather than in a migration because the pool's AfterConnect
// needs the vector type on the very first connection.
func bootstrap(ctx context.Context, cc *pgx.ConnConfig, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		conn, err := pgx.ConnectConfig(ctx, cc)
		if err == nil {
			defer conn.Close(ctx)
			_, err = conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS vector;
				CREATE EXTENSION IF NOT EXISTS unaccent;
				CREATE EXTENSION IF NOT EXISTS pg_trgm`)
			if err != nil {
				return fmt.Errorf("create extensions (run scripts/setup): %w", err)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("connect to database %q: %w", cc.Database, err)
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
