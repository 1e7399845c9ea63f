package main

import (
	"context"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
)

// freshEnvironment points the commands' settings at a fresh migrated
// database and an empty data directory for the rest of the test, as an
// operator's environment would, and returns the database's URL.
func freshEnvironment(t *testing.T) string {
	t.Helper()
	url, drop, err := dbtest.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	t.Setenv("STATION_DATABASE_URL", url)
	t.Setenv("STATION_DATA_DIR", t.TempDir())
	t.Setenv("STATION_LOG_LEVEL", "error")
	return url
}
