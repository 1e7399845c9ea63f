package payments

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// outcome is what the gateway says happened to an order, from an IPN or a
// transaction query.
type outcome struct {
	TxnRef            string
	Amount            int64 // VND × 100, as the gateway sends it
	TransactionNo     string
	ResponseCode      string
	TransactionStatus string
	Detail            map[string]any
}

func (o outcome) success() bool {
	return o.ResponseCode == vnpay.Success && o.TransactionStatus == vnpay.Success
}

// key identifies one gateway notification, so a repeat is recognised.
func (o outcome) key() string {
	return "vnpay:" + o.TxnRef + ":" + o.TransactionNo + ":" + o.ResponseCode + ":" + o.TransactionStatus
}

// IPN handles the gateway's server-to-server notification. The signature,
// the terminal and the amount are checked before anything is written; the
// order is paid only when both vnp_ResponseCode and vnp_TransactionStatus
// are 00. The notification's key is stored in the same transaction as the
// state change, so a repeated IPN changes nothing and answers 02.
func (s *Service) IPN(ctx context.Context, params url.Values) vnpay.IPNReply {
	reply := func(code, msg string) vnpay.IPNReply { return vnpay.IPNReply{RspCode: code, Message: msg} }
	if !vnpay.Verify(s.cfg.VNPaySecret, params) {
		return reply(vnpay.RspInvalidSignature, "Invalid Checksum")
	}
	if params.Get("vnp_TmnCode") != s.cfg.VNPayTmnCode {
		return reply(vnpay.RspInvalidSignature, "Invalid TmnCode")
	}
	amount, err := strconv.ParseInt(params.Get("vnp_Amount"), 10, 64)
	if err != nil || amount <= 0 {
		return reply(vnpay.RspInvalidAmount, "Invalid amount")
	}
	o := outcome{
		TxnRef:            params.Get("vnp_TxnRef"),
		Amount:            amount,
		TransactionNo:     params.Get("vnp_TransactionNo"),
		ResponseCode:      params.Get("vnp_ResponseCode"),
		TransactionStatus: params.Get("vnp_TransactionStatus"),
		Detail: map[string]any{"response_code": params.Get("vnp_ResponseCode"), "transaction_status": params.Get("vnp_TransactionStatus"),
			"transaction_no": params.Get("vnp_TransactionNo"), "bank_code": params.Get("vnp_BankCode"), "pay_date": params.Get("vnp_PayDate")},
	}
	code, err := s.apply(ctx, "ipn", o, params)
	if err != nil {
		s.log.Error("payment IPN failed", "payment_id", o.TxnRef, "err", err)
		return reply(vnpay.RspUnknown, "Unknown error")
	}
	return reply(code, map[string]string{
		vnpay.RspConfirmed: "Confirm Success", vnpay.RspOrderNotFound: "Order not Found",
		vnpay.RspAlreadyConfirmed: "Order already confirmed", vnpay.RspInvalidAmount: "Invalid amount",
	}[code])
}

