package procedures

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// Mode chooses the rankings a search fuses. Hybrid is what residents get;
// the single modes exist so the benchmark can show what fusion gains.
type Mode int

const (
	Hybrid Mode = iota
	FullTextOnly
	VectorOnly
)

func (m Mode) String() string {
	return [...]string{"hybrid", "fulltext", "vector"}[m]
}

// Search tuning. Candidates is how many chunks each ranking contributes;
// rrfK is reciprocal rank fusion's constant; the weights favour the ranking
// that proved more precise on the test set (testdata/queries.yaml).
const (
	candidates   = 40
	rrfK         = 60
	vectorWeight = 1.0
	textWeight   = 1.0
	nameWeight   = 0.03
	chunkDecay   = 0.3
	minNameSim   = 0.3
	efSearch     = 100
	maxCitations = 3
	// MaxK is the most results a search returns.
	MaxK = 20
)

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
	var results []Result
	err = pgx.BeginTxFunc(ctx, c.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// SET LOCAL: the settings end with the transaction and never
		// leak to the next user of the pooled connection.
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL hnsw.ef_search = %d; SET LOCAL hnsw.iterative_scan = relaxed_order`, efSearch)); err != nil {
			return err
		}
		var stored Status
		err := tx.QueryRow(ctx, `SELECT version, embedder, dimension FROM procedure_catalogue`).
			Scan(&stored.Version, &stored.Embedder, &stored.Dimension)
		if err == pgx.ErrNoRows {
			return errNotImported
		}
		if err != nil {
			return err
		}
		if stored.Embedder != c.embedder.Name() {
			return mismatch(fmt.Errorf("catalogue embedded by %s, searching with %s", stored.Embedder, c.embedder.Name()))
		}

		corrected, err := correct(ctx, tx, words)
		if err != nil {
			return err
		}
		all := append(append([]string{}, words...), corrected...)
		all = append(all, c.synonyms.Expand(all)...)

		vecLimit, textLimit := candidates, candidates
		switch mode {
		case FullTextOnly:
			vecLimit = 0
		case VectorOnly:
			textLimit = 0
		}
		var vec pgvector.Vector
		if vecLimit > 0 {
			v, err := c.embedder.EmbedQuery(ctx, strings.Join(all, " "))
			if err != nil {
				return apperr.Wrap(err, apperr.Unavailable, "embedder_unavailable",
					"Dịch vụ tìm kiếm đang bận. Xin thử lại sau ít phút.")
			}
			if len(v) != stored.Dimension {
				return mismatch(fmt.Errorf("query vector has %d dimensions, the catalogue %d", len(v), stored.Dimension))
			}
			vec = pgvector.NewVector(v)
		} else {
			vec = pgvector.NewVector(make([]float32, stored.Dimension))
		}
		tsq := textQuery(words, all)
		if tsq == "" {
			textLimit = 0
			tsq = "x"
		}
		rows, err := tx.Query(ctx, searchSQL, vec, tsq, vecLimit, textLimit, strings.Join(words, " "))
		if err != nil {
			return err
		}
		hits, err := pgx.CollectRows(rows, pgx.RowToStructByPos[hit])
		if err != nil {
			return err
		}
		results = fuse(hits, k)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return results, nil
}

func mismatch(cause error) error {
	return apperr.Wrap(cause, apperr.Unavailable, "catalogue_embedder_mismatch",
		"Danh mục thủ tục được lập chỉ mục bằng bộ nhúng khác với cấu hình hiện tại. Xin báo cán bộ phụ trách chạy lại station import.")
}

// searchSQL returns the chunks found by either ranking with their rank in
// each, and how closely the query matches one of their entry's names (name
// or alias, compared both ways by trigram word similarity). The vector side
// keeps the bare ORDER BY distance LIMIT shape so the HNSW index serves it.
const searchSQL = `
WITH vec AS (
	SELECT id, row_number() OVER (ORDER BY dist) AS rank
	FROM (SELECT id, embedding <=> $1 AS dist FROM procedure_chunks
	      ORDER BY embedding <=> $1 LIMIT $3) v
), txt AS (
	SELECT id, row_number() OVER (ORDER BY score DESC, id) AS rank
	FROM (SELECT id, ts_rank(tsv, q, 1) AS score
	      FROM procedure_chunks, to_tsquery('simple', $2) q
	      WHERE tsv @@ q ORDER BY score DESC, id LIMIT $4) t
), hits AS (
	SELECT coalesce(vec.id, txt.id) AS id, vec.rank AS vrank, txt.rank AS trank
	FROM vec FULL JOIN txt ON vec.id = txt.id
), names AS (
	SELECT slug, max(word_similarity(folded, $5) + word_similarity($5, folded)) / 2 AS sim
	FROM procedure_names
	WHERE slug IN (SELECT c.slug FROM hits JOIN procedure_chunks c ON c.id = hits.id)
	GROUP BY slug
)
SELECT c.slug, e.name, c.section, c.body, c.ord, coalesce(hits.vrank, 0), coalesce(hits.trank, 0), coalesce(names.sim, 0)
FROM hits
JOIN procedure_chunks c ON c.id = hits.id
JOIN procedure_entries e ON e.slug = c.slug
LEFT JOIN names ON names.slug = c.slug`

// hit is one chunk found, with its rank in each ranking (0: not found by it).
type hit struct {
	Slug, Name, Section, Body string
	Ord                       int
	VecRank, TextRank         int
	NameSim                   float64
}

// fuse scores each chunk by reciprocal rank fusion, then each entry by its
// best chunks (the best counts fully, the next ones less), and returns the
// k best entries with their best chunks as citations.
func fuse(hits []hit, k int) []Result {
	type scored struct {
		hit
		score float64
	}
	bySlug := map[string][]scored{}
	for _, h := range hits {
		var s float64
		if h.VecRank > 0 {
			s += vectorWeight / float64(rrfK+h.VecRank)
		}
		if h.TextRank > 0 {
			s += textWeight / float64(rrfK+h.TextRank)
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
			decay *= chunkDecay
			if i < maxCitations {
				r.Citations = append(r.Citations, Citation{Slug: slug, Section: ch.Section, Text: ch.Body})
			}
		}
		// A query that says one of the entry's names outright settles it;
		// the cube keeps partial matches from deciding much.
		if sim := cs[0].NameSim; sim >= minNameSim {
			r.Score += nameWeight * sim * sim * sim
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

// textQuery builds a tsquery that matches any of the words (a resident's
// query rarely shares all its words with the right passage) and rewards the
// query's own word pairs, which carry Vietnamese compounds.
func textQuery(words, all []string) string {
	seen := map[string]bool{}
	var parts []string
	for _, w := range searchWords(strings.Join(all, " ")) {
		if !seen[w] {
			seen[w] = true
			parts = append(parts, w)
		}
	}
	ws := searchWords(strings.Join(words, " "))
	for i := 0; i+1 < len(ws); i++ {
		parts = append(parts, "("+ws[i]+" <-> "+ws[i+1]+")")
	}
	return strings.Join(parts, " | ")
}

// searchWords keeps the folded words made only of ASCII letters and digits,
// the only ones a tsquery is built from, so that no query text can change
// the tsquery's syntax.
func searchWords(folded string) []string {
	var out []string
	for _, w := range strings.Fields(folded) {
		w = strings.Trim(w, ".,;:!?()\"'")
		ok := w != ""
		for _, r := range w {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
				ok = false
				break
			}
		}
		if ok && !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// correct returns, for each query word the catalogue does not contain, the
// catalogue words it was probably meant to be: the word without a stray
// telex tone key ("kys" → "ky") or its nearest words by trigram similarity.
func correct(ctx context.Context, tx pgx.Tx, words []string) ([]string, error) {
	var probe []string
	for _, w := range searchWords(strings.Join(words, " ")) {
		probe = append(probe, w)
		if n := len(w); n > 2 && strings.ContainsRune("sfrxj", rune(w[n-1])) {
			probe = append(probe, w[:n-1])
		}
	}
	if len(probe) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `
		SELECT w, known, near FROM (
			SELECT w, EXISTS (SELECT 1 FROM procedure_terms WHERE term = w) AS known
			FROM unnest($1::text[]) AS w) p,
		LATERAL (SELECT CASE WHEN known THEN NULL ELSE ARRAY(
			SELECT term FROM procedure_terms WHERE term % w ORDER BY term <-> w, term LIMIT 2) END AS near) n`, probe)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	near := map[string][]string{}
	for rows.Next() {
		var w string
		var k bool
		var n []string
		if err := rows.Scan(&w, &k, &n); err != nil {
			return nil, err
		}
		known[w] = k
		near[w] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, w := range searchWords(strings.Join(words, " ")) {
		if known[w] {
			continue
		}
		if n := len(w); n > 2 && known[w[:n-1]] && strings.ContainsRune("sfrxj", rune(w[n-1])) {
			out = append(out, w[:n-1])
			continue
		}
		out = append(out, near[w]...)
	}
	return out, nil
}
