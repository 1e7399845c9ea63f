package dossiers

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/audit"
)

// EraseKioskSession deletes, in tx, the draft dossiers a kiosk session left
// unsubmitted, with their fields and attachments, and returns the files to
// remove once tx commits (those no remaining dossier shares). Submitted
// dossiers are kept. It implements the kiosk package's Eraser.
func (s *Service) EraseKioskSession(ctx context.Context, tx pgx.Tx, kioskSessionID string) ([]string, error) {
	var shas []string
	err := tx.QueryRow(ctx, `
		SELECT coalesce(array_agg(DISTINCT a.sha256), '{}')
		FROM dossier_attachments a JOIN dossiers d ON d.id = a.dossier_id
		WHERE d.kiosk_session_id = $1 AND d.status = 'draft'`, kioskSessionID).Scan(&shas)
	if err != nil {
		return nil, fmt.Errorf("erase kiosk session: %w", err)
	}
	rows, err := tx.Query(ctx, `
		DELETE FROM dossiers WHERE kiosk_session_id = $1 AND status = 'draft'
		RETURNING id::text, ward`, kioskSessionID)
	if err != nil {
		return nil, fmt.Errorf("erase kiosk session: %w", err)
	}
	type gone struct{ id, ward string }
	erased, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (gone, error) {
		var g gone
		return g, r.Scan(&g.id, &g.ward)
	})
	if err != nil {
		return nil, fmt.Errorf("erase kiosk session: %w", err)
	}
	for _, g := range erased {
		if err := audit.Record(ctx, tx, audit.Entry{Actor: audit.Actor{Role: "kiosk"}, Action: "dossier.erased",
			SubjectKind: "dossier", SubjectID: g.id, Ward: g.ward,
			Details: map[string]any{"kiosk_session_id": kioskSessionID}}); err != nil {
			return nil, err
		}
	}
	// Fields and attachment rows went with their dossiers (ON DELETE
	// CASCADE); a file goes too unless another dossier holds the same scan.
	rows, err = tx.Query(ctx, `
		SELECT sha FROM unnest($1::text[]) AS sha
		WHERE NOT EXISTS (SELECT 1 FROM dossier_attachments WHERE sha256 = sha)`, shas)
	if err != nil {
		return nil, fmt.Errorf("erase kiosk session: %w", err)
	}
	unused, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	files := make([]string, len(unused))
	for i, sha := range unused {
		files[i] = s.files.path(sha)
	}
	return files, nil
}
