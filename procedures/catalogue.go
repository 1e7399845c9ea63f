package procedures

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Catalogue is the procedure catalogue as stored in PostgreSQL: entries to
// read, and the search residents use to find them. It keeps no state of its
// own beyond its settings, so every replica answers the same.
type Catalogue struct {
	pool     *pgxpool.Pool
	embedder Embedder
	synonyms *Synonyms
	vocab    atomic.Pointer[vocabulary] // of the last import seen; see vocabulary
}

// New returns the catalogue stored in pool, searched with embedder and the
// shipped synonym lists.
func New(pool *pgxpool.Pool, embedder Embedder) (*Catalogue, error) {
	syn, err := ShippedSynonyms()
	if err != nil {
		return nil, err
	}
	return &Catalogue{pool: pool, embedder: embedder, synonyms: syn}, nil
}

// Get returns the entry with the given slug, or an apperr NotFound.
func (c *Catalogue) Get(ctx context.Context, slug string) (*Entry, error) {
	var body []byte
	err := c.pool.QueryRow(ctx, `SELECT body FROM procedure_entries WHERE slug = $1`, slug).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "procedure_not_found", "Không tìm thấy thủ tục này.")
	}
	if err != nil {
		return nil, fmt.Errorf("get procedure %q: %w", slug, err)
	}
	var e Entry
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("decode procedure %q: %w", slug, err)
	}
	return &e, nil
}

// List returns the entries that match f, by group then slug.
func (c *Catalogue) List(ctx context.Context, f ListFilter) ([]Entry, error) {
	rows, err := c.pool.Query(ctx, `
		SELECT body FROM procedure_entries
		WHERE ($1 = '' OR grp = $1) AND ($2 = '' OR kind = $2)
		ORDER BY grp, slug`, f.Group, string(f.Kind))
	if err != nil {
		return nil, fmt.Errorf("list procedures: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var body []byte
		var e Entry
		if err := r.Scan(&body); err != nil {
			return e, err
		}
		return e, json.Unmarshal(body, &e)
	})
	if err != nil {
		return nil, fmt.Errorf("list procedures: %w", err)
	}
	return entries, nil
}

// Status is what the current import recorded.
type Status struct {
	Version   int64
	Embedder  string
	Dimension int
	Entries   int
	Chunks    int
}

// Status returns the current import's record, or an apperr Unavailable
// when nothing was imported yet.
func (c *Catalogue) Status(ctx context.Context) (Status, error) {
	var s Status
	err := c.pool.QueryRow(ctx, `SELECT version, embedder, dimension, entries, chunks FROM procedure_catalogue`).
		Scan(&s.Version, &s.Embedder, &s.Dimension, &s.Entries, &s.Chunks)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, errNotImported()
	}
	if err != nil {
		return s, fmt.Errorf("catalogue status: %w", err)
	}
	return s, nil
}

// errNotImported is what callers see before the first import.
func errNotImported() error {
	return apperr.New(apperr.Unavailable, "catalogue_not_imported",
		"Danh mục thủ tục chưa được nạp. Xin báo cán bộ phụ trách (chạy station import).")
}

// MaxQueryLength is the longest query, in characters, search accepts.
const MaxQueryLength = 500

// CheckQuery returns the query in NFC, or an apperr Invalid saying in
// Vietnamese what is wrong with it.
func CheckQuery(q string) (string, error) {
	if !utf8.ValidString(q) {
		return "", apperr.New(apperr.Invalid, "query_invalid_encoding", "Câu hỏi có ký tự không đọc được. Xin gõ lại.")
	}
	q = strings.TrimSpace(vietnamese.NFC(q))
	if q == "" {
		return "", apperr.New(apperr.Invalid, "query_empty", "Xin nhập điều bạn cần tìm.")
	}
	if utf8.RuneCountInString(q) > MaxQueryLength {
		return "", apperr.New(apperr.Invalid, "query_too_long",
			fmt.Sprintf("Câu hỏi quá dài (tối đa %d ký tự). Xin viết ngắn gọn hơn.", MaxQueryLength))
	}
	return q, nil
}

// Check reports whether the catalogue is imported and was embedded by this
// catalogue's embedder, for the readiness probe.
func (c *Catalogue) Check(ctx context.Context) error {
	s, err := c.Status(ctx)
	if err != nil {
		return err
	}
	if s.Embedder != c.embedder.Name() {
		return mismatch(fmt.Errorf("catalogue embedded by %s, configured embedder is %s", s.Embedder, c.embedder.Name()))
	}
	return nil
}
