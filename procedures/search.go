package procedures

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Mode chooses the rankings a search fuses. Hybrid is what residents get;
// the single modes exist so the benchmark can show what fusion gains.
type Mode int

const (
	Hybrid        Mode = iota
	FullTextOnly       // full-text ranking and the name signal
	VectorOnly         // vector ranking and the name signal
	HybridNoNames      // both rankings, without the name signal
)

func (m Mode) String() string {
	return [...]string{"hybrid", "fulltext", "vector", "hybrid-no-names"}[m]
}

// Search tuning, chosen on the resident test set (queries.yaml) with
// station bench search.
const (
	candidates   = 40  // chunks each ranking contributes
	textBudget   = 600 // chunks full-text search may rank; see textQuery
	efSearch     = 64  // HNSW candidate list; at least candidates so the index returns them all
	maxCitations = 3
	// MaxK is the most results a search returns.
	MaxK = 20
)

// tuning weighs the signals fusion combines.
type tuning struct {
	rrfK                     int     // reciprocal rank fusion's constant
	vectorWeight, textWeight float64 // of each ranking of chunks
	chunkDecay               float64 // an entry's n-th best chunk counts chunkDecay^(n-1)
	nameWeight, namePower    float64 // of the query's similarity to one of the entry's names
	minNameSim               float64 // below this, a name similarity is noise
}

var defaultTuning = tuning{
	rrfK: 60, vectorWeight: 1, textWeight: 1, chunkDecay: 0,
	nameWeight: 0.1, namePower: 4, minNameSim: 0.3,
}

// Search finds the k entries that best match a resident's query, in their
// own words, with or without diacritics, with typos: hybrid full-text and
// vector search fused by reciprocal rank, grouped by entry, each result
// citing its best matching passages.
func (c *Catalogue) Search(ctx context.Context, query string, k int) ([]Result, error) {
	return c.SearchMode(ctx, query, k, Hybrid)
}

