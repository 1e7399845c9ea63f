package database_test

import (
	"context"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/pgvector/pgvector-go"
)

func TestFreshDatabaseIsMigratedAndReady(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	if err := database.Check(ctx, pool); err != nil {
		t.Fatalf("Check on a fresh database: %v", err)
	}
	// The pool's connections know the vector type.
	var v pgvector.Vector
	if err := pool.QueryRow(ctx, `SELECT '[1,2,3]'::vector`).Scan(&v); err != nil {
		t.Fatalf("scan vector: %v", err)
	}
	if got := v.Slice(); len(got) != 3 || got[2] != 3 {
		t.Fatalf("vector = %v", got)
	}
}

func TestCheckReportsPendingMigrations(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = 1`); err != nil {
		t.Fatal(err)
	}
	if err := database.Check(ctx, pool); err == nil {
		t.Fatal("Check passed with a migration pending")
	}
}

// Sweeps each hold a connection for their lock while their work takes
// another; with pgx's default of four on two cores, four sweeps starting
// together waited for each other for ever. The pool is bigger unless the URL
// sets its size.
func TestPoolHasRoomForSweeps(t *testing.T) {
	ctx := context.Background()
	url, drop, err := dbtest.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer drop()
	for _, tc := range []struct {
		url  string
		want int32
	}{{url, 16}, {url + "?pool_max_conns=3", 3}} {
		pool, err := database.Open(ctx, tc.url, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got := pool.Config().MaxConns; got < tc.want || (tc.want == 3 && got != 3) {
			t.Errorf("%s: MaxConns = %d, want %d", tc.url, got, tc.want)
		}
		pool.Close()
	}
}
