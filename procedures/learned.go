package procedures

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Learned phrases: what staff taught the catalogue from openings the guide
// did not understand. They live apart from the shipped entries
// (procedure_learned_phrases) and join an entry's aliases at every import,
// so search knows them at once and a new import keeps them.

// Phrase kinds: an alias is a name residents use for the procedure; an
// example is a whole sentence that asks for it. Search treats both as
// aliases; the evals tell them apart.
const (
	PhraseAlias   = "alias"
	PhraseExample = "example"
)

// LearnedPhrase is one phrase staff taught an entry.
type LearnedPhrase struct {
	Slug   string `json:"slug"`
	Phrase string `json:"phrase"`
	Kind   string `json:"kind"`
	MissID *int64 `json:"miss_id,omitempty"`
}

// Learn adds phrase to entry slug's aliases, in tx, and records it in the
// audit log; the caller re-indexes with Reindex after committing.
func (c *Catalogue) Learn(ctx context.Context, tx pgx.Tx, by audit.Actor, p LearnedPhrase) error {
	p.Phrase = strings.Join(strings.Fields(vietnamese.NFC(p.Phrase)), " ")
	if p.Phrase == "" || len([]rune(p.Phrase)) > 500 {
		return apperr.New(apperr.Invalid, "phrase_invalid", "Câu cần dạy phải có từ 1 đến 500 ký tự.")
	}
	if p.Kind != PhraseAlias && p.Kind != PhraseExample {
		return apperr.New(apperr.Invalid, "phrase_kind_invalid", "Chọn “tên gọi khác” hoặc “câu ví dụ”.")
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM procedure_entries WHERE slug = $1)`, p.Slug).Scan(&exists); err != nil {
		return fmt.Errorf("learn: %w", err)
	}
	if !exists {
		return apperr.New(apperr.NotFound, "procedure_not_found", "Không tìm thấy thủ tục này.")
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO procedure_learned_phrases (slug, phrase, kind, miss_id, added_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (slug, phrase) DO NOTHING`, p.Slug, p.Phrase, p.Kind, p.MissID, by.Username); err != nil {
		return fmt.Errorf("learn: %w", err)
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "catalogue.learn", SubjectKind: "procedure", SubjectID: p.Slug,
		Details: map[string]any{"phrase": p.Phrase, "kind": p.Kind}})
}

// Reindex imports the stored entries again, with every learned phrase, so
// that search knows what was just taught.
func (c *Catalogue) Reindex(ctx context.Context) (ImportReport, error) {
	entries, err := c.List(ctx, ListFilter{})
	if err != nil {
		return ImportReport{}, err
	}
	return c.Import(ctx, entries)
}

// LearnedPhrases lists what staff taught, by entry, oldest first.
func (c *Catalogue) LearnedPhrases(ctx context.Context) ([]LearnedPhrase, error) {
	rows, err := c.pool.Query(ctx, `SELECT slug, phrase, kind, miss_id FROM procedure_learned_phrases ORDER BY slug, added_at, phrase`)
	if err != nil {
		return nil, fmt.Errorf("learned phrases: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (LearnedPhrase, error) {
		var p LearnedPhrase
		err := r.Scan(&p.Slug, &p.Phrase, &p.Kind, &p.MissID)
		return p, err
	})
}

// withLearned returns entries with the learned phrases added to their
// aliases (once each).
func withLearned(entries []Entry, learned []LearnedPhrase) []Entry {
	if len(learned) == 0 {
		return entries
	}
	out := slices.Clone(entries)
	for i := range out {
		for _, p := range learned {
			if p.Slug == out[i].Slug && !slices.Contains(out[i].Aliases, p.Phrase) {
				out[i].Aliases = append(slices.Clip(out[i].Aliases), p.Phrase)
			}
		}
	}
	return out
}
