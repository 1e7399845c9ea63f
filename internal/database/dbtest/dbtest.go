// Package dbtest gives tests a fresh PostgreSQL database of their own, copied
// from a template that holds the migrated schema, and drops it when the test
// ends. Tests run against the real server with pgvector, never a mock.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/database"
)

// AdminURL is the database the helper connects to for creating and dropping
// databases: STATION_TEST_DATABASE_URL, or the local socket's postgres
// database.
func AdminURL() string {
	if u := os.Getenv("STATION_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres:///postgres"
}

// New returns a pool on a fresh migrated database, dropped at the end of tb.
func New(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	return NewSized(tb, 0)
}

// NewSized is New with a pool of at most maxConns connections (0: the
// service's default), for benchmarks held to a given pool.
func NewSized(tb testing.TB, maxConns int) *pgxpool.Pool {
	tb.Helper()
	url, drop, err := Create(context.Background())
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	if maxConns > 0 {
		url = withPoolSize(url, maxConns)
	}
	pool, err := database.Open(context.Background(), url, 10*time.Second)
	if err != nil {
		drop()
		tb.Fatalf("dbtest: open: %v", err)
	}
	tb.Cleanup(func() {
		pool.Close()
		drop()
	})
	return pool
}

// Create makes a fresh migrated database and returns its URL and a function
// that drops it. It suits TestMain, where there is no testing.TB.
func Create(ctx context.Context) (url string, drop func(), err error) {
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return "", nil, fmt.Errorf("connect %s (run scripts/setup): %w", AdminURL(), err)
	}
	defer admin.Close(ctx)

	template := "cs_tmpl_" + database.MigrationsHash()
	name := "cs_test_" + randomHex(6)

	// One lock serialises template building and copying: PostgreSQL refuses
	// to copy a template that another session is connected to.
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(727001)`); err != nil {
		return "", nil, err
	}
	defer admin.Exec(ctx, `SELECT pg_advisory_unlock(727001)`)

	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, template).Scan(&exists); err != nil {
		return "", nil, err
	}
	if !exists {
		if err := buildTemplate(ctx, admin, template); err != nil {
			return "", nil, err
		}
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template)); err != nil {
		return "", nil, fmt.Errorf("create test database: %w", err)
	}
	url = withDatabase(AdminURL(), name)
	drop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	}
	return url, drop, nil
}

func buildTemplate(ctx context.Context, admin *pgx.Conn, template string) error {
	building := template + "_wip"
	admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building))
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	pool, err := database.Open(ctx, withDatabase(AdminURL(), building), 10*time.Second)
	if err != nil {
		return err
	}
	_, err = database.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	// Renamed only once complete, so a crash never leaves a half-built template.
	if _, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, template)); err != nil {
		return fmt.Errorf("finish template: %w", err)
	}
	return nil
}

// withDatabase returns url pointing at database name; url is a postgres://
// URL or a keyword/value string.
func withDatabase(url, name string) string {
	scheme, rest, isURL := strings.Cut(url, "://")
	if !isURL {
		return url + " dbname=" + name
	}
	rest, query, _ := strings.Cut(rest, "?")
	host, _, _ := strings.Cut(rest, "/")
	u := scheme + "://" + host + "/" + name
	if query != "" {
		u += "?" + query
	}
	return u
}

// withPoolSize returns url with pool_max_conns set to n.
func withPoolSize(url string, n int) string {
	if !strings.Contains(url, "://") {
		return fmt.Sprintf("%s pool_max_conns=%d", url, n)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return fmt.Sprintf("%s%spool_max_conns=%d", url, sep, n)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Texts returns the one text column sql selects from pool, a string a row,
// for tests that read what a table holds as the database stores it.
func Texts(tb testing.TB, pool *pgxpool.Pool, sql string, args ...any) []string {
	tb.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		tb.Fatalf("dbtest: %s: %v", sql, err)
	}
	texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatalf("dbtest: %s: %v", sql, err)
	}
	return texts
}
