package payments

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments/vietqr"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// Request is a new order, as POST /api/v1/payments takes it.
type Request struct {
	Purpose        string `json:"purpose"`
	DossierID      string `json:"dossier_id,omitempty"`
	Biller         string `json:"biller,omitempty"`
	CustomerCode   string `json:"customer_code,omitempty"`
	BillID         string `json:"bill_id,omitempty"`
	KioskSessionID string `json:"kiosk_session_id,omitempty"`
	// StationID and IPAddr come from the request, not the body.
	StationID string `json:"-"`
	IPAddr    string `json:"-"`
}

// maxAmount keeps vnp_Amount (VND × 100) within the protocol's 12 digits.
const maxAmount = 9_999_999_999

// Create makes an order, or returns the order an earlier request with the
// same idempotency key made (created is then false). The amount always
// comes from the dossier's fee or the biller, never from the client.
func (s *Service) Create(ctx context.Context, idempotencyKey string, req Request) (p *Payment, created bool, err error) {
	if idempotencyKey == "" || len(idempotencyKey) > 100 {
		return nil, false, apperr.New(apperr.Invalid, "idempotency_key_required", "Thiếu khóa Idempotency-Key (tối đa 100 ký tự).")
	}
	hash := requestHash(req)
	if p, err := s.replay(ctx, idempotencyKey, hash); p != nil || err != nil {
		return p, false, err
	}
	amount, description, err := s.price(ctx, &req)
	if err != nil {
		return nil, false, err
	}
	id, code := newID(), newLookupCode()
	now := time.Now()
	expires := now.Add(s.cfg.OrderTTL)
	payURL, err := s.gateway.PayURL(vnpay.Order{TxnRef: id, Amount: amount, OrderInfo: "Thanh toan " + id + " " + description,
		IPAddr: req.IPAddr, CreatedAt: now, ExpiresAt: expires, OrderType: orderType(req.Purpose)})
	if err != nil {
		return nil, false, err
	}
	var qr string
	if s.cfg.VietQRBIN != "" {
		if qr, err = vietqr.Payload(vietqr.Transfer{BankBIN: s.cfg.VietQRBIN, Account: s.cfg.VietQRAccount,
			Amount: amount, BillNumber: id, Purpose: id}); err != nil {
			return nil, false, err
		}
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The key first: a concurrent request with the same key waits here
		// until this transaction ends, then finds the key taken.
		tag, err := tx.Exec(ctx, `INSERT INTO payment_idempotency_keys (key, request_hash, payment_id)
			VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`, idempotencyKey, hash, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errKeyTaken
		}
		_, err = tx.Exec(ctx, `INSERT INTO payments (id, purpose, dossier_id, biller, customer_code, bill_id, description,
				amount, state, provider, station_id, kiosk_session_id, created_at, updated_at, expires_at, pay_url, vietqr_payload, lookup_code)
			VALUES ($1, $2, nullif($3, ''), nullif($4, ''), nullif($5, ''), nullif($6, ''), $7, $8, 'created', 'vnpay',
				nullif($9, '')::uuid, nullif($10, ''), $11, $11, $12, $13, $14, $15)`,
			id, req.Purpose, req.DossierID, req.Biller, req.CustomerCode, req.BillID, description,
			amount, req.StationID, req.KioskSessionID, now, expires, payURL, qr, code)
		if err != nil {
			return err
		}
		if err := recordChange(ctx, tx, id, "", StateCreated, "api", nil); err != nil {
			return err
		}
		if err := s.transition(ctx, tx, id, StateCreated, StatePending, "api", nil); err != nil {
			return err
		}
		return nil
	})
	switch {
	case errors.Is(err, errKeyTaken):
		// A concurrent request with the same key won; answer with its order.
		p, err := s.replay(ctx, idempotencyKey, hash)
		return p, false, err
	case isUniqueViolation(err, "payments_one_live_bill_idx"), isUniqueViolation(err, "payments_one_live_fee_idx"):
		return nil, false, apperr.Wrap(err, apperr.Conflict, "already_paid_or_paying",
			"Khoản này đã được thanh toán hoặc đang chờ thanh toán. Vui lòng kiểm tra lại sau ít phút.")
	case err != nil:
		return nil, false, fmt.Errorf("create payment: %w", err)
	}
	p, err = s.Get(ctx, id)
	return p, true, err
}

var errKeyTaken = errors.New("idempotency key taken")

