package payments

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// Refund gives a paid bill's money back through the gateway: once the
// gateway accepts, the order is refunded, with a reversing ledger entry and
// an audit entry, and the bill can be paid again. A dossier fee is refunded
// by the ward's own procedure (the dossier would stay paid), so it is
// refused here. Money taken twice (refund_due) is refunded here whatever
// it paid for: the other order keeps the bill or fee paid.
func (s *Service) Refund(ctx context.Context, by audit.Actor, id, reason string) (*Payment, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 {
		return nil, apperr.New(apperr.Invalid, "refund_reason_required", "Cần ghi lý do hoàn tiền.")
	}
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case p.State != StatePaid && p.State != StateRefundDue:
		return nil, apperr.New(apperr.Conflict, "payment_not_paid", "Chỉ hoàn tiền được giao dịch đã thanh toán.")
	case p.Purpose == PurposeFee && p.State == StatePaid:
		return nil, apperr.New(apperr.Conflict, "fee_refund_by_ward", "Lệ phí hồ sơ được hoàn theo thủ tục của phường.")
	}
	r, err := s.gateway.Refund(ctx, p.ID, p.Amount, p.ProviderTxnNo, p.CreatedAt, by.Username)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "gateway_unavailable", "Không liên lạc được cổng thanh toán. Vui lòng thử lại sau.")
	}
	if r.ResponseCode != vnpay.Success {
		return nil, apperr.Errorf(apperr.Conflict, "refund_refused", "Cổng thanh toán từ chối hoàn tiền (mã %s).", r.ResponseCode)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		detail := map[string]any{"reason": reason, "by": by.Username, "gateway_status": r.TransactionStatus}
		if err := s.transition(ctx, tx, p.ID, p.State, StateRefunded, "refund", detail); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO payment_ledger (payment_id, kind, debit_account, credit_account, amount)
			SELECT payment_id, 'refund', credit_account, debit_account, amount FROM payment_ledger
			WHERE payment_id = $1 AND kind = 'payment'`, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "payment.refund", SubjectKind: "payment",
			SubjectID: p.ID, Details: map[string]any{"amount": p.Amount, "reason": reason, "at": time.Now().UTC()}})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}
