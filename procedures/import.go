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
	entries = withLearned(entries, learned)
	bodies := make([][]byte, len(entries))
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n%d\n", c.embedder.Name(), indexVersion)
	for i := range entries {
		b, err := json.Marshal(&entries[i])
		if err != nil {
			return rep, fmt.Errorf("import: encode %s: %w", entries[i].Slug, err)
		}
		bodies[i] = b
		sum.Write(b)
		sum.Write([]byte("\n"))
	}
	contentSHA := hex.EncodeToString(sum.Sum(nil))

	var current struct {
		sha     string
		version int64
		dim     int
		chunks  int
	}
	err = c.pool.QueryRow(ctx, `SELECT content_sha, version, dimension, chunks FROM procedure_catalogue`).
		Scan(&current.sha, &current.version, &current.dim, &current.chunks)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return rep, fmt.Errorf("import: read current catalogue: %w", err)
	}
	if current.sha == contentSHA {
		rep.Unchanged, rep.Version, rep.Dimension, rep.Chunks = true, current.version, current.dim, current.chunks
		return rep, nil
	}

	// Embed before the transaction: a remote embedder may take a while and
	// the transaction should stay short.
	type row struct {
		slug string
		ord  int
		chunk
	}
	var rows []row
	var texts []string
	for i := range entries {
		for j, ch := range chunks(&entries[i]) {
			rows = append(rows, row{entries[i].Slug, j, ch})
			texts = append(texts, ch.Text) // with diacritics: a model embedder needs them
		}
	}
	vectors, err := c.embedder.EmbedDocuments(ctx, texts)
	if err != nil {
		return rep, fmt.Errorf("import: embed with %s: %w", c.embedder.Name(), err)
	}
	if len(vectors) != len(texts) {
		return rep, fmt.Errorf("import: embedder %s returned %d vectors for %d texts", c.embedder.Name(), len(vectors), len(texts))
	}
	dim := len(vectors[0])
	for i, v := range vectors {
		if len(v) != dim || dim == 0 {
			return rep, fmt.Errorf("import: embedder %s returned vectors of %d and %d dimensions", c.embedder.Name(), dim, len(vectors[i]))
		}
	}
	if dim > maxDimension {
		return rep, fmt.Errorf("import: embedder %s makes %d-dimensional vectors; the HNSW index takes at most %d", c.embedder.Name(), dim, maxDimension)
	}
	rep.Dimension, rep.Chunks = dim, len(rows)

	// Each term and the number of chunks that hold it.
	terms := map[string]int{}
	for _, r := range rows {
		seen := map[string]bool{}
		for _, w := range searchWords(r.Folded) {
			if !seen[w] {
				seen[w] = true
				terms[w]++
			}
		}
	}
	termList := make([]string, 0, len(terms))
	for t := range terms {
		termList = append(termList, t)
	}
	sort.Strings(termList)
	termChunks := make([]int32, len(termList))
	for i, t := range termList {
		termChunks[i] = int32(terms[t])
	}

	err = pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		// One import at a time; searches keep reading the old catalogue
		// until this commits.
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
		if _, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE procedure_vectors ALTER COLUMN embedding TYPE vector(%d)`, dim)); err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for i := range entries {
			e := &entries[i]
			batch.Queue(`INSERT INTO procedure_entries (slug, name, grp, kind, online, checked_on, body)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				e.Slug, e.Name, e.Group, string(e.Kind), string(e.Online), e.Source.CheckedOn, bodies[i])
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("insert entries: %w", err)
		}
		// The chunks were all deleted, so their ids can be numbered here
		// and the vectors copied with the same numbers.
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"procedure_chunks"},
			[]string{"id", "slug", "section", "ord", "body", "folded"},
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				r := rows[i]
				return []any{int64(i + 1), r.slug, r.Section, r.ord, r.Body, r.Folded}, nil
			}))
		if err != nil {
			return fmt.Errorf("copy chunks: %w", err)
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"procedure_vectors"},
			[]string{"chunk_id", "embedding"},
			pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
				return []any{int64(i + 1), pgvector.NewVector(vectors[i])}, nil
			}))
		if err != nil {
			return fmt.Errorf("copy vectors: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO procedure_terms (term, chunks) SELECT * FROM unnest($1::text[], $2::int[])`, termList, termChunks); err != nil {
			return fmt.Errorf("insert terms: %w", err)
		}
		var nameSlugs, names []string
		for i := range entries {
			for _, n := range entryNames(&entries[i]) {
				nameSlugs = append(nameSlugs, entries[i].Slug)
				names = append(names, n)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO procedure_names (slug, folded)
			SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, nameSlugs, names); err != nil {
			return fmt.Errorf("insert names: %w", err)
		}
		// Enough memory for the graph of a large catalogue to be built
		// in memory, for this transaction only.
		if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '512MB'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE INDEX procedure_vectors_embedding_idx ON procedure_vectors USING hnsw (embedding vector_cosine_ops)`); err != nil {
			return fmt.Errorf("build vector index: %w", err)
		}
		return tx.QueryRow(ctx, `
			INSERT INTO procedure_catalogue (version, content_sha, embedder, dimension, entries, chunks)
			VALUES (1, $1, $2, $3, $4, $5)
			ON CONFLICT (id) DO UPDATE SET version = procedure_catalogue.version + 1,
				content_sha = EXCLUDED.content_sha, embedder = EXCLUDED.embedder,
				dimension = EXCLUDED.dimension, entries = EXCLUDED.entries,
				chunks = EXCLUDED.chunks, imported_at = now()
			RETURNING version`,
			contentSHA, c.embedder.Name(), dim, len(entries), len(rows)).Scan(&rep.Version)
	})
	if err != nil {
		return rep, fmt.Errorf("import: %w", err)
	}
	return rep, nil
}
