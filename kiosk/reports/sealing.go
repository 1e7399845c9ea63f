package reports

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/seal"
)

// SealContacts seals the contacts stored in the clear before migration
// 01050 and empties the plain column, in batches; it returns how many it
// sealed. It is part of migration 01901 (app.SealPlain): the key never
// reaches the database, and 01902 then drops the plain column.
func SealContacts(ctx context.Context, pool *pgxpool.Pool, sealer *seal.Sealer) (int, error) {
	n, err := sealer.SealPlain(ctx, pool, seal.Plain{
		Select: `SELECT id, code, contact FROM reports WHERE contact IS NOT NULL
			ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED`,
		Update: `UPDATE reports SET contact_sealed = $3, contact = NULL WHERE id = $1 AND code = $2`,
		Seal: func(s *seal.Sealer, _, code, contact string) ([]byte, error) {
			return s.Seal(contact, contactContext(code)), nil
		},
	})
	if err != nil {
		return n, fmt.Errorf("seal contacts: %w", err)
	}
	return n, nil
}

// SealedColumns name the reports' sealed column and its context, for
// station rekey.
func SealedColumns() []seal.Column {
	return []seal.Column{{Table: "reports", Column: "contact_sealed", Keys: []string{"code"},
		Context: func(k []string) string { return contactContext(k[0]) }}}
}
