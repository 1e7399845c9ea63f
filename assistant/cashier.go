package assistant

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// cashier finds bills and takes payments: a bill or a dossier's fee
// ordered, its status checked, a failed payment tried again.
type cashier struct{ *turn }

// findBills looks the customer's bills up and shows them with their amounts.
func (t cashier) findBills(ctx context.Context) error {
	kind, code := t.sess.Fields["bill_kind"].Value, strings.ToUpper(t.sess.Fields["customer_code"].Value)
	bills, err := t.svc.services.Bills.FindBills(ctx, kind, code)
	switch {
	case apperr.IsKind(err, apperr.Invalid), apperr.IsKind(err, apperr.NotFound):
		t.visit("bill_code_unknown", "")
		counter{t.turn}.askField("customer_code", t.say("bill_code_unknown", "code", code))
		return nil
	case apperr.IsKind(err, apperr.Unsupported):
		t.visit("bill_kind_unsupported", "")
		counter{t.turn}.askField("bill_kind", apperr.From(err).Message)
		return nil
	case err != nil:
		return t.down(err, "biller_unavailable", "biller_unavailable")
	case len(bills) == 0:
		t.visit("bill_none", "")
		counter{t.turn}.askField("customer_code", t.say("bill_none", "code", code))
		return nil
	}
	t.push()
	sv := t.service()
	sv.Bills, sv.CustomerCode, sv.Bill, sv.Payment = bills, code, nil, nil
	t.sess.Stage = StageBills
	t.visit("bills", "")
	return nil
}

// down answers a biller or the payment gateway not answering: the visit's
// outcome is recorded and the resident told with the sentence key to try
// again. Any other error is returned as it is.
func (t cashier) down(err error, outcome, key string) error {
	if !isUnavailable(err) {
		return err
	}
	t.visit(outcome, "")
	t.clarify(t.say(key))
	return nil
}

func isUnavailable(err error) bool {
	return apperr.IsKind(err, apperr.Unavailable) || apperr.IsKind(err, apperr.Timeout) || errors.Is(err, context.DeadlineExceeded)
}

// payBill makes the payment order of the chosen bill.
func (t cashier) payBill(ctx context.Context, billID string) error {
	sv := t.service()
	for i := range sv.Bills {
		if sv.Bills[i].ID == billID {
			b := sv.Bills[i]
			sv.Bill = &b
		}
	}
	if sv.Bill == nil {
		t.clarify(t.say("unclear"))
		return nil
	}
	return t.order(ctx, OrderRequest{Bill: sv.Bill, CustomerCode: sv.CustomerCode})
}

// order asks the payments service for an order and shows its QR.
func (t cashier) order(ctx context.Context, r OrderRequest) error {
	sv := t.service()
	sv.Attempt++
	// One key per attempt: a turn retried after a failure gets the same
	// order, a new QR after an expired one a new order.
	r.Key = fmt.Sprintf("assistant:%s:%d", t.sess.ID, sv.Attempt)
	r.StationID, r.KioskSessionID = t.sess.StationID, t.sess.KioskSessionID
	p, err := t.svc.services.Payments.Order(ctx, r)
	switch {
	case apperr.IsKind(err, apperr.Conflict):
		t.visit("payment_conflict", "")
		t.clarify(t.say("bill_paid_already"))
		return nil
	case err != nil:
		return t.down(err, "payment_unavailable", "gateway_unavailable")
	}
	if t.sess.Stage != StagePay {
		t.push()
	}
	sv.Payment = p
	t.sess.Stage = StagePay
	t.visit("payment_qr", "")
	return nil
}

// checkPayment asks the payments service where the order stands.
func (t cashier) checkPayment(ctx context.Context) error {
	sv := t.service()
	if sv.Payment == nil {
		t.clarify(t.say("unclear"))
		return nil
	}
	p, err := t.svc.services.Payments.Payment(ctx, sv.Payment.ID)
	if err != nil {
		if isUnavailable(err) {
			t.clarify(t.say("gateway_unavailable"))
			return nil
		}
		return err
	}
	sv.Payment = p
	switch p.State {
	case PaymentPaid:
		t.push()
		t.sess.Stage = StageDone
		t.visit("paid", "payment_made")
	case PaymentPending:
		t.clarify(t.say("payment_waiting"))
	case PaymentSuperseded, PaymentRefundDue:
		t.visit("payment_"+p.State, "")
		t.sess.Stage = StageDone
		t.note(t.say("payment_" + p.State))
	default:
		t.visit("payment_"+p.State, "")
		t.clarify(t.say("payment_expired"))
	}
	return nil
}

// retryPayment makes a new order for the same bill or fee.
func (t cashier) retryPayment(ctx context.Context) error {
	sv := t.service()
	if sv.Payment != nil && sv.Payment.State == PaymentPending {
		t.note(t.say("payment_waiting"))
		return nil
	}
	switch {
	case sv.Bill != nil:
		return t.order(ctx, OrderRequest{Bill: sv.Bill, CustomerCode: sv.CustomerCode})
	case sv.DossierID != "":
		return t.order(ctx, OrderRequest{DossierID: sv.DossierID})
	}
	t.clarify(t.say("unclear"))
	return nil
}

// offerFee notes the fee a dossier just created owes, from the payments
// service (the catalogue's fee with the online reduction).
func (t cashier) offerFee(ctx context.Context, dossierID string) error {
	if t.svc.services.Payments == nil || dossierID == "" {
		return nil
	}
	fee, err := t.svc.services.Payments.FeeDue(ctx, dossierID)
	if err != nil {
		if apperr.IsKind(err, apperr.Conflict) || apperr.IsKind(err, apperr.NotFound) || isUnavailable(err) {
			return nil
		}
		return err
	}
	sv := t.service()
	sv.DossierID, sv.Fee = dossierID, fee
	return nil
}
