package procedures

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// ImportReport says what an import did.
type ImportReport struct {
	Version   int64
	Entries   int
	Chunks    int
	Embedder  string
	Dimension int
	// Unchanged is true when the catalogue already held exactly these
	// entries embedded by the same embedder, so nothing was written.
	Unchanged bool
}

// indexVersion changes whenever the way entries are cut into chunks, folded
// or counted changes, so that the next import rebuilds an index that looks
// unchanged by its entries and embedder.
const indexVersion = 2

// maxDimension is the largest vector pgvector's HNSW index takes.
const maxDimension = 2000

// Import replaces the stored catalogue with entries, embedded by the
// catalogue's embedder. It runs in one transaction, so a failed import
// leaves the previous catalogue in place; importing the same entries with
// the same embedder again changes nothing.
func (c *Catalogue) Import(ctx context.Context, entries []Entry) (ImportReport, error) {
	rep := ImportReport{Entries: len(entries), Embedder: c.embedder.Name()}
	if len(entries) == 0 {
		return rep, errors.New("import: no entries")
	}
	learned, err := c.LearnedPhrases(ctx)
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	p := &importPlan{entries: withLearned(entries, learned), embedder: c.embedder.Name()}
	if err := p.encode(); err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	if same, err := c.unchanged(ctx, p, &rep); err != nil || same {
		return rep, err
	}
	// Embed before the transaction: a remote embedder may take a while and
	// the transaction should stay short.
	if err := p.embed(ctx, c.embedder); err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	p.countTerms()
	rep.Dimension, rep.Chunks = p.dim, len(p.rows)
	if err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error { return p.write(ctx, tx, &rep.Version) }); err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	return rep, nil
}

// importPlan is an import's catalogue as it will be stored: the entries
// encoded, cut into chunks, embedded, and the terms counted.
type importPlan struct {
	entries  []Entry
	embedder string
	bodies   [][]byte
	sha      string // of the embedder, the index version and the bodies
	rows     []chunkRow
	vectors  [][]float32
	dim      int
	// terms and the number of chunks that hold each, in the same order.
	terms      []string
	termChunks []int32
}

// chunkRow is one chunk of an entry, numbered within it.
type chunkRow struct {
	slug string
	ord  int
	chunk
}

// encode writes each entry as it is stored and sums them up.
func (p *importPlan) encode() error {
	p.bodies = make([][]byte, len(p.entries))
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n%d\n", p.embedder, indexVersion)
	for i := range p.entries {
		b, err := json.Marshal(&p.entries[i])
		if err != nil {
			return fmt.Errorf("encode %s: %w", p.entries[i].Slug, err)
		}
		p.bodies[i] = b
		sum.Write(b)
		sum.Write([]byte("\n"))
	}
	p.sha = hex.EncodeToString(sum.Sum(nil))
	return nil
}

// unchanged reports whether the stored catalogue is already p, filling rep
// from it when so.
func (c *Catalogue) unchanged(ctx context.Context, p *importPlan, rep *ImportReport) (bool, error) {
	var sha string
	var version int64
	var dim, chunks int
	err := c.pool.QueryRow(ctx, `SELECT content_sha, version, dimension, chunks FROM procedure_catalogue`).
		Scan(&sha, &version, &dim, &chunks)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("import: read current catalogue: %w", err)
	}
	if sha != p.sha {
		return false, nil
	}
	rep.Unchanged, rep.Version, rep.Dimension, rep.Chunks = true, version, dim, chunks
	return true, nil
}

// embed cuts the entries into chunks and embeds them, checking that every
// vector has the same dimension and that the index takes it.
func (p *importPlan) embed(ctx context.Context, e Embedder) error {
	var texts []string
	for i := range p.entries {
		for j, ch := range chunks(&p.entries[i]) {
			p.rows = append(p.rows, chunkRow{p.entries[i].Slug, j, ch})
			texts = append(texts, ch.Text) // with diacritics: a model embedder needs them
		}
	}
	vectors, err := e.EmbedDocuments(ctx, texts)
	if err != nil {
		return fmt.Errorf("embed with %s: %w", p.embedder, err)
	}
	if len(vectors) != len(texts) {
		return fmt.Errorf("embedder %s returned %d vectors for %d texts", p.embedder, len(vectors), len(texts))
	}
	dim := len(vectors[0])
	for i, v := range vectors {
		if len(v) != dim || dim == 0 {
			return fmt.Errorf("embedder %s returned vectors of %d and %d dimensions", p.embedder, dim, len(vectors[i]))
		}
	}
	if dim > maxDimension {
		return fmt.Errorf("embedder %s makes %d-dimensional vectors; the HNSW index takes at most %d", p.embedder, dim, maxDimension)
	}
	p.vectors, p.dim = vectors, dim
	return nil
}

