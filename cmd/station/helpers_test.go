package main

import (
	"bytes"
	"context"
	"strings"
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

// station runs station ARGS as main does and returns what it printed
// (standard output, then standard error).
func station(args ...string) (string, error) {
	return stationIn(context.Background(), "", args...)
}

// stationIn runs station ARGS until ctx ends, with stdin on its standard
// input.
func stationIn(ctx context.Context, stdin string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(ctx, args, &cli{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut})
	return out.String() + errOut.String(), err
}

// step is one command of an operator's session: what it must print, or
// the error it must end with.
type step struct {
	stdin   string
	args    []string
	want    string
	wantErr string
}

// runSteps runs the steps in turn, as an operator would.
func runSteps(t *testing.T, steps []step) {
	t.Helper()
	for _, s := range steps {
		out, err := stationIn(context.Background(), s.stdin, s.args...)
		switch {
		case s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)):
			t.Errorf("station %v: error %v, want %q", s.args, err, s.wantErr)
		case s.wantErr == "" && err != nil:
			t.Errorf("station %v: %v\n%s", s.args, err, out)
		}
		if !strings.Contains(out, s.want) {
			t.Errorf("station %v printed %q, want %q", s.args, out, s.want)
		}
	}
}
