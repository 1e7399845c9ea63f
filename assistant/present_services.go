package assistant

import (
	"fmt"
	"strconv"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// servicePresenter puts a kiosk service's position to the resident: the
// bills found, a payment waiting, the service's result and a fee to pay.
type servicePresenter struct{ *turn }

// presentService puts a service's position; it returns false for the
// stages the guide presents itself.
func (t servicePresenter) presentService(s *screen) bool {
	sv := t.sess.State.Service
	switch t.sess.Stage {
	case StageBills:
		t.presentBills(s, sv)
		return true
	case StagePlaces:
		t.presentPlaces(s)
		return true
	case StagePay:
		p := sv.Payment
		s.say(t.say("payment_qr", "amount", FormatVND(p.Amount), "description", p.Description,
			"minutes", strconv.Itoa(max(1, int(time.Until(p.ExpiresAt).Round(time.Minute).Minutes())))))
		if p.Code != "" && p.State == PaymentPending {
			// The digits that go with the code are the customer code's for
			// a bill, the dossier's ID or phone number's for a fee.
			key := "payment_code_fee"
			if sv.Bill != nil {
				key = "payment_code_bill"
			}
			s.say(t.say(key, "code", p.Code))
		}
		t.reply.Payment = p
		if p.State != PaymentPending {
			s.offer(t.choice(ChoiceRetry))
		} else {
			s.offer(t.choice(ChoiceCheck))
		}
		return true
	case StageDone:
		if sv == nil || !t.presentServed(s, sv) {
			return false // a filed dossier, perhaps with its fee to pay
		}
		s.offer(t.choice(ChoiceRestart))
		return true
	}
	return false
}

// presentBills offers the bills found with their amounts.
func (t servicePresenter) presentBills(s *screen, sv *ServiceState) {
	t.reply.Bills = sv.Bills
	s.say(t.say("bills_found", "count", strconv.Itoa(len(sv.Bills)), "code", sv.CustomerCode))
	for i, bl := range sv.Bills {
		s.offerAloud(Choice{ID: "bill:" + bl.ID, Label: fmt.Sprintf("%d. %s: %s", i+1, bl.Description, FormatVND(bl.Amount))})
	}
	if len(sv.Bills) == 1 {
		s.say(t.say("bill_confirm_one"))
	} else {
		s.say(t.say("bill_which"))
	}
}

// presentServed says how a service ended: paid, handed over, reported or
// looked up. It returns false when the service did none of these.
func (t servicePresenter) presentServed(s *screen, sv *ServiceState) bool {
	switch {
	case sv.Payment != nil && sv.Payment.State == PaymentPaid:
		t.reply.Payment = sv.Payment
		s.say(t.say("payment_paid", "amount", FormatVND(sv.Payment.Amount), "description", sv.Payment.Description,
			"receipt", sv.Payment.Receipt))
		if sv.Payment.Code != "" {
			s.say(t.say("payment_paid_code", "code", sv.Payment.Code))
		}
	case sv.Handover != nil:
		t.reply.Handover = sv.Handover
		s.say(t.say("handover_partner", "name", sv.Handover.Name) + "\n" + t.say("handover_scam"))
	case sv.Report != nil:
		t.reply.Report = sv.Report
		s.say(t.say("report_sent", "code", sv.Report.Code))
	case sv.Status != nil:
		t.presentStatus(s, sv.Status)
	default:
		return false
	}
	return true
}

// presentStatus says where a dossier or a report stands, one fact a line.
func (t servicePresenter) presentStatus(s *screen, st *DossierStatus) {
	t.reply.DossierStatus = st
	day := func(d *time.Time) string { return vietnamese.Day(*d) }
	if st.Kind == TrackPayment {
		s.say(t.say("track_payment_status", "code", st.TrackingCode, "status", st.Status, "next", st.NextStep))
		return
	}
	if st.Kind == TrackReport {
		s.say(t.say("track_report_status", "code", st.TrackingCode, "status", st.Status))
		if st.SubmittedOn != nil {
			s.say(t.say("track_report_sent", "date", day(st.SubmittedOn)))
		}
		return
	}
	s.say(t.say("track_status", "code", st.TrackingCode, "status", st.Status, "next", st.NextStep))
	if st.SubmittedOn != nil {
		s.say(t.say("track_submitted", "date", day(st.SubmittedOn)))
	}
	if st.ExpectedOn != nil {
		s.say(t.say("track_expected", "date", day(st.ExpectedOn)))
	}
}

// feeOffer is added to the done stage of a dossier that owes a fee.
func (t servicePresenter) feeOffer(s *screen) {
	sv := t.sess.State.Service
	if sv == nil || sv.Fee <= 0 || sv.Payment != nil {
		return
	}
	s.say(t.say("fee_due", "amount", FormatVND(sv.Fee)))
	s.offerFirst(t.choice(ChoicePayFee))
}

// allowedAmounts are the amounts the services gave this session: a model
// may repeat them and no other.
func (t servicePresenter) allowedAmounts() []int64 {
	sv := t.sess.State.Service
	if sv == nil {
		return nil
	}
	var out []int64
	for _, b := range sv.Bills {
		out = append(out, b.Amount)
	}
	if sv.Payment != nil {
		out = append(out, sv.Payment.Amount)
	}
	if sv.Fee > 0 {
		out = append(out, sv.Fee)
	}
	return out
}