// replay returns the order an idempotency key already made, if any.
func (s *Service) replay(ctx context.Context, key string, hash []byte) (*Payment, error) {
	var (
		stored []byte
		id     string
	)
	err := s.pool.QueryRow(ctx, `SELECT request_hash, payment_id FROM payment_idempotency_keys WHERE key = $1`, key).Scan(&stored, &id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if string(stored) != string(hash) {
		return nil, apperr.New(apperr.Conflict, "idempotency_key_reused", "Khóa Idempotency-Key này đã dùng cho một yêu cầu khác.")
	}
	return s.Get(ctx, id)
}

func requestHash(r Request) []byte {
	b, _ := json.Marshal(struct {
		Request
		Station string
	}{r, r.StationID})
	h := sha256.Sum256(b)
	return h[:]
}

// price checks the request and finds what is owed.
func (s *Service) price(ctx context.Context, r *Request) (int64, string, error) {
	var (
		amount      int64
		description string
	)
	switch r.Purpose {
	case PurposeFee:
		if r.DossierID == "" || len(r.DossierID) > 64 || r.Biller != "" || r.BillID != "" {
			return 0, "", apperr.New(apperr.Invalid, "dossier_id_required", "Thanh toán lệ phí cần mã hồ sơ (dossier_id).")
		}
		if s.fees == nil {
			return 0, "", apperr.New(apperr.Unavailable, "fees_unavailable", "Chưa thể thanh toán lệ phí hồ sơ tại trạm này.")
		}
		fee, err := s.fees.FeeDue(ctx, r.DossierID)
		if err != nil {
			return 0, "", err
		}
		amount, description = fee.Amount, fee.Description
	case PurposeBill:
		if r.DossierID != "" || r.BillID == "" || len(r.BillID) > 64 {
			return 0, "", apperr.New(apperr.Invalid, "bill_required", "Thanh toán hóa đơn cần nhà cung cấp, mã khách hàng và mã hóa đơn.")
		}
		code, err := normalizeCustomerCode(r.CustomerCode)
		if err != nil {
			return 0, "", err
		}
		r.CustomerCode = code
		bills, err := s.Bills(ctx, r.Biller, code)
		if err != nil {
			return 0, "", err
		}
		for _, b := range bills {
			if b.ID == r.BillID {
				amount, description = b.Amount, b.Description
			}
		}
		if amount == 0 {
			return 0, "", apperr.New(apperr.NotFound, "bill_not_found", "Không tìm thấy hóa đơn chưa thanh toán này.")
		}
	default:
		return 0, "", apperr.New(apperr.Invalid, "purpose_invalid", `Mục đích thanh toán phải là "fee" (lệ phí hồ sơ) hoặc "bill" (hóa đơn).`)
	}
	if amount <= 0 || amount > maxAmount {
		return 0, "", apperr.Errorf(apperr.Invalid, "amount_invalid", "Số tiền %s không thể thanh toán tại trạm.", vietnamese.FormatVND(amount))
	}
	if r.KioskSessionID != "" {
		if err := kiosk.CheckOpenSession(ctx, s.pool, r.StationID, r.KioskSessionID); err != nil {
			return 0, "", err
		}
	}
	return amount, description, nil
}

func orderType(purpose string) string {
	if purpose == PurposeBill {
		return "billpayment"
	}
	return "other"
}

// newID returns an order id: "CS" and 14 Crockford base32 characters (70
// random bits). It is the gateway's vnp_TxnRef and the VietQR reference, so
// it must stay short, alphanumeric and unguessable.
func newID() string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	b := make([]byte, 14)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[b[i]&31]
	}
	return "CS" + string(b)
}

func validID(id string) bool {
	return len(id) == 16 && strings.HasPrefix(id, "CS") && strings.Trim(id[2:], "0123456789ABCDEFGHJKMNPQRSTVWXYZ") == ""
}

// Get returns an order with its receipt once paid.
func (s *Service) Get(ctx context.Context, id string) (*Payment, error) {
	if !validID(id) {
		return nil, errPaymentNotFound
	}
	var (
		p  Payment
		qr string
		r  Receipt
		rn *string
	)
	err := s.pool.QueryRow(ctx, `SELECT p.id, p.purpose, coalesce(p.dossier_id, ''), coalesce(p.biller, ''),
			coalesce(p.customer_code, ''), coalesce(p.bill_id, ''), p.description, p.amount, p.state, p.provider,
			coalesce(p.station_id::text, ''), coalesce(p.kiosk_session_id, ''), p.created_at, p.updated_at,
			p.expires_at, p.paid_at, coalesce(p.provider_txn_no, ''), p.pay_url, p.vietqr_payload, coalesce(p.related_payment_id, ''),
			coalesce(p.lookup_code, ''),
			r.number, coalesce(r.issued_at, now()), coalesce(r.amount, 0), coalesce(r.description, ''), coalesce(r.provider_txn_no, '')
		FROM payments p LEFT JOIN payment_receipts r ON r.payment_id = p.id WHERE p.id = $1`, id).Scan(
		&p.ID, &p.Purpose, &p.DossierID, &p.Biller, &p.CustomerCode, &p.BillID, &p.Description, &p.Amount,
		&p.State, &p.Provider, &p.StationID, &p.KioskSessionID, &p.CreatedAt, &p.UpdatedAt, &p.ExpiresAt,
		&p.PaidAt, &p.ProviderTxnNo, &p.PayURL, &qr, &p.RelatedPaymentID, &p.LookupCode, &rn, &r.IssuedAt, &r.Amount, &r.Description, &r.ProviderTxnNo)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errPaymentNotFound
	}
	if err != nil {
		return nil, err
	}
	if qr != "" {
		p.VietQR = &VietQR{Payload: qr, PNG: "/api/v1/payments/" + p.ID + "/qr.png"}
	}
	p.LookupCode = FormatLookupCode(p.LookupCode)
	if rn != nil {
		r.Number = *rn
		p.Receipt = &r
	}
	if p.State != StatePending {
		p.PayURL = "" // nothing left to pay
	}
	return &p, nil
}

