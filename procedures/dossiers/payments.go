package dossiers

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// FeeDue is what a dossier costs and whether it is paid. The amount was
// fixed from the catalogue when the dossier was created, at the online
// rate where the law sets one, since filing at a kiosk is filing online.
type FeeDue struct {
	DossierID    string    `json:"dossier_id"`
	TrackingCode string    `json:"tracking_code"`
	Procedure    string    `json:"procedure"`
	Ward         string    `json:"ward"`
	Lines        []FeeLine `json:"lines"`
	Amount       int64     `json:"amount"` // whole đồng
	// Unconfirmed: staff settle the fee at the ward; it cannot be paid here.
	Unconfirmed bool       `json:"unconfirmed,omitempty"`
	Paid        bool       `json:"paid"`
	PaidAt      *time.Time `json:"paid_at,omitempty"`
	PaymentID   string     `json:"payment_id,omitempty"`
	Status      Status     `json:"status"`
}

// FeeDue returns the fee of dossier id. Payments call it before opening an
// order.
func (s *Service) FeeDue(ctx context.Context, id string) (*FeeDue, error) {
	if !uuidRe.MatchString(id) {
		return nil, errNotFound
	}
	f := &FeeDue{DossierID: id}
	var paymentID *string
	err := s.pool.QueryRow(ctx, `
		SELECT tracking_code, procedure_slug, ward, fees, fee_amount, fee_unconfirmed, fee_paid_at, fee_payment_id, status
		FROM dossiers WHERE id = $1`, id).
		Scan(&f.TrackingCode, &f.Procedure, &f.Ward, &f.Lines, &f.Amount, &f.Unconfirmed, &f.PaidAt, &paymentID, &f.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	f.Paid = f.PaidAt != nil
	if paymentID != nil {
		f.PaymentID = *paymentID
	}
	return f, nil
}

// MarkFeePaid records, inside the payment's own transaction tx, that
// payment paymentID paid amount for dossier id. If the resident had asked to
// submit and was waiting on the fee, the dossier is submitted now. Paying
// again with the same payment is a no-op, so a repeated gateway
// notification is harmless; another payment for a paid fee, or an amount
// that is not the fee, is a Conflict. It returns the dossier's status after.
func (s *Service) MarkFeePaid(ctx context.Context, tx pgx.Tx, id, paymentID string, amount int64) (Status, error) {
	d, err := lock(ctx, tx, id)
	if err != nil {
		return "", err
	}
	if d.FeePaidAt != nil {
		if d.feePaymentID != nil && *d.feePaymentID == paymentID {
			return d.Status, nil
		}
		return "", apperr.New(apperr.Conflict, "fee_already_paid", "Lệ phí của hồ sơ này đã được thanh toán.")
	}
	if d.FeeUnconfirmed {
		return "", apperr.New(apperr.Conflict, "fee_unconfirmed", "Lệ phí của hồ sơ này do cán bộ phường xác nhận và thu tại phường.")
	}
	if d.FeeAmount == 0 {
		return "", apperr.New(apperr.Conflict, "no_fee", "Hồ sơ này không phải nộp lệ phí.")
	}
	if amount != d.FeeAmount {
		return "", apperr.Errorf(apperr.Conflict, "fee_amount_mismatch", "Số tiền %s không khớp lệ phí %s của hồ sơ.",
			vietnamese.FormatVND(amount), vietnamese.FormatVND(d.FeeAmount))
	}
	if _, err := tx.Exec(ctx, `UPDATE dossiers SET fee_paid_at = now(), fee_payment_id = $2, updated_at = now() WHERE id = $1`,
		id, paymentID); err != nil {
		return "", err
	}
	by := audit.Actor{Role: "payment", Username: "payment:" + paymentID}
	if err := audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "dossier.fee_paid", SubjectKind: "dossier",
		SubjectID: id, Ward: d.Ward, Details: map[string]any{"payment_id": paymentID, "amount": amount}}); err != nil {
		return "", err
	}
	if d.Status == StatusDraft && d.submitRequested {
		if err := s.move(ctx, tx, d, StatusSubmitted, by, "Đã thanh toán lệ phí"); err != nil {
			return "", err
		}
	}
	return d.Status, nil
}

// fee is what a new dossier will owe.
type fee struct {
	lines       []FeeLine
	amount      int64
	unconfirmed bool
}

// feeOf picks the fee that applies and applies its rule to the filer
// (procedures.ChargeFor): the online rate, kiosk filing being online filing;
// nothing for a child, a person over 60 or a declared group the law exempts.
// A procedure with one fee owes it; one that lists several cases owes the
// chosen one, or is left for staff when none was chosen; an amount the
// catalogue could not confirm is too.
func feeOf(entry *procedures.Entry, choice *int, who procedures.Filer, day time.Time) (fee, error) {
	who.Channel = procedures.ChannelOnline
	line := func(f procedures.Fee) FeeLine {
		c := procedures.ChargeFor(f, who, day)
		return FeeLine{Label: f.Label, Amount: c.Amount, Note: f.Note, Unconfirmed: c.Unconfirmed, Exempt: c.Exempt, Reason: c.Reason}
	}
	if choice != nil {
		if *choice < 0 || *choice >= len(entry.Fees) {
			return fee{}, apperr.New(apperr.Invalid, "fee_invalid", "Mức lệ phí đã chọn không có trong thủ tục này.")
		}
		l := line(entry.Fees[*choice])
		return fee{lines: []FeeLine{l}, amount: l.Amount, unconfirmed: l.Unconfirmed}, nil
	}
	switch len(entry.Fees) {
	case 0:
		return fee{lines: []FeeLine{}}, nil
	case 1:
		l := line(entry.Fees[0])
		return fee{lines: []FeeLine{l}, amount: l.Amount, unconfirmed: l.Unconfirmed}, nil
	}
	f := fee{unconfirmed: true}
	for _, e := range entry.Fees {
		f.lines = append(f.lines, line(e))
	}
	return f, nil
}

// filerOf is who a new dossier is for, as far as its fee is concerned: the
// birth date of its date_of_birth field (a year alone counts from 1
// January), and the filer's answer about the fee's declared groups.
func filerOf(values []fieldValue, declared *bool) procedures.Filer {
	who := procedures.Filer{Declared: declared}
	for _, v := range values {
		if v.def.Name != "date_of_birth" {
			continue
		}
		if d, err := time.Parse(time.DateOnly, v.value); err == nil {
			who.BirthDate = d
		} else if y, err := time.Parse("2006", v.value); err == nil {
			who.BirthDate = y
		}
	}
	return who
}
