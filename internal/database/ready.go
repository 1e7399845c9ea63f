package database

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Check reports whether the database is usable by this build of the service:
// reachable, the vector extension present, and no migration pending.
func Check(ctx context.Context, pool *pgxpool.Pool) error {
	var hasVector bool
	err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')`).Scan(&hasVector)
	if err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if !hasVector {
		return errors.New("extension vector is not installed")
	}
	pending, err := Pending(ctx, pool)
	if err != nil {
		return fmt.Errorf("read migration state: %w", err)
	}
	if pending {
		return errors.New("migrations pending: run station migrate")
	}
	return nil
}
