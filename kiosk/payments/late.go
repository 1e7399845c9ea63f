package payments

import (
	"context"
	"maps"

	"github.com/jackc/pgx/v5"
)

// settle records a successful outcome for order o.TxnRef, locked and in
// state from. Usually the order is simply paid. A late payment of an
// expired or superseded order meets the orders made since for the same
// bill or fee: when one of them is paid already the money was taken twice,
// and this order becomes refund_due, listed for staff to give back
// (RefundsDue, Refund); otherwise the newer orders still waiting are
// superseded (nothing was taken on them, and the kiosk watching one is
// told) and this one is paid. Either way the gateway is answered 00: the
// money is recorded.
func (s *Service) settle(ctx context.Context, tx pgx.Tx, o outcome, from, source string) error {
	rows, err := tx.Query(ctx, `SELECT n.id, n.state FROM payments p JOIN payments n ON n.id <> p.id AND n.purpose = p.purpose
			AND ((p.purpose = 'bill' AND (n.biller, n.customer_code, n.bill_id) = (p.biller, p.customer_code, p.bill_id))
			  OR (p.purpose = 'fee' AND n.dossier_id = p.dossier_id))
		WHERE p.id = $1 AND n.state IN ('created', 'pending', 'paid')
		ORDER BY n.id FOR UPDATE OF n`, o.TxnRef)
	if err != nil {
		return err
	}
	type order struct{ id, state string }
	others, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (order, error) {
		var x order
		return x, r.Scan(&x.id, &x.state)
	})
	if err != nil {
		return err
	}
	for _, x := range others {
		if x.state == StatePaid {
			return s.markRefundDue(ctx, tx, o, from, source, x.id)
		}
	}
	for _, x := range others {
		if err := s.transition(ctx, tx, x.id, x.state, StateSuperseded, source, map[string]any{"superseded_by": o.TxnRef}); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE payments SET related_payment_id = $2 WHERE id = $1`, x.id, o.TxnRef); err != nil {
			return err
		}
	}
	return s.markPaid(ctx, tx, o.TxnRef, from, source, o.TransactionNo, o.Detail)
}

// markRefundDue records money taken for something order paidBy had paid
// already: a ledger entry owed back to the payer, no receipt.
func (s *Service) markRefundDue(ctx context.Context, tx pgx.Tx, o outcome, from, source, paidBy string) error {
	detail := maps.Clone(o.Detail)
	if detail == nil {
		detail = map[string]any{}
	}
	detail["already_paid_by"] = paidBy
	if err := s.transition(ctx, tx, o.TxnRef, from, StateRefundDue, source, detail); err != nil {
		return err
	}
	var amount int64
	if err := tx.QueryRow(ctx, `UPDATE payments SET provider_txn_no = $2, related_payment_id = $3 WHERE id = $1 RETURNING amount`,
		o.TxnRef, o.TransactionNo, paidBy).Scan(&amount); err != nil {
		return err
	}
	s.log.Warn("payment taken twice: refund due", "payment_id", o.TxnRef, "already_paid_by", paidBy, "amount", amount)
	_, err := tx.Exec(ctx, `INSERT INTO payment_ledger (payment_id, kind, debit_account, credit_account, amount)
		VALUES ($1, 'payment', 'gateway:vnpay', 'refunds:due', $2)`, o.TxnRef, amount)
	return err
}

// RefundsDue lists the payments taken for something already paid, oldest
// first, for staff to refund.
func (s *Service) RefundsDue(ctx context.Context) ([]*Payment, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM payments WHERE state = 'refund_due' ORDER BY updated_at, id LIMIT 500`)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	out := make([]*Payment, 0, len(ids))
	for _, id := range ids {
		p, err := s.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
