package dossiers

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/seal"
)

// SealedColumns name the dossiers' sealed columns and their contexts, for
// station rekey; the verification digests are made again by RekeyDigests.
func SealedColumns() []seal.Column {
	field := func(k []string) string { return fieldContext(k[0], k[1]) }
	return []seal.Column{
		{Table: "dossier_fields", Column: "value_sealed", Keys: []string{"dossier_id::text", "name"}, Context: field},
		{Table: "dossier_field_history", Column: "value_sealed", Keys: []string{"dossier_id::text", "name"}, Context: field},
		{Table: "data_key_check", Column: "sealed", Context: func([]string) string { return "key-check" }},
	}
}

// RekeyDigests makes every dossier's verification digests again under the
// current key, in batches of a hundred dossiers: a digest that matches the
// last four digits of one of the dossier's sealed values under a previous
// key is replaced by the same digits' digest under the current key. Run
// it again and nothing changes. It returns how many dossiers changed.
func RekeyDigests(ctx context.Context, pool *pgxpool.Pool, sealer *seal.Sealer) (int, error) {
	after, changed := "00000000-0000-0000-0000-000000000000", 0
	_, err := database.InBatches(ctx, pool, func(ctx context.Context, tx pgx.Tx) (int, error) {
		rows, err := tx.Query(ctx, `SELECT id::text, verify_digests FROM dossiers
			WHERE id > $1::uuid AND cardinality(verify_digests) > 0 ORDER BY id LIMIT 100 FOR UPDATE`, after)
		if err != nil {
			return 0, err
		}
		type dossier struct {
			id      string
			digests [][]byte
		}
		todo, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (d dossier, err error) {
			return d, row.Scan(&d.id, &d.digests)
		})
		if err != nil || len(todo) == 0 {
			return 0, err
		}
		for _, d := range todo {
			ok, err := rekeyDigests(ctx, tx, sealer, d.id, d.digests)
			if err != nil {
				return 0, fmt.Errorf("dossier %s: %w", d.id, err)
			}
			if ok {
				changed++
			}
		}
		after = todo[len(todo)-1].id
		return len(todo), nil
	})
	if err != nil {
		return changed, fmt.Errorf("rekey verification digests: %w", err)
	}
	return changed, nil
}

// rekeyDigests replaces, in tx, the digests of dossier id made under a
// previous key, and reports whether any was.
func rekeyDigests(ctx context.Context, tx pgx.Tx, sealer *seal.Sealer, id string, digests [][]byte) (bool, error) {
	rows, err := tx.Query(ctx, `SELECT name, value_sealed FROM dossier_fields WHERE dossier_id = $1::uuid AND value_sealed IS NOT NULL`, id)
	if err != nil {
		return false, err
	}
	type field struct {
		name   string
		sealed []byte
	}
	fields, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (f field, err error) {
		return f, row.Scan(&f.name, &f.sealed)
	})
	if err != nil {
		return false, err
	}
	changed := false
	for _, f := range fields {
		v, err := sealer.Open(f.sealed, fieldContext(id, f.name))
		if err != nil {
			return false, fmt.Errorf("field %s: %w", f.name, err)
		}
		if len(v) < 4 {
			continue
		}
		under := sealer.Digests(id, v[len(v)-4:])
		for i, got := range digests {
			for _, old := range under[1:] {
				if string(got) == string(old) {
					digests[i], changed = under[0], true
				}
			}
		}
	}
	if !changed {
		return false, nil
	}
	_, err = tx.Exec(ctx, `UPDATE dossiers SET verify_digests = $2 WHERE id = $1::uuid`, id, digests)
	return true, err
}
