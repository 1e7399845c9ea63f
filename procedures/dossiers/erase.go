package dossiers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/jobs"
)

// EraseKioskSession deletes, in tx, the draft dossiers a kiosk session left
// unsubmitted, with their fields and attachments, and returns the files to
// remove once tx commits (those no remaining dossier shares). Submitted
// dossiers are kept. It implements the kiosk package's Eraser.
func (s *Service) EraseKioskSession(ctx context.Context, tx pgx.Tx, kioskSessionID string) ([]string, error) {
	_, files, err := s.eraseDrafts(ctx, tx, audit.Actor{Role: "kiosk"},
		map[string]any{"kiosk_session_id": kioskSessionID}, `kiosk_session_id = $1`, kioskSessionID)
	return files, err
}

// PurgeDrafts deletes the drafts nobody has touched for olderThan — filed
// without a kiosk session, or left by a kiosk that never ended its session —
// with their files, so that personal data nobody submitted does not stay.
// It returns how many it deleted. station serve runs it every hour through
// PurgeJob; station dossiers purge runs it by hand.
func (s *Service) PurgeDrafts(ctx context.Context, olderThan time.Duration) (int, error) {
	var (
		n     int
		files []string
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		n, files, err = s.eraseDrafts(ctx, tx, audit.Actor{Role: "system"},
			map[string]any{"reason": "abandoned draft"}, `updated_at < $1`, time.Now().Add(-olderThan))
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("remove %s: %w", f, err)
		}
	}
	return n, nil
}

// eraseDrafts deletes in tx the drafts matching cond (over args), audits
// each, and returns how many went and the files no remaining dossier uses.
func (s *Service) eraseDrafts(ctx context.Context, tx pgx.Tx, by audit.Actor, details map[string]any, cond string, args ...any) (int, []string, error) {
	fail := func(err error) (int, []string, error) { return 0, nil, fmt.Errorf("erase drafts: %w", err) }
	var shas []string
	err := tx.QueryRow(ctx, `
		SELECT coalesce(array_agg(DISTINCT a.sha256), '{}')
		FROM dossier_attachments a JOIN dossiers d ON d.id = a.dossier_id
		WHERE d.status = 'draft' AND d.`+cond, args...).Scan(&shas)
	if err != nil {
		return fail(err)
	}
	rows, err := tx.Query(ctx, `DELETE FROM dossiers WHERE status = 'draft' AND `+cond+` RETURNING id::text, ward`, args...)
	if err != nil {
		return fail(err)
	}
	type gone struct{ id, ward string }
	erased, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (gone, error) {
		var g gone
		return g, r.Scan(&g.id, &g.ward)
	})
	if err != nil {
		return fail(err)
	}
	for _, g := range erased {
		if err := audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "dossier.erased",
			SubjectKind: "dossier", SubjectID: g.id, Ward: g.ward, Details: details}); err != nil {
			return 0, nil, err
		}
	}
	// Fields and attachment rows went with their dossiers (ON DELETE
	// CASCADE); a file goes too unless another dossier holds the same scan.
	rows, err = tx.Query(ctx, `
		SELECT sha FROM unnest($1::text[]) AS sha
		WHERE NOT EXISTS (SELECT 1 FROM dossier_attachments WHERE sha256 = sha)`, shas)
	if err != nil {
		return fail(err)
	}
	unused, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fail(err)
	}
	files := make([]string, len(unused))
	for i, sha := range unused {
		files[i] = s.files.path(sha)
	}
	return len(erased), files, nil
}

// PurgeJob is the hourly sweep that deletes drafts untouched for a week.
func (s *Service) PurgeJob() jobs.Sweep {
	return jobs.Sweep{Name: "dossiers-purge-drafts", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := s.PurgeDrafts(ctx, 7*24*time.Hour)
		return err
	}}
}
