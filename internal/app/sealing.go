package app

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/ocr"
)

// SealPlain is the step of migration 01901 (database.MigrateSealing): it
// seals the personal data stored in plain text before it was sealed at
// rest (reports' contacts, OCR readings, the guide's tables), in short
// transactions.
func SealPlain(pool *pgxpool.Pool, sealer *seal.Sealer) func(context.Context) error {
	return func(ctx context.Context) error {
		if _, err := reports.SealContacts(ctx, pool, sealer); err != nil {
			return err
		}
		if _, err := ocr.SealPlain(ctx, pool, sealer); err != nil {
			return err
		}
		_, err := assistant.SealPlain(ctx, pool, sealer)
		return err
	}
}
