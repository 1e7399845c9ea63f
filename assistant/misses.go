package assistant

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/pii"
	"github.com/citizenstation/citizenstation/procedures"
)

// Learning from misses: every opening that ends without a procedure (none
// found, or the resident said none of the candidates fits) or that the
// resident abandons at the list of candidates is kept, masked, for staff
// to see as "Câu hỏi chưa hiểu". A staff member with catalogue rights
// teaches the catalogue the phrase as an alias or an example of an entry
// (audited); search knows it at once, and the confirmed pairs become an
// eval suite (station misses export).

// Kinds of miss.
const (
	MissNotFound  = "not_found"
	MissNoneFits  = "none_of_these"
	MissAbandoned = "abandoned"
	MissDismissed = "dismissed" // resolved without teaching anything
)

// Miss is an opening the guide did not understand.
type Miss struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"`
	Text         string     `json:"text"` // masked
	StationID    string     `json:"station_id,omitempty"`
	Offered      []string   `json:"offered"`
	CreatedAt    time.Time  `json:"created_at"`
	ResolvedAt   *time.Time `json:"resolved_at,omitempty"`
	ResolvedSlug string     `json:"resolved_slug,omitempty"`
	ResolvedAs   string     `json:"resolved_as,omitempty"`
}

// Teacher is what the catalogue offers to learn a phrase; the procedures
// catalogue implements it.
type Teacher interface {
	Learn(ctx context.Context, tx pgx.Tx, by audit.Actor, p procedures.LearnedPhrase) error
	Reindex(ctx context.Context) (procedures.ImportReport, error)
	List(ctx context.Context, f procedures.ListFilter) ([]procedures.Entry, error)
}

// nameRe finds what looks like a person's name: two or more capitalised
// words in a row ("Nguyễn Thị Lan").
var nameRe = regexp.MustCompile(`\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*)+`)

// maskOpening hides ID and phone numbers and names in an opening before
// it is kept.
func maskOpening(s string) string {
	s = pii.Mask(strings.TrimSpace(s))
	return nameRe.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(s, m) && len(strings.Fields(m)) == 2 {
			return m // a sentence's first word and one more: "Tôi Muốn" is rarer than a name, but "Bác Cần" is no name either
		}
		return "[tên]"
	})
}

// recordMiss keeps an opening the guide did not understand; a failure is
// logged and never fails the turn.
func (t answerer) recordMiss(ctx context.Context, kind, text string, offered []ProcedureRef) {
	if strings.TrimSpace(text) == "" {
		return
	}
	if err := t.svc.store.addMiss(ctx, t.svc.store.pool, kind, text, t.sess.StationID, offered); err != nil {
		t.svc.log.Warn("assistant miss not recorded", "session", t.sess.ID, "err", err)
	}
}

// addMiss stores a miss through db (the pool, or the transaction that
// deletes the session it came from).
func (s *Store) addMiss(ctx context.Context, db audit.Execer, kind, text, station string, offered []ProcedureRef) error {
	slugs := make([]string, 0, len(offered))
	for _, o := range offered {
		slugs = append(slugs, o.Slug)
	}
	masked := []rune(maskOpening(text))
	if len(masked) > 500 {
		masked = masked[:500]
	}
	_, err := db.Exec(ctx, `INSERT INTO assistant_misses (kind, text, station_id, offered) VALUES ($1, $2, NULLIF($3, ''), $4)`,
		kind, string(masked), station, slugs)
	return err
}

// LearnedPair is a confirmed opening and the entry it asks for.
type LearnedPair struct {
	Text string
	Slug string
	Kind string
}

// Misses lists the openings not yet resolved, newest first.
func (s *Service) Misses(ctx context.Context, limit int) ([]Miss, error) {
	if limit < 1 || limit > 500 {
		limit = 200
	}
	rows, err := s.store.pool.Query(ctx, `
		SELECT id, kind, text, coalesce(station_id, ''), offered, created_at, resolved_at, coalesce(resolved_slug, ''), coalesce(resolved_as, '')
		FROM assistant_misses WHERE resolved_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("misses: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Miss])
}

// ResolveMiss teaches the catalogue miss id's text as an alias or an
// example of entry slug, or dismisses it (as = "dismissed"), in one
// transaction with its audit entry; then search is re-indexed.
func (s *Service) ResolveMiss(ctx context.Context, by audit.Actor, id int64, slug, as string) error {
	if s.teacher == nil {
		return apperr.New(apperr.Unavailable, "catalogue_readonly", "Danh mục thủ tục không nhận thêm câu lúc này.")
	}
	if as != procedures.PhraseAlias && as != procedures.PhraseExample && as != MissDismissed {
		return apperr.New(apperr.Invalid, "resolution_invalid", "Chọn “tên gọi khác”, “câu ví dụ” hoặc “bỏ qua”.")
	}
	if as == MissDismissed {
		slug = ""
	}
	err := pgx.BeginFunc(ctx, s.store.pool, func(tx pgx.Tx) error {
		var text string
		err := tx.QueryRow(ctx, `
			UPDATE assistant_misses SET resolved_at = now(), resolved_by = $2, resolved_slug = NULLIF($3, ''), resolved_as = $4
			WHERE id = $1 AND resolved_at IS NULL RETURNING text`, id, by.Username, slug, as).Scan(&text)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "miss_not_found", "Không tìm thấy câu này, hoặc đã có người xử lý.")
		}
		if err != nil {
			return err
		}
		if as == MissDismissed {
			return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "assistant_miss.dismiss", SubjectKind: "assistant_miss", SubjectID: fmt.Sprint(id)})
		}
		return s.teacher.Learn(ctx, tx, by, procedures.LearnedPhrase{Slug: slug, Phrase: text, Kind: as, MissID: &id})
	})
	if err != nil || as == MissDismissed {
		return err
	}
	if _, err := s.teacher.Reindex(ctx); err != nil {
		return fmt.Errorf("reindex after learning: %w", err)
	}
	return nil
}

// LearnedPairs lists what staff confirmed, oldest first: the eval suite of
// station misses export.
func LearnedPairs(ctx context.Context, pool *pgxpool.Pool) ([]LearnedPair, error) {
	rows, err := pool.Query(ctx, `
		SELECT text, resolved_slug, resolved_as FROM assistant_misses
		WHERE resolved_as IN ('alias', 'example') ORDER BY resolved_at, id`)
	if err != nil {
		return nil, fmt.Errorf("learned pairs: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[LearnedPair])
}

// LearnedSuite writes the confirmed pairs as an eval suite (the format of
// evals/suites): each opening must offer its entry among the candidates.
func LearnedSuite(pairs []LearnedPair) []byte {
	var b strings.Builder
	b.WriteString("# Openings the guide once missed, taught by staff from \"Câu hỏi chưa hiểu\"\n")
	b.WriteString("# (written by station misses export; each must now offer its procedure).\n")
	b.WriteString("name: learned\ndescription: \"Câu hỏi chưa hiểu mà cán bộ đã dạy cho danh mục\"\nthreshold: 1\nproviders:\n  - id: guide\ntests:\n")
	for _, p := range pairs {
		fmt.Fprintf(&b, "  - description: %s\n    turns:\n      - text: %s\n        assert:\n          - {type: stage, value: \"confirm\"}\n          - {type: choices, value: [%s]}\n",
			strconv.Quote(p.Kind+": "+p.Text), strconv.Quote(p.Text), strconv.Quote("p:"+p.Slug))
	}
	return []byte(b.String())
}
