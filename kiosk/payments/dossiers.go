package payments

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// DossierFees is the FeeSource of the dossiers package: the fee fixed from
// the catalogue (at the online rate) when the dossier was created.
type DossierFees struct {
	Dossiers *dossiers.Service
}

// FeeDue returns what the dossier still owes.
func (f DossierFees) FeeDue(ctx context.Context, dossierID string) (Fee, error) {
	due, err := f.Dossiers.FeeDue(ctx, dossierID)
	if err != nil {
		return Fee{}, err
	}
	switch {
	case due.Paid:
		return Fee{}, apperr.New(apperr.Conflict, "fee_already_paid", "Lệ phí của hồ sơ này đã được thanh toán.")
	case due.Amount <= 0:
		return Fee{}, apperr.New(apperr.Conflict, "no_fee_due", "Hồ sơ này không phải nộp lệ phí.")
	}
	return Fee{Amount: due.Amount, Description: "Lệ phí hồ sơ " + due.TrackingCode}, nil
}

// MarkFeePaid records the payment on the dossier in the payment's
// transaction; a dossier waiting on its fee is submitted.
func (f DossierFees) MarkFeePaid(ctx context.Context, tx pgx.Tx, dossierID, paymentID string, amount int64) error {
	_, err := f.Dossiers.MarkFeePaid(ctx, tx, dossierID, paymentID, amount)
	return err
}

// Owns says whether last4 end the ID or phone number of the dossier.
func (f DossierFees) Owns(ctx context.Context, dossierID, last4 string) (bool, error) {
	return f.Dossiers.Owns(ctx, dossierID, last4)
}
