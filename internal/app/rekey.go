package app

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// SealedColumns are every column of sealed values, for station rekey.
func SealedColumns() []seal.Column {
	var cols []seal.Column
	for _, part := range [][]seal.Column{dossiers.SealedColumns(), reports.SealedColumns(), ocr.SealedColumns(), assistant.SealedColumns()} {
		cols = append(cols, part...)
	}
	return cols
}

// Rekey seals every sealed value again under sealer's current key and
// makes the dossiers' verification digests and the rate limits' digest
// keys again, writing what it did to
// out; then it checks that no value is left under another key, so the
// previous keys may go. Stopped half-way, it carries on where it stopped.
func Rekey(ctx context.Context, pool *pgxpool.Pool, sealer *seal.Sealer, out io.Writer) error {
	cols := SealedColumns()
	for _, col := range cols {
		n, err := sealer.Rekey(ctx, pool, col)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-36s %d values sealed again\n", col, n)
	}
	n, err := dossiers.RekeyDigests(ctx, pool, sealer)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%-36s %d dossiers' digests made again\n", "dossiers.verify_digests", n)
	if n, err = ratelimit.RekeyDigests(ctx, pool, sealer); err != nil {
		return err
	}
	fmt.Fprintf(out, "%-36s %d counts' digests made again\n", "rate_limits.key", n)
	for _, col := range cols {
		left, err := sealer.Stale(ctx, pool, col)
		if err != nil {
			return err
		}
		if left > 0 {
			return fmt.Errorf("%s: %d values are still sealed under another key (written meanwhile by a replica with the old key?): run station rekey again", col, left)
		}
	}
	return nil
}
