package procedures_test

import (
	"context"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

// The targets for the default local embedder.
const (
	targetRecall1 = 0.85
	targetRecall3 = 0.95
)

// TestSearchQuality fails when hybrid search on the shipped catalogue drops
// below its recall targets on the resident test set. Latency is measured by
// station bench search, not here.
func TestSearchQuality(t *testing.T) {
	queries, err := procedures.ShippedQueries()
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) < 150 {
		t.Fatalf("test set has %d queries, want at least 150", len(queries))
	}
	c := procedurestest.Load(t, dbtest.New(t))
	q, err := c.Measure(context.Background(), queries, procedures.Hybrid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("hybrid: recall@1 %.3f, recall@3 %.3f, MRR %.3f over %d queries", q.Recall1, q.Recall3, q.MRR, q.Queries)
	for _, m := range q.Misses {
		t.Logf("miss (rank %d) %-12s %q want %s got %v", m.Rank, m.Style, m.Q, m.Want, first(m.Got, 3))
	}
	if q.Recall1 < targetRecall1 || q.Recall3 < targetRecall3 {
		t.Errorf("recall@1 %.3f (target %.2f), recall@3 %.3f (target %.2f)", q.Recall1, targetRecall1, q.Recall3, targetRecall3)
	}
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }
