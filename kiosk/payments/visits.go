package payments

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ExpireVisitOrders lets go of the orders still pending that a kiosk visit
// at a station made, and returns how many. Only evaluators' test stations
// use it, between the attempts of a suite: at a real station a pending
// order is never dropped, since the resident may be paying it.
func (s *Service) ExpireVisitOrders(ctx context.Context, stationID, visitID string) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM payments
		WHERE station_id = $1::uuid AND kiosk_session_id = $2 AND state IN ('created', 'pending')`, stationID, visitID)
	if err != nil {
		return 0, fmt.Errorf("visit orders: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, fmt.Errorf("visit orders: %w", err)
	}
	for _, id := range ids {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			return s.transition(ctx, tx, id, StatePending, StateExpired, "eval", nil)
		})
		if err != nil {
			return 0, fmt.Errorf("expire %s: %w", id, err)
		}
	}
	return len(ids), nil
}