// QR returns the order's VietQR as a PNG image.
func (s *Service) QR(ctx context.Context, id string, size int) ([]byte, error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.VietQR == nil {
		return nil, apperr.New(apperr.NotFound, "vietqr_not_configured", "Trạm chưa được cấu hình nhận chuyển khoản VietQR.")
	}
	if p.State != StatePending {
		return nil, apperr.New(apperr.Conflict, "payment_not_pending", "Giao dịch này không còn chờ thanh toán.")
	}
	return vietqr.PNG(p.VietQR.Payload, size)
}

// transition moves an order from one state to another, records the change
// and publishes it on Channel; it fails if the order is not in from.
func (s *Service) transition(ctx context.Context, tx pgx.Tx, id, from, to, source string, detail map[string]any) error {
	var ev Event
	err := tx.QueryRow(ctx, `UPDATE payments SET state = $3, updated_at = now(),
			paid_at = CASE WHEN $3 = 'paid' THEN now() ELSE paid_at END
		WHERE id = $1 AND state = $2
		RETURNING amount, coalesce(station_id::text, ''), coalesce(kiosk_session_id, ''), updated_at`, id, from, to).Scan(
		&ev.Amount, &ev.StationID, &ev.KioskSessionID, &ev.At)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("payment %s is not %s", id, from)
	}
	if err != nil {
		return err
	}
	if err := recordChange(ctx, tx, id, from, to, source, detail); err != nil {
		return err
	}
	ev.PaymentID, ev.From, ev.State = id, from, to
	payload, _ := json.Marshal(ev)
	_, err = tx.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, string(payload))
	return err
}

func recordChange(ctx context.Context, tx pgx.Tx, id, from, to, source string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO payment_state_changes (payment_id, from_state, to_state, source, detail)
		VALUES ($1, nullif($2, ''), $3, $4, $5)`, id, from, to, source, detail)
	return err
}

// markPaid moves an order to paid and does what a payment implies, all in
// tx: the ledger entry, the receipt, the dossier's fee and the visit's
// outcome.
func (s *Service) markPaid(ctx context.Context, tx pgx.Tx, id, from, source, txnNo string, detail map[string]any) error {
	if err := s.transition(ctx, tx, id, from, StatePaid, source, detail); err != nil {
		return err
	}
	var (
		purpose, dossier, biller, session, description string
		amount                                         int64
	)
	if err := tx.QueryRow(ctx, `UPDATE payments SET provider_txn_no = $2 WHERE id = $1
		RETURNING purpose, coalesce(dossier_id, ''), coalesce(biller, ''), coalesce(kiosk_session_id, ''), description, amount`,
		id, txnNo).Scan(&purpose, &dossier, &biller, &session, &description, &amount); err != nil {
		return err
	}
	credit := "fees:dossiers"
	if purpose == PurposeBill {
		credit = "biller:" + biller
	}
	if _, err := tx.Exec(ctx, `INSERT INTO payment_ledger (payment_id, kind, debit_account, credit_account, amount)
		VALUES ($1, 'payment', 'gateway:vnpay', $2, $3)`, id, credit, amount); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO payment_receipts (number, payment_id, amount, description, provider_txn_no)
		VALUES ('BL' || to_char(now() AT TIME ZONE '`+vietnamese.ZoneName+`', 'YYYYMMDD') || '-' || lpad(nextval('payment_receipt_seq')::text, 6, '0'),
			$1, $2, $3, $4)`, id, amount, description, txnNo); err != nil {
		return err
	}
	if purpose == PurposeFee {
		if s.fees == nil {
			return errors.New("fee paid but no fee source is wired")
		}
		if err := s.fees.MarkFeePaid(ctx, tx, dossier, id, amount); err != nil {
			return fmt.Errorf("mark dossier %s paid: %w", dossier, err)
		}
	}
	if session != "" {
		return kiosk.RecordOutcome(ctx, tx, session, kiosk.OutcomePaymentMade)
	}
	return nil
}

func isUniqueViolation(err error, constraint string) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505" && pg.ConstraintName == constraint
}