// countTerms counts, for each term, the chunks that hold it.
func (p *importPlan) countTerms() {
	counts := map[string]int{}
	for _, r := range p.rows {
		seen := map[string]bool{}
		for _, w := range searchWords(r.Folded) {
			if !seen[w] {
				seen[w] = true
				counts[w]++
			}
		}
	}
	p.terms = make([]string, 0, len(counts))
	for t := range counts {
		p.terms = append(p.terms, t)
	}
	sort.Strings(p.terms)
	p.termChunks = make([]int32, len(p.terms))
	for i, t := range p.terms {
		p.termChunks[i] = int32(counts[t])
	}
}

// write replaces the stored catalogue with p in tx and sets version to the
// catalogue's new version.
func (p *importPlan) write(ctx context.Context, tx pgx.Tx, version *int64) error {
	for _, step := range []func(context.Context, pgx.Tx) error{p.clear, p.insertEntries, p.copyChunks, p.insertTerms, p.buildIndex} {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	return tx.QueryRow(ctx, `
		INSERT INTO procedure_catalogue (version, content_sha, embedder, dimension, entries, chunks)
		VALUES (1, $1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET version = procedure_catalogue.version + 1,
			content_sha = EXCLUDED.content_sha, embedder = EXCLUDED.embedder,
			dimension = EXCLUDED.dimension, entries = EXCLUDED.entries,
			chunks = EXCLUDED.chunks, imported_at = now()
		RETURNING version`,
		p.sha, p.embedder, p.dim, len(p.entries), len(p.rows)).Scan(version)
}

// clear empties the catalogue's tables, one import at a time (searches
// keep reading the old catalogue until the import commits), and sizes the
// vector column for the embedder.
func (p *importPlan) clear(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(727100)`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		DROP INDEX IF EXISTS procedure_vectors_embedding_idx;
		DELETE FROM procedure_vectors;
		DELETE FROM procedure_chunks;
		DELETE FROM procedure_entries;
		DELETE FROM procedure_terms`); err != nil {
		return err
	}
	// The column's dimension follows the embedder; the value is an
	// integer we computed, not input.
	_, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE procedure_vectors ALTER COLUMN embedding TYPE vector(%d)`, p.dim))
	return err
}

func (p *importPlan) insertEntries(ctx context.Context, tx pgx.Tx) error {
	batch := &pgx.Batch{}
	for i := range p.entries {
		e := &p.entries[i]
		batch.Queue(`INSERT INTO procedure_entries (slug, name, grp, kind, online, checked_on, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			e.Slug, e.Name, e.Group, string(e.Kind), string(e.Online), e.Source.CheckedOn, p.bodies[i])
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("insert entries: %w", err)
	}
	return nil
}

// copyChunks copies the chunks and their vectors. The chunks were all
// deleted, so their ids can be numbered here and the vectors copied with
// the same numbers.
func (p *importPlan) copyChunks(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"procedure_chunks"},
		[]string{"id", "slug", "section", "ord", "body", "folded"},
		pgx.CopyFromSlice(len(p.rows), func(i int) ([]any, error) {
			r := p.rows[i]
			return []any{int64(i + 1), r.slug, r.Section, r.ord, r.Body, r.Folded}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy chunks: %w", err)
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"procedure_vectors"},
		[]string{"chunk_id", "embedding"},
		pgx.CopyFromSlice(len(p.rows), func(i int) ([]any, error) {
			return []any{int64(i + 1), pgvector.NewVector(p.vectors[i])}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy vectors: %w", err)
	}
	return nil
}

// insertTerms stores the term counts and the entries' names.
func (p *importPlan) insertTerms(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `INSERT INTO procedure_terms (term, chunks) SELECT * FROM unnest($1::text[], $2::int[])`, p.terms, p.termChunks); err != nil {
		return fmt.Errorf("insert terms: %w", err)
	}
	var nameSlugs, names []string
	for i := range p.entries {
		for _, n := range entryNames(&p.entries[i]) {
			nameSlugs = append(nameSlugs, p.entries[i].Slug)
			names = append(names, n)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO procedure_names (slug, folded)
		SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, nameSlugs, names); err != nil {
		return fmt.Errorf("insert names: %w", err)
	}
	return nil
}

// buildIndex builds the vector index, with enough memory for the graph of
// a large catalogue to be built in memory, for this transaction only.
func (p *importPlan) buildIndex(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '512MB'`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE INDEX procedure_vectors_embedding_idx ON procedure_vectors USING hnsw (embedding vector_cosine_ops)`); err != nil {
		return fmt.Errorf("build vector index: %w", err)
	}
	return nil
}
