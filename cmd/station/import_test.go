package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/procedures"
)

func TestImportCommand(t *testing.T) {
	url, drop, err := dbtest.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)

	out, err := station("import", "-database-url", url, "-log-level", "error")
	if err != nil || !strings.Contains(out, "imported the shipped catalogue: version 1, "+shippedEntries(t)) ||
		!strings.Contains(out, "imported the shipped places: 20 added, 0 updated, 0 kept as staff corrected them, 0 removed; 6 safety tips") {
		t.Fatalf("station import: %v\n%s", err, out)
	}
	out, err = station("import", "catalogue", "-database-url", url, "-log-level", "error")
	if err != nil || !strings.Contains(out, "catalogue unchanged: version 1") {
		t.Fatalf("station import catalogue, again: %v\n%s", err, out)
	}

	// A directory with one broken entry is refused, naming the file and
	// the place, and the stored catalogue stays.
	dir := t.TempDir()
	bad := "slug: residence.broken\nname: Hỏng\n"
	if err := os.WriteFile(filepath.Join(dir, "residence.broken.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = station("import", "catalogue", "-database-url", url, dir)
	if err == nil || !strings.Contains(err.Error(), "residence.broken.yaml") || !strings.Contains(err.Error(), "missing properties") {
		t.Fatalf("broken directory: %v", err)
	}
	out, err = station("import", "-database-url", url)
	if err != nil || !strings.Contains(out, "unchanged: version 1") {
		t.Fatalf("after a refused import: %v\n%s", err, out)
	}

	// -check validates without touching the database.
	out, err = station("import", "catalogue", "-check", "-database-url", "postgres://127.0.0.1:1/none", "../../procedures/catalogue")
	if err != nil || !strings.Contains(out, shippedEntries(t)+", all valid") {
		t.Fatalf("-check of the shipped files: %v\n%s", err, out)
	}
	if _, err = station("import", "catalogue", "-check", dir); err == nil {
		t.Fatal("-check passed a broken entry")
	}

	_, err = station("import", "catalogue", "-database-url", url, "-embedder", "word2vec")
	if err == nil || !strings.Contains(err.Error(), "STATION_EMBEDDER") {
		t.Fatalf("bad embedder: %v", err)
	}
}

func TestBenchSearchPrintsEveryMode(t *testing.T) {
	url, drop, err := dbtest.Create(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(drop)
	out, err := station("bench", "search", "-database-url", url, "-rounds", "1")
	if err != nil {
		t.Fatalf("station bench search: %v\n%s", err, out)
	}
	for _, want := range []string{shippedEntries(t), "recall@1", "hybrid ", "fulltext", "vector", "hybrid-no-names", " ms"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// shippedEntries is "N entries" for the catalogue built into the binary,
// which grows as entries are added.
func shippedEntries(t *testing.T) string {
	t.Helper()
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d entries", len(entries))
}