// apply records a gateway outcome and returns the IPN reply code.
func (s *Service) apply(ctx context.Context, source string, o outcome, params url.Values) (string, error) {
	if !validID(o.TxnRef) {
		return vnpay.RspOrderNotFound, nil
	}
	var (
		amount int64
		state  string
	)
	err := s.pool.QueryRow(ctx, `SELECT amount, state FROM payments WHERE id = $1`, o.TxnRef).Scan(&amount, &state)
	if errors.Is(err, pgx.ErrNoRows) {
		return vnpay.RspOrderNotFound, nil
	}
	if err != nil {
		return "", err
	}
	if amount*100 != o.Amount {
		s.log.Warn("payment amount mismatch", "payment_id", o.TxnRef, "want", amount*100, "got", o.Amount, "source", source)
		return vnpay.RspInvalidAmount, nil
	}
	if !acceptable(state, o) {
		return vnpay.RspAlreadyConfirmed, nil
	}
	code := vnpay.RspConfirmed
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		raw := map[string]string{}
		for k := range params {
			raw[k] = params.Get(k)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO payment_provider_events (key, payment_id, params) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO NOTHING`, o.key(), o.TxnRef, raw)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			code = vnpay.RspAlreadyConfirmed
			return nil
		}
		// The row is locked now; read its state again under the lock.
		if err := tx.QueryRow(ctx, `SELECT state FROM payments WHERE id = $1 FOR UPDATE`, o.TxnRef).Scan(&state); err != nil {
			return err
		}
		if !acceptable(state, o) {
			code = vnpay.RspAlreadyConfirmed
			return nil
		}
		switch {
		case o.success():
			return s.settle(ctx, tx, o, state, source)
		case o.TransactionStatus == "01" && o.ResponseCode == vnpay.Success:
			return nil // not completed yet: the order stays pending
		}
		return s.transition(ctx, tx, o.TxnRef, state, StateFailed, source, o.Detail)
	})
	return code, err
}

// acceptable reports whether an order in state may take outcome o: a
// pending order takes any final outcome; an expired or superseded one is
// still settled if the money was taken after all; paid, failed, refunded
// and refund_due orders are final (a late failure never downgrades a paid
// order).
func acceptable(state string, o outcome) bool {
	switch state {
	case StatePending, StateCreated:
		return true
	case StateExpired, StateSuperseded:
		return o.success()
	}
	return false
}

// SweepPending asks the gateway about every order pending for longer than
// QueryAfter (querydr) and applies its answer: paid, failed, or expired
// when the gateway has no transaction and the order's time is up. It
// returns how many orders changed.
func (s *Service) SweepPending(ctx context.Context) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, created_at, expires_at FROM payments
		WHERE state = 'pending' AND created_at < now() - make_interval(secs => $1)
		ORDER BY created_at LIMIT 200`, s.cfg.QueryAfter.Seconds())
	if err != nil {
		return 0, err
	}
	type pending struct {
		id               string
		created, expires time.Time
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pending, error) {
		var p pending
		err := r.Scan(&p.id, &p.created, &p.expires)
		return p, err
	})
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, p := range list {
		q, err := s.gateway.Query(ctx, p.id, p.created)
		if err != nil {
			s.log.Warn("payment query failed", "payment_id", p.id, "err", err)
			continue
		}
		amount, _ := strconv.ParseInt(q.Amount, 10, 64)
		o := outcome{TxnRef: p.id, Amount: amount, TransactionNo: q.TransactionNo, ResponseCode: q.ResponseCode,
			TransactionStatus: q.TransactionStatus,
			Detail:            map[string]any{"query_response_code": q.ResponseCode, "transaction_status": q.TransactionStatus, "transaction_no": q.TransactionNo}}
		switch {
		case q.ResponseCode == vnpay.Success && (q.TransactionStatus == vnpay.Success || q.TransactionStatus == "02"):
			// The gateway's querydr answers "00" for the query and carries
			// the transaction's own status; the outcome's response code is
			// the query's, so success needs TransactionStatus 00 as well.
			code, err := s.apply(ctx, "querydr", o, url.Values{"source": {"querydr"}, "vnp_TransactionNo": {q.TransactionNo},
				"vnp_TransactionStatus": {q.TransactionStatus}, "vnp_Amount": {q.Amount}})
			if err != nil {
				return changed, err
			}
			if code == vnpay.RspConfirmed {
				changed++
			}
		case time.Now().After(p.expires) && (q.ResponseCode == vnpay.QueryNotFound || q.TransactionStatus == "01"):
			err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
				return s.transition(ctx, tx, p.id, StatePending, StateExpired, "querydr", o.Detail)
			})
			if err != nil {
				return changed, fmt.Errorf("expire %s: %w", p.id, err)
			}
			changed++
		}
	}
	return changed, nil
}

// ReturnView is what the return page shows: the order's state as the
// service knows it. The return URL never changes anything.
type ReturnView struct {
	Valid   bool     `json:"signature_valid"`
	Payment *Payment `json:"payment,omitempty"`
	// GatewayResponseCode is what the gateway told the browser.
	GatewayResponseCode string `json:"gateway_response_code,omitempty"`
}

// Return reads the browser's return from the gateway.
func (s *Service) Return(ctx context.Context, params url.Values) (*ReturnView, error) {
	v := &ReturnView{Valid: vnpay.Verify(s.cfg.VNPaySecret, params) && params.Get("vnp_TmnCode") == s.cfg.VNPayTmnCode}
	if !v.Valid {
		return v, nil
	}
	v.GatewayResponseCode = params.Get("vnp_ResponseCode")
	p, err := s.Get(ctx, params.Get("vnp_TxnRef"))
	if err != nil {
		return nil, err
	}
	v.Payment = p.Public() // the payer's browser, or anyone it shares the address with
	return v, nil
}
