package assistant

import (
	"context"
	"testing"

	"github.com/citizenstation/citizenstation/procedures"
)

// TestOpenings plays the shipped openings through the deterministic guide
// on the real catalogue and holds the figures the README states.
func TestOpenings(t *testing.T) {
	svc := newTestService(t, nil, nil)
	openings, err := ShippedOpenings()
	if err != nil {
		t.Fatal(err)
	}
	if len(openings) < 100 {
		t.Fatalf("%d openings, want at least 100", len(openings))
	}
	q, err := svc.MeasureOpenings(context.Background(), openings)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range q.Misses {
		t.Logf("miss: %q want %s, offered %v", m.Say, m.Want, m.Offered)
	}
	t.Logf("top-1 %.3f, top-3 %.3f, median turns %.1f, fills %d/%d", q.Top1, q.Top3, q.MedianTurns, q.FillsKept, q.Fills)
	if q.Top1 < 0.90 || q.Top3 < 0.97 || q.MedianTurns > 3 || q.FillsKept < q.Fills {
		t.Errorf("top-1 %.3f (≥ 0.90), top-3 %.3f (≥ 0.97), median turns %.1f (≤ 3), fills %d/%d", q.Top1, q.Top3, q.MedianTurns, q.FillsKept, q.Fills)
	}
}

// TestEveryEntryHasAnOpening: the conversation benchmark plays at least
// one opening for each entry of the shipped catalogue, so a new entry is
// measured at the same targets as the others.
func TestEveryEntryHasAnOpening(t *testing.T) {
	openings, err := ShippedOpenings()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := procedures.Load(procedures.Shipped())
	if err != nil {
		t.Fatal(err)
	}
	played := map[string]int{}
	for _, o := range openings {
		played[o.Want]++
	}
	for _, e := range entries {
		if played[e.Slug] == 0 {
			t.Errorf("no opening leads to %s", e.Slug)
		}
	}
}
