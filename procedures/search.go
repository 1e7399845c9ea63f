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
	candidates   = 40   // chunks each ranking contributes
	textBudget   = 1000 // chunks full-text search may rank; see textQuery
	efSearch     = 100  // HNSW candidate list; above candidates so the index returns them all
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
	expanded := append(append([]string{}, words...), c.synonyms.Expand(words)...)
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
		qv, err = c.embedder.EmbedQuery(ctx, strings.Join(expanded, " "))
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Unavailable, "embedder_unavailable",
				"Dịch vụ tìm kiếm đang bận. Xin thử lại sau ít phút.")
		}
	}

	var results []Result
	err = pgx.BeginTxFunc(ctx, c.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// set_config(…, true) is SET LOCAL: the settings end with the
		// transaction and never leak to the next user of the pooled
		// connection.
		var stored Status
		err := tx.QueryRow(ctx, `
			SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
			       version, embedder, dimension
			FROM procedure_catalogue`, fmt.Sprint(efSearch)).
			Scan(nil, nil, &stored.Version, &stored.Embedder, &stored.Dimension)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotImported
		}
		if err != nil {
			return err
		}
		if stored.Embedder != c.embedder.Name() {
			return mismatch(fmt.Errorf("catalogue embedded by %s, searching with %s", stored.Embedder, c.embedder.Name()))
		}
		if qv != nil && len(qv) != stored.Dimension {
			return mismatch(fmt.Errorf("query vector has %d dimensions, the catalogue %d", len(qv), stored.Dimension))
		}
		vec := pgvector.NewVector(qv)
		if qv == nil {
			vec = pgvector.NewVector(make([]float32, stored.Dimension))
		}

		vocab, err := c.vocabulary(ctx, tx, stored.Version)
		if err != nil {
			return err
		}
		corrected, err := vocab.correct(ctx, tx, words)
		if err != nil {
			return err
		}
		all := expanded
		if len(corrected) > 0 {
			all = append(append(all, corrected...), c.synonyms.Expand(corrected)...)
		}
		tsq := vocab.textQuery(words, all)
		if tsq == "" {
			textLimit = 0
			tsq = "x"
		}
		rows, err := tx.Query(ctx, searchSQL, vec, tsq, vecLimit, textLimit, 4*textBudget)
		if err != nil {
			return err
		}
		hits, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hit, error) {
			var h hit
			err := row.Scan(&h.Slug, &h.Name, &h.Section, &h.Body, &h.Ord, &h.VecRank, &h.TextRank)
			return h, err
		})
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
// best chunks (the best counts fully, the next ones less), and returns the
// k best entries with their best chunks as citations.
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
		// the cube keeps partial matches from deciding much.
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

// textQuery builds a tsquery that matches any of the words (a resident's
// query rarely shares all its words with the right passage) and rewards the
// query's own word pairs, which carry Vietnamese compounds. Ranking costs
// time for every chunk matched, so words are taken rarest first until
// together they match textBudget chunks; the common words left out still
// count when they occur together (w1 & w2 & …) if that stays within the
// budget. On the shipped catalogue every word fits the budget.
func (v *vocabulary) textQuery(words, all []string) string {
	type term struct {
		w      string
		chunks int
	}
	seen := map[string]bool{}
	var terms []term
	for _, w := range searchWords(strings.Join(all, " ")) {
		if n := v.terms[w]; n > 0 && !seen[w] {
			seen[w] = true
			terms = append(terms, term{w, n})
		}
	}
	sort.SliceStable(terms, func(i, j int) bool { return terms[i].chunks < terms[j].chunks })
	var parts []string
	included := map[string]bool{}
	total := 0
	for _, t := range terms {
		if total+t.chunks > textBudget {
			break
		}
		total += t.chunks
		included[t.w] = true
		parts = append(parts, t.w)
	}
	own := searchWords(strings.Join(words, " "))
	var common []string
	rarest := math.MaxInt
	for _, w := range own {
		if n := v.terms[w]; n > 0 && !included[w] && !slices.Contains(common, w) {
			common = append(common, w)
			rarest = min(rarest, n)
		}
	}
	// Together the common words match no more chunks than the rarest of
	// them does; past the budget they are left to the other rankings.
	if len(common) > 1 && rarest <= textBudget {
		parts = append(parts, "("+strings.Join(common, " & ")+")")
	}
	for i := 0; i+1 < len(own); i++ {
		if included[own[i]] && included[own[i+1]] {
			parts = append(parts, "("+own[i]+" <-> "+own[i+1]+")")
		}
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

// vocabulary is every word of one import of the catalogue. The catalogue
// is immutable between imports, so each replica may keep the vocabulary of
// the version it last saw; a new import changes the version and the
// vocabulary is read again.
type vocabulary struct {
	version int64
	terms   map[string]int        // term → number of chunks holding it
	names   map[string][][]string // slug → trigrams of each of its names
}

func (c *Catalogue) vocabulary(ctx context.Context, tx pgx.Tx, version int64) (*vocabulary, error) {
	if v := c.vocab.Load(); v != nil && v.version == version {
		return v, nil
	}
	rows, err := tx.Query(ctx, `SELECT term, chunks FROM procedure_terms`)
	if err != nil {
		return nil, err
	}
	v := &vocabulary{version: version, terms: map[string]int{}, names: map[string][][]string{}}
	var term string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&term, &n}, func() error {
		v.terms[term] = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rows, err = tx.Query(ctx, `SELECT slug, folded FROM procedure_names`); err != nil {
		return nil, err
	}
	var slug, name string
	_, err = pgx.ForEachRow(rows, []any{&slug, &name}, func() error {
		v.names[slug] = append(v.names[slug], trigrams(strings.Fields(name)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.vocab.Store(v)
	return v, nil
}

// correct returns, for each query word the catalogue does not contain, the
// catalogue words it was probably meant to be: the word without a stray
// telex tone key ("kys" → "ky"), or else its nearest words by trigram
// similarity. It asks the database only when a word is unknown.
func (v *vocabulary) correct(ctx context.Context, tx pgx.Tx, words []string) ([]string, error) {
	var out, unknown []string
	for _, w := range searchWords(strings.Join(words, " ")) {
		if v.terms[w] > 0 {
			continue
		}
		if n := len(w); n > 2 && strings.ContainsRune("sfrxj", rune(w[n-1])) && v.terms[w[:n-1]] > 0 {
			out = append(out, w[:n-1])
			continue
		}
		unknown = append(unknown, w)
	}
	if len(unknown) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `
		SELECT near FROM unnest($1::text[]) AS w,
		LATERAL (SELECT ARRAY(SELECT term FROM procedure_terms WHERE term % w
		                      ORDER BY term <-> w, term LIMIT 2) AS near) n`, unknown)
	if err != nil {
		return nil, err
	}
	near, err := pgx.CollectRows(rows, pgx.RowTo[[]string])
	if err != nil {
		return nil, err
	}
	for _, n := range near {
		out = append(out, n...)
	}
	return out, nil
}
