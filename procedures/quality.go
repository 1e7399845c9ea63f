package procedures

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/goccy/go-yaml"
)

//go:embed queries.yaml
var shippedQueries []byte

// TestQuery is a resident's query and the entry it should find.
type TestQuery struct {
	Q     string `yaml:"q"`
	Want  string `yaml:"want"`
	Style string `yaml:"style"` // formal, colloquial, plain, typo, english
}

// HeldOut is the style of the queries written after the catalogue, the
// synonyms and the tuning were last changed, and never used to change them.
// They measure how search copes with phrasings nobody anticipated and are
// reported apart from the target set.
const HeldOut = "heldout"

// SplitHeldOut separates the target set from the held-out paraphrases.
func SplitHeldOut(queries []TestQuery) (target, heldOut []TestQuery) {
	for _, q := range queries {
		if q.Style == HeldOut {
			heldOut = append(heldOut, q)
		} else {
			target = append(target, q)
		}
	}
	return target, heldOut
}

// ShippedQueries returns the retrieval test set built into the binary.
func ShippedQueries() ([]TestQuery, error) {
	var file struct {
		Queries []TestQuery `yaml:"queries"`
	}
	if err := yaml.UnmarshalWithOptions(shippedQueries, &file, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("queries.yaml: %w", err)
	}
	return file.Queries, nil
}

// Quality is how well search did on a test set.
type Quality struct {
	Mode             Mode
	Queries          int
	Recall1, Recall3 float64 // share of queries whose entry came first, or in the first three
	MRR              float64 // mean reciprocal rank of the expected entry (0 when not in the top k)
	P50, P95         time.Duration
	Latencies        []time.Duration // of each query, in order
	Misses           []Miss          // queries whose entry was not first
}

// Miss is a query whose entry was not ranked first.
type Miss struct {
	TestQuery
	Got  []string // the slugs found, best first
	Rank int      // of the expected entry, 0 when absent
}

// Measure runs every query with mode and scores the rankings.
func (c *Catalogue) Measure(ctx context.Context, queries []TestQuery, mode Mode) (Quality, error) {
	q := Quality{Mode: mode, Queries: len(queries)}
	if len(queries) == 0 {
		return q, nil
	}
	const k = 10
	latencies := make([]time.Duration, 0, len(queries))
	var hits1, hits3 int
	var rr float64
	for _, tq := range queries {
		start := time.Now()
		results, err := c.SearchMode(ctx, tq.Q, k, mode)
		latencies = append(latencies, time.Since(start))
		if err != nil {
			return q, fmt.Errorf("query %q: %w", tq.Q, err)
		}
		var got []string
		for _, r := range results {
			got = append(got, r.Slug)
		}
		rank := slices.Index(got, tq.Want) + 1
		if rank == 1 {
			hits1++
		} else {
			q.Misses = append(q.Misses, Miss{TestQuery: tq, Got: got, Rank: rank})
		}
		if rank >= 1 && rank <= 3 {
			hits3++
		}
		if rank > 0 {
			rr += 1 / float64(rank)
		}
	}
	n := float64(len(queries))
	q.Recall1, q.Recall3, q.MRR = float64(hits1)/n, float64(hits3)/n, rr/n
	q.P50, q.P95 = Percentile(latencies, 50), Percentile(latencies, 95)
	q.Latencies = latencies
	return q, nil
}

// Percentile returns the p-th percentile of ds (nearest rank).
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}
