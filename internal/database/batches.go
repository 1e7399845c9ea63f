package database

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// InBatches runs batch, each time in a short transaction of its own, until
// a batch handles no row, and returns how many rows were handled in all.
// Work over many rows (sealing, rekeying) so holds no lock for long, and a
// run that stopped carries on where it stopped, provided each batch picks
// only rows not yet done.
func InBatches(ctx context.Context, pool *pgxpool.Pool, batch func(ctx context.Context, tx pgx.Tx) (int, error)) (int, error) {
	total := 0
	for {
		var n int
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) (err error) {
			n, err = batch(ctx, tx)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}
