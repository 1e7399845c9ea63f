package seal

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/database"
)

// rekeyBatch is how many values one transaction seals again.
const rekeyBatch = 200

// Rekey seals every value of col that is not sealed under the current key
// again under it, opening it with any configured key, in short
// transactions of a few hundred rows. It returns how many it sealed. A run
// stopped half-way carries on where it stopped, and a second run finds
// nothing to do: only values under another key are picked. A value no
// configured key opens stops it with an error naming the column.
func (s *Sealer) Rekey(ctx context.Context, pool *pgxpool.Pool, col Column) (int, error) {
	keys := "''"
	if len(col.Keys) > 0 {
		keys = strings.Join(col.Keys, ", ")
	}
	// The row's ctid is stable while this transaction holds its lock.
	query := fmt.Sprintf(`SELECT ctid::text, %s, %s FROM %s
		WHERE %s IS NOT NULL AND get_byte(%s, 0) <> $1 LIMIT %d FOR UPDATE`,
		col.Column, keys, col.Table, col.Column, col.Column, rekeyBatch)
	update := fmt.Sprintf(`UPDATE %s SET %s = $2 WHERE ctid = $1::tid`, col.Table, col.Column)
	n, err := database.InBatches(ctx, pool, func(ctx context.Context, tx pgx.Tx) (int, error) {
		rows, err := tx.Query(ctx, query, int(s.keys[0].id))
		if err != nil {
			return 0, err
		}
		type value struct {
			ctid   string
			sealed []byte
			keys   []string
		}
		todo, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (v value, err error) {
			v.keys = make([]string, max(len(col.Keys), 1))
			dest := []any{&v.ctid, &v.sealed}
			for i := range v.keys {
				dest = append(dest, &v.keys[i])
			}
			return v, row.Scan(dest...)
		})
		if err != nil {
			return 0, err
		}
		for _, v := range todo {
			where := col.Context(v.keys)
			plain, err := s.Open(v.sealed, where)
			if err != nil {
				return 0, fmt.Errorf("value of %s at %s: %w", col.Table, where, err)
			}
			if _, err := tx.Exec(ctx, update, v.ctid, s.Seal(plain, where)); err != nil {
				return 0, err
			}
		}
		return len(todo), nil
	})
	if err != nil {
		return n, fmt.Errorf("rekey %s: %w", col, err)
	}
	return n, nil
}

// Stale counts the values of col not sealed under the current key.
func (s *Sealer) Stale(ctx context.Context, pool *pgxpool.Pool, col Column) (int, error) {
	var n int
	err := pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s IS NOT NULL AND get_byte(%s, 0) <> $1`,
		col.Table, col.Column, col.Column), int(s.keys[0].id)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", col, err)
	}
	return n, nil
}
