package seal

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/database"
)

// Plain is a column of values stored in the clear before sealing came in,
// for a migration to seal where they stand.
type Plain struct {
	// Select reads a short batch of the rows still in the clear, locked
	// (FOR UPDATE SKIP LOCKED): two key columns and the plain value, all
	// text.
	Select string
	// Update stores the sealed value ($3) of the row whose keys are $1 and
	// $2, and empties its plain column.
	Update string
	// Seal seals a row's plain value with s: the keys make its context.
	Seal func(s *Sealer, key1, key2, plain string) ([]byte, error)
}

// SealPlain seals p's values in short transactions (database.InBatches)
// until none is left in the clear, and returns how many it sealed.
func (s *Sealer) SealPlain(ctx context.Context, pool *pgxpool.Pool, p Plain) (int, error) {
	return database.InBatches(ctx, pool, func(ctx context.Context, tx pgx.Tx) (int, error) {
		rows, err := tx.Query(ctx, p.Select)
		if err != nil {
			return 0, err
		}
		type row struct{ key1, key2, plain string }
		todo, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (v row, err error) {
			return v, r.Scan(&v.key1, &v.key2, &v.plain)
		})
		if err != nil {
			return 0, err
		}
		for _, v := range todo {
			sealed, err := p.Seal(s, v.key1, v.key2, v.plain)
			if err != nil {
				return 0, err
			}
			if _, err := tx.Exec(ctx, p.Update, v.key1, v.key2, sealed); err != nil {
				return 0, err
			}
		}
		return len(todo), nil
	})
}
