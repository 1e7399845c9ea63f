package procedures_test

import (
	"context"
	"strings"
	"testing"
	"time"

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
	all, err := procedures.ShippedQueries()
	if err != nil {
		t.Fatal(err)
	}
	queries, heldOut := procedures.SplitHeldOut(all)
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

	// The held-out set has no target from the issue; the floor only
	// catches a regression from today's figures (recall@3 0.708).
	h, err := c.Measure(context.Background(), heldOut, procedures.Hybrid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("held-out: recall@1 %.3f, recall@3 %.3f, MRR %.3f over %d queries", h.Recall1, h.Recall3, h.MRR, h.Queries)
	for _, m := range h.Misses {
		t.Logf("held-out miss (rank %d) %q want %s got %v", m.Rank, m.Q, m.Want, first(m.Got, 3))
	}
	if h.Recall3 < 0.6 {
		t.Errorf("held-out recall@3 %.3f fell below 0.6", h.Recall3)
	}
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

// BenchmarkSearch runs the target set through hybrid search on the shipped
// catalogue; station bench search prints the fuller comparison.
func BenchmarkSearch(b *testing.B) {
	all, err := procedures.ShippedQueries()
	if err != nil {
		b.Fatal(err)
	}
	queries, _ := procedures.SplitHeldOut(all)
	c := procedurestest.Load(b, dbtest.New(b))
	ctx := context.Background()
	if _, err := c.Measure(ctx, queries, procedures.Hybrid); err != nil { // warm-up
		b.Fatal(err)
	}
	b.ResetTimer()
	var q procedures.Quality
	for b.Loop() {
		if q, err = c.Measure(ctx, queries, procedures.Hybrid); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(q.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(q.P95.Microseconds())/1000, "p95-ms")
	b.ReportMetric(q.Recall1, "recall@1")
	b.ReportMetric(q.Recall3, "recall@3")
}

func TestPercentile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, ms(i))
	}
	if p := procedures.Percentile(ds, 50); p != ms(50) {
		t.Errorf("p50 %v", p)
	}
	if p := procedures.Percentile(ds, 95); p != ms(95) {
		t.Errorf("p95 %v", p)
	}
	if ds[0] != ms(100) {
		t.Error("Percentile sorted its argument")
	}
	if p := procedures.Percentile(nil, 95); p != 0 {
		t.Errorf("empty p95 %v", p)
	}
}

func TestSyntheticCatalogue(t *testing.T) {
	base, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	a := procedures.Synthetic(base, 2000, 7)
	b := procedures.Synthetic(base, 2000, 7)
	if len(a) < 150 || len(a) > 300 {
		t.Fatalf("%d entries for about 2000 chunks", len(a))
	}
	seen := map[string]bool{}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Slug != b[i].Slug {
			t.Fatal("the same seed gave different entries")
		}
		if seen[a[i].Slug] || !strings.HasPrefix(a[i].Slug, "synthetic.") {
			t.Fatalf("slug %q", a[i].Slug)
		}
		seen[a[i].Slug] = true
	}
	if base[0].Steps[0].Text == a[0].Steps[0].Text && base[0].Name == a[0].Name {
		t.Error("synthetic entries share their text with the shipped ones")
	}
}
