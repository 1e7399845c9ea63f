package database_test

import (
	"context"
	"testing"

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