// SearchMode is Search with a choice of rankings.
func (c *Catalogue) SearchMode(ctx context.Context, query string, k int, mode Mode) ([]Result, error) {
	q, err := CheckQuery(query)
	if err != nil {
		return nil, err
	}
	if k < 1 {
		k = 5
	}
	k = min(k, MaxK)

	words := c.synonyms.Rewrite(q)
	if len(words) == 0 {
		return []Result{}, nil // only punctuation or symbols: nothing to look for
	}
	extra := c.synonyms.Expand(words)
	expanded := append(slices.Clip(words), extra...)
	vecLimit, textLimit := candidates, candidates
	switch mode {
	case FullTextOnly:
		vecLimit = 0
	case VectorOnly:
		textLimit = 0
	}
	// Embed before the transaction: a remote embedder may take a while.
	var qv []float32
	if vecLimit > 0 {
		qv, err = c.embedder.EmbedQuery(ctx, embeddingText(q, words, extra))
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Unavailable, "embedder_unavailable",
				"Dịch vụ tìm kiếm đang bận. Xin thử lại sau ít phút.")
		}
	}

	var results []Result
	// One snapshot for the catalogue's record and the search, so that an
	// import committing meanwhile cannot mix two versions.
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err = pgx.BeginTxFunc(ctx, c.pool, opts, func(tx pgx.Tx) error {
		hits, vocab, err := c.retrieve(ctx, tx, words, expanded, qv, vecLimit, textLimit)
		if err != nil {
			return err
		}
		qt := trigrams(words)
		for i := range hits {
			hits[i].NameSim = vocab.nameSimilarity(hits[i].Slug, qt)
		}
		t := defaultTuning
		if mode == HybridNoNames {
			t.nameWeight = 0
		}
		results = fuse(hits, k, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return results, nil
}

// retrieve sends, in one round trip, the transaction's settings with the
// catalogue's record and the search itself, built with the vocabulary of
// the last version this replica saw. When the record shows another version
// (a new import, or the first search), it reads that version's vocabulary
// and searches again.
func (c *Catalogue) retrieve(ctx context.Context, tx pgx.Tx, words, expanded []string, qv []float32, vecLimit, textLimit int) ([]hit, *vocabulary, error) {
	vocab := c.vocab.Load()
	for {
		batch := &pgx.Batch{}
		// set_config(…, true) is SET LOCAL: the settings end with the
		// transaction and never leak to the next user of the pooled
		// connection.
		var stored Status
		batch.Queue(`
			SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
			       version, embedder, dimension
			FROM procedure_catalogue`, fmt.Sprint(efSearch)).QueryRow(func(row pgx.Row) error {
			return row.Scan(nil, nil, &stored.Version, &stored.Embedder, &stored.Dimension)
		})
		var hits []hit
		if vocab != nil {
			vec := pgvector.NewVector(qv)
			if qv == nil {
				vec = pgvector.NewVector(make([]float32, max(1, vocab.dimension)))
			}
			all := expanded
			if corrected := vocab.correct(words); len(corrected) > 0 {
				all = append(append(slices.Clip(all), corrected...), c.synonyms.Expand(corrected)...)
			}
			tsq, textLimit := vocab.textQuery(words, all), textLimit
			if tsq == "" {
				tsq, textLimit = "x", 0
			}
			batch.Queue(searchSQL, vec, tsq, vecLimit, textLimit, 4*textBudget).Query(func(rows pgx.Rows) error {
				var err error
				hits, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (hit, error) {
					var h hit
					err := row.Scan(&h.Slug, &h.Name, &h.Section, &h.Body, &h.Ord, &h.VecRank, &h.TextRank)
					return h, err
				})
				return err
			})
		}
		err := tx.SendBatch(ctx, batch).Close()
		// The record decides which error the caller sees: a search with
		// vectors of the wrong size fails too, but the mismatch says why.
		switch {
		case stored.Embedder == "" && errors.Is(err, pgx.ErrNoRows):
			return nil, nil, errNotImported()
		case stored.Embedder == "" && err != nil:
			return nil, nil, err
		case stored.Embedder != c.embedder.Name():
			return nil, nil, mismatch(fmt.Errorf("catalogue embedded by %s, searching with %s", stored.Embedder, c.embedder.Name()))
		case qv != nil && len(qv) != stored.Dimension:
			return nil, nil, mismatch(fmt.Errorf("query vector has %d dimensions, the catalogue %d", len(qv), stored.Dimension))
		case err != nil:
			return nil, nil, err
		case vocab != nil && vocab.version == stored.Version:
			return hits, vocab, nil
		}
		if vocab, err = c.vocabulary(ctx, tx, stored); err != nil {
			return nil, nil, err
		}
	}
}

// embeddingText is the query as typed (a model embedder needs its
// diacritics), followed by the words the rewrites corrected and the
// synonyms of what it says.
func embeddingText(q string, words, extra []string) string {
	typed := vietnamese.Words(q)
	var b strings.Builder
	b.WriteString(q)
	for _, w := range words {
		if !slices.Contains(typed, w) {
			b.WriteString(" " + w)
		}
	}
	for _, w := range extra {
		b.WriteString(" " + w)
	}
	return b.String()
}

func mismatch(cause error) error {
	return apperr.Wrap(cause, apperr.Unavailable, "catalogue_embedder_mismatch",
		"Danh mục thủ tục được lập chỉ mục bằng bộ nhúng khác với cấu hình hiện tại. Xin báo cán bộ phụ trách chạy lại station import.")
}

// searchSQL returns the chunks found by either ranking with their rank in
// each. The vector side keeps the bare ORDER BY distance LIMIT shape so the
// HNSW index serves it; $5 caps the chunks full-text search ranks, should
// the budget of textQuery be exceeded.
const searchSQL = `
WITH vec AS (
	SELECT id, row_number() OVER (ORDER BY dist) AS rank
	FROM (SELECT chunk_id AS id, embedding <=> $1 AS dist FROM procedure_vectors
	      ORDER BY embedding <=> $1 LIMIT $3) v
), txt AS (
	SELECT id, row_number() OVER (ORDER BY score DESC, id) AS rank
	FROM (SELECT id, ts_rank(tsv, q, 1) AS score
	      FROM (SELECT id, tsv FROM procedure_chunks, to_tsquery('simple', $2) q
	            WHERE tsv @@ q LIMIT $5) m, to_tsquery('simple', $2) q
	      ORDER BY score DESC, id LIMIT $4) t
)
SELECT c.slug, e.name, c.section, c.body, c.ord, coalesce(vec.rank, 0), coalesce(txt.rank, 0)
FROM vec FULL JOIN txt ON vec.id = txt.id
JOIN procedure_chunks c ON c.id = coalesce(vec.id, txt.id)
JOIN procedure_entries e ON e.slug = c.slug`

// hit is one chunk found, with its rank in each ranking (0: not found by it).
type hit struct {
	Slug, Name, Section, Body string
	Ord                       int
	VecRank, TextRank         int
	NameSim                   float64 `db:"-"` // of the query to the entry's names; see vocabulary.nameSimilarity
}

// fuse scores each chunk by reciprocal rank fusion, then each entry by its
// best chunk (later ones count by chunkDecay) plus how well the query says
// one of its names, and returns the k best entries with their best chunks
// as citations.
func fuse(hits []hit, k int, t tuning) []Result {
	type scored struct {
		hit
		score float64
	}
	bySlug := map[string][]scored{}
	for _, h := range hits {
		var s float64
		if h.VecRank > 0 {
			s += t.vectorWeight / float64(t.rrfK+h.VecRank)
		}
		if h.TextRank > 0 {
			s += t.textWeight / float64(t.rrfK+h.TextRank)
		}
		bySlug[h.Slug] = append(bySlug[h.Slug], scored{h, s})
	}
	results := make([]Result, 0, len(bySlug))
	for slug, cs := range bySlug {
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].score != cs[j].score {
				return cs[i].score > cs[j].score
			}
			return cs[i].Ord < cs[j].Ord
		})
		r := Result{Slug: slug, Name: cs[0].Name}
		decay := 1.0
		for i, ch := range cs {
			r.Score += decay * ch.score
			decay *= t.chunkDecay
			if i < maxCitations {
				r.Citations = append(r.Citations, Citation{Slug: slug, Section: ch.Section, Text: ch.Body})
			}
		}
		// A query that says one of the entry's names outright settles it;
		// the high power keeps partial matches from deciding much.
		if sim := cs[0].NameSim; sim >= t.minNameSim {
			r.Score += t.nameWeight * math.Pow(sim, t.namePower)
		}
		results = append(results, r)
	}
	sort.Slice(results, func(i, j int) bool {
		if results[i].Score != results[j].Score {
			return results[i].Score > results[j].Score
		}
		return results[i].Slug < results[j].Slug
	})
	if len(results) > k {
		results = results[:k]
	}
	return results
}
