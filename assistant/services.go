package assistant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// The kiosk's own services — paying a bill or a fee, sending a security
// report, following a dossier, the partners' health and social-insurance
// services — are catalogue entries like the procedures: the guide explains
// them and asks their form one field at a time. What happens at the end
// is the service's own: this file carries it through the interfaces below,
// which the owning packages' adapters implement. Every amount, bill,
// status and code said here comes from those services.

// Service slugs of the catalogue the guide carries to the end.
const (
	SlugBillPayment  = "utility.bill-payment"
	SlugReport       = "report.security-incident"
	SlugStatusLookup = "dossier.status-lookup"
)

// handedOver are the partner services: explained, then handed over to the
// partner's screen without the station collecting anything.
var handedOver = map[string]bool{
	"health.insurance-purchase":      true,
	"health.telemedicine":            true,
	"social.insurance-lookup":        true,
	"finance.bank-account":           true,
	"finance.consumer-loan":          true,
	"telecom.subscriber-identify":    true,
	"signature.personal-certificate": true,
	SlugTourism:                      true,
}

// SlugTourism is the tourist information: the kiosk opens its own places
// screen with the visitor's words, and nothing personal is asked.
const SlugTourism = "tourism.information"

// AtStation is the place of a report made "right here": the report is
// located at the station the resident stands at.
const AtStation = "Ngay tại trạm công dân số này"

// Stages of the services.
const (
	StageBills Stage = "bills" // which of the bills found to pay
	StagePay   Stage = "pay"   // the VietQR shown, waiting for the money
)

// Choice ids of the services.
const (
	ChoiceCheck  = "check"   // has the payment arrived?
	ChoiceRetry  = "retry"   // a new QR after one expired or failed
	ChoicePayFee = "pay_fee" // pay the dossier's fee now
)

// Services are the kiosk services the guide uses; any may be nil, and the
// guide then ends that service with its draft as before.
type Services struct {
	Bills    Bills
	Payments Payments
	Reports  Reports
	Tracking Tracking
	Visits   Visits
}

// Bill is an unpaid bill as the biller reports it.
type Bill struct {
	ID          string `json:"id"`
	Biller      string `json:"biller"`
	Kind        string `json:"kind"`
	Period      string `json:"period"`
	Description string `json:"description"`
	Amount      int64  `json:"amount"`
}

// Bills finds a customer's unpaid bills of a kind (the catalogue's
// bill_kind values): apperr Invalid for a malformed code, Unavailable when
// the biller does not answer; an unknown code has no bills.
type Bills interface {
	FindBills(ctx context.Context, kind, customerCode string) ([]Bill, error)
}

// PaymentOrder is a payment order as the resident sees it.
type PaymentOrder struct {
	ID          string    `json:"id"`
	Amount      int64     `json:"amount"`
	Description string    `json:"description"`
	State       string    `json:"state"` // pending, paid, expired, failed, ...
	QRPayload   string    `json:"qr_payload,omitempty"`
	QRURL       string    `json:"qr_url,omitempty"`
	PayURL      string    `json:"pay_url,omitempty"`
	ExpiresAt   time.Time `json:"expires_at"`
	Receipt     string    `json:"receipt,omitempty"` // receipt number, once paid
}

// Payment order states the guide tells apart.
const (
	PaymentPaid    = "paid"
	PaymentPending = "pending"
)

// OrderRequest asks for a payment order of a bill or of a dossier's fee.
type OrderRequest struct {
	Key            string // idempotency key: the same request gives the same order
	Bill           *Bill
	CustomerCode   string
	DossierID      string
	StationID      string
	KioskSessionID string
}

// Payments makes payment orders and reports their state.
type Payments interface {
	Order(ctx context.Context, r OrderRequest) (*PaymentOrder, error)
	Payment(ctx context.Context, id string) (*PaymentOrder, error)
	// FeeDue is what a dossier owes (0 when nothing).
	FeeDue(ctx context.Context, dossierID string) (int64, error)
	// Watch calls changed with the order now and at every state change
	// until changed returns false or ctx ends.
	Watch(ctx context.Context, id string, changed func(*PaymentOrder) bool) error
}

// ReportRequest is a security or public-order report as the guide read it
// back to the resident.
type ReportRequest struct {
	Kind        string // the catalogue's incident_kind value
	Description string
	Address     string
	OccurredOn  string // YYYY-MM-DD, or empty
	Contact     string // empty: anonymous
	Name        string
	StationID   string
	Photos      []Photo // from the station's camera, at most MaxPhotos
}

// ReportReceipt is what the resident keeps.
type ReportReceipt struct {
	Code      string   `json:"code"`
	Emergency []string `json:"emergency,omitempty"`
}

// Reports sends reports through the usual routing.
type Reports interface {
	SendReport(ctx context.Context, r ReportRequest) (*ReportReceipt, error)
}

// DossierStatus is a dossier's status in plain words.
type DossierStatus struct {
	TrackingCode string     `json:"tracking_code"`
	Status       string     `json:"status"`
	NextStep     string     `json:"next_step"`
	ExpectedOn   *time.Time `json:"expected_on,omitempty"`
}

// Tracking looks a dossier up by its tracking code and the last four
// digits of the applicant's ID or phone number (rate-limited).
type Tracking interface {
	TrackDossier(ctx context.Context, code, last4, stationID string) (*DossierStatus, error)
}

// UsageRecord is one step of a kiosk visit for the station statistics.
type UsageRecord struct {
	StationID      string
	KioskSessionID string
	Service        string
	Step           string
	Outcome        string // dossier_filed, payment_made, report_sent or empty
}

// Visits records what residents did at the station (the kiosk session's
// usage record).
type Visits interface {
	RecordUsage(ctx context.Context, u UsageRecord) error
}

// Handover is the partner service's screen the kiosk opens.
type Handover struct {
	Service string `json:"service"`
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
}

// ServiceState is where a service's own steps stand.
type ServiceState struct {
	Bills        []Bill         `json:"bills,omitempty"`
	Bill         *Bill          `json:"bill,omitempty"`
	CustomerCode string         `json:"customer_code,omitempty"`
	DossierID    string         `json:"dossier_id,omitempty"`
	Payment      *PaymentOrder  `json:"payment,omitempty"`
	Attempt      int            `json:"attempt,omitempty"`
	Fee          int64          `json:"fee,omitempty"`
	Status       *DossierStatus `json:"status,omitempty"`
	Report       *ReportReceipt `json:"report,omitempty"`
	Handover     *Handover      `json:"handover,omitempty"`
}

// WatchPayment follows the payment order of session id: changed is called
// with its state now and at each change until it returns false.
func (s *Service) WatchPayment(ctx context.Context, id string, changed func(*PaymentOrder) bool) error {
	sess, err := s.store.Get(ctx, id, s.now())
	if err != nil {
		return err
	}
	sv := sess.State.Service
	if sv == nil || sv.Payment == nil || s.services.Payments == nil {
		return apperr.New(apperr.NotFound, "no_payment", "Phiên này chưa có lệnh thanh toán nào.")
	}
	return s.services.Payments.Watch(ctx, sv.Payment.ID, changed)
}

// visit notes a step of the visit, recorded when the turn ends.
func (t *turn) visit(step, outcome string) {
	if t.sess.Procedure == nil {
		return
	}
	t.used = append(t.used, UsageRecord{StationID: t.sess.StationID, KioskSessionID: t.sess.KioskSessionID,
		Service: t.sess.Procedure.Slug, Step: step, Outcome: outcome})
}

// recordUsage writes the turn's usage; statistics never fail a turn.
func (t *turn) recordUsage(ctx context.Context) {
	u := t.svc.services.Visits
	if u == nil || t.sess.KioskSessionID == "" || t.sess.StationID == "" {
		return
	}
	for _, r := range t.used {
		if err := u.RecordUsage(ctx, r); err != nil {
			t.svc.log.Warn("kiosk usage not recorded", "session", t.sess.ID, "err", err)
		}
	}
}

// serves says whether the entry's end is a kiosk service the guide
// carries itself.
func (t *turn) serves() bool {
	if t.entry == nil {
		return false
	}
	s := t.svc.services
	switch t.entry.Slug {
	case SlugBillPayment:
		return s.Bills != nil && s.Payments != nil
	case SlugReport:
		return s.Reports != nil
	case SlugStatusLookup:
		return s.Tracking != nil
	}
	return false
}

// serve ends the review of a kiosk service: the bills found, the report
// sent, the dossier's status.
func (t *turn) serve(ctx context.Context) error {
	if m := t.missing(); len(m) > 0 {
		return t.submit(ctx) // asks the first missing field
	}
	switch t.entry.Slug {
	case SlugBillPayment:
		return t.findBills(ctx)
	case SlugReport:
		return t.sendReport(ctx)
	case SlugStatusLookup:
		return t.followDossier(ctx)
	}
	return t.submit(ctx)
}

func (c *conversation) service() *ServiceState {
	if c.sess.State.Service == nil {
		c.sess.State.Service = &ServiceState{}
	}
	return c.sess.State.Service
}

// askField returns to the collect stage on one field, after a sentence
// saying why.
func (t *turn) askField(name, why string) {
	t.status = StatusClarify
	t.note(why)
	t.push()
	delete(t.sess.Fields, name)
	t.sess.Stage, t.sess.State.Field, t.sess.State.Editing = StageCollect, name, true
}

// findBills looks the customer's bills up and shows them with their amounts.
func (t *turn) findBills(ctx context.Context) error {
	kind, code := t.sess.Fields["bill_kind"].Value, strings.ToUpper(t.sess.Fields["customer_code"].Value)
	bills, err := t.svc.services.Bills.FindBills(ctx, kind, code)
	switch {
	case apperr.IsKind(err, apperr.Invalid), apperr.IsKind(err, apperr.NotFound):
		t.visit("bill_code_unknown", "")
		t.askField("customer_code", t.say("bill_code_unknown", "code", code))
		return nil
	case apperr.IsKind(err, apperr.Unsupported):
		t.visit("bill_kind_unsupported", "")
		t.askField("bill_kind", apperr.From(err).Message)
		return nil
	case err != nil && isUnavailable(err):
		t.visit("biller_unavailable", "")
		t.status = StatusClarify
		t.note(t.say("biller_unavailable"))
		return nil
	case err != nil:
		return err
	case len(bills) == 0:
		t.visit("bill_none", "")
		t.askField("customer_code", t.say("bill_none", "code", code))
		return nil
	}
	t.push()
	sv := t.service()
	sv.Bills, sv.CustomerCode, sv.Bill, sv.Payment = bills, code, nil, nil
	t.sess.Stage = StageBills
	t.visit("bills", "")
	return nil
}

func isUnavailable(err error) bool {
	return apperr.IsKind(err, apperr.Unavailable) || apperr.IsKind(err, apperr.Timeout) || errors.Is(err, context.DeadlineExceeded)
}

// routeBills reads which bill the resident pays.
func (t *turn) routeBills() Intent {
	sv := t.service()
	if n, ok := choiceNumber(t.folded); ok {
		if n >= 1 && n <= len(sv.Bills) {
			return Intent{Action: "choose", Arg: sv.Bills[n-1].ID}
		}
		return Intent{Action: "unclear"}
	}
	if yes, err := parseYesNo(t.folded); err == nil && yes && len(sv.Bills) == 1 {
		return Intent{Action: "choose", Arg: sv.Bills[0].ID}
	}
	if isOneOf(t.folded, confirmWords) && len(sv.Bills) == 1 {
		return Intent{Action: "choose", Arg: sv.Bills[0].ID}
	}
	return Intent{Action: "unclear"}
}

// routePay reads the resident's word while the QR is shown.
func (t *turn) routePay() Intent {
	f := t.folded
	switch {
	case containsPhrase(f, []string{"da tra", "da chuyen", "chuyen roi", "tra roi", "xong roi", "da thanh toan", "kiem tra"}) || isOneOf(f, nextWords):
		return Intent{Action: ChoiceCheck}
	case containsPhrase(f, []string{"ma moi", "thu lai", "lam lai", "tao lai"}):
		return Intent{Action: ChoiceRetry}
	}
	return Intent{Action: "unclear"}
}

// payBill makes the payment order of the chosen bill.
func (t *turn) payBill(ctx context.Context, billID string) error {
	sv := t.service()
	for i := range sv.Bills {
		if sv.Bills[i].ID == billID {
			b := sv.Bills[i]
			sv.Bill = &b
		}
	}
	if sv.Bill == nil {
		t.status = StatusClarify
		t.note(t.say("unclear"))
		return nil
	}
	return t.order(ctx, OrderRequest{Bill: sv.Bill, CustomerCode: sv.CustomerCode})
}

// order asks the payments service for an order and shows its QR.
func (t *turn) order(ctx context.Context, r OrderRequest) error {
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
		t.status = StatusClarify
		t.note(t.say("bill_paid_already"))
		return nil
	case err != nil && isUnavailable(err):
		t.visit("payment_unavailable", "")
		t.status = StatusClarify
		t.note(t.say("gateway_unavailable"))
		return nil
	case err != nil:
		return err
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
func (t *turn) checkPayment(ctx context.Context) error {
	sv := t.service()
	if sv.Payment == nil {
		t.status = StatusClarify
		t.note(t.say("unclear"))
		return nil
	}
	p, err := t.svc.services.Payments.Payment(ctx, sv.Payment.ID)
	if err != nil {
		if isUnavailable(err) {
			t.status = StatusClarify
			t.note(t.say("gateway_unavailable"))
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
		t.status = StatusClarify
		t.note(t.say("payment_waiting"))
	default:
		t.visit("payment_"+p.State, "")
		t.status = StatusClarify
		t.note(t.say("payment_expired"))
	}
	return nil
}

// retryPayment makes a new order for the same bill or fee.
func (t *turn) retryPayment(ctx context.Context) error {
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
	t.status = StatusClarify
	t.note(t.say("unclear"))
	return nil
}

// offerFee notes the fee a dossier just created owes, from the payments
// service (the catalogue's fee with the online reduction).
func (t *turn) offerFee(ctx context.Context, dossierID string) error {
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

// sendReport sends the report read back at the review.
func (t *turn) sendReport(ctx context.Context) error {
	v := func(name string) string { return t.sess.Fields[name].Value }
	address := v("address")
	if address == AtStation {
		address = "" // the report service places it at the station
	}
	r := ReportRequest{Kind: v("incident_kind"), Description: v("description"), Address: address,
		OccurredOn: v("occurred_at"), Contact: v("phone"), Name: v("full_name"), StationID: t.sess.StationID}
	photos, err := t.svc.store.Photos(ctx, t.sess.ID)
	if err != nil {
		return err
	}
	r.Photos = photos
	rec, err := t.svc.services.Reports.SendReport(ctx, r)
	if err != nil {
		if apperr.IsKind(err, apperr.Invalid) || apperr.IsKind(err, apperr.RateLimited) {
			t.status = StatusClarify
			t.note(apperr.From(err).Message)
			return nil
		}
		return err
	}
	// The report holds the photos now, EXIF stripped: not kept twice.
	if err := t.svc.store.DropPhotos(ctx, t.sess.ID); err != nil {
		t.svc.log.Warn("report photos not dropped", "session", t.sess.ID, "err", err)
	}
	t.push()
	t.service().Report = rec
	t.sess.Stage = StageDone
	t.visit("report_sent", "report_sent")
	return nil
}

// followDossier looks the dossier up with the code and the last four
// digits of the ID or phone number given.
func (t *turn) followDossier(ctx context.Context) error {
	code := t.sess.Fields["dossier_code"].Value
	digits := t.sess.Fields["id_number"].Value
	if digits == "" {
		digits = t.sess.Fields["phone"].Value
	}
	switch {
	case code == "":
		t.askField("dossier_code", t.say("track_need_code"))
		return nil
	case len(digits) < 4:
		t.askField("phone", t.say("track_need_digits"))
		return nil
	}
	st, err := t.svc.services.Tracking.TrackDossier(ctx, code, digits[len(digits)-4:], t.sess.StationID)
	switch {
	case apperr.IsKind(err, apperr.NotFound), apperr.IsKind(err, apperr.Invalid):
		t.visit("track_not_found", "")
		t.askField("dossier_code", apperr.From(err).Message)
		return nil
	case apperr.IsKind(err, apperr.RateLimited):
		t.status = StatusClarify
		t.note(apperr.From(err).Message)
		return nil
	case err != nil:
		return err
	}
	t.push()
	t.service().Status = st
	t.sess.Stage = StageDone
	t.visit("tracked", "")
	return nil
}

// handOver ends the explanation of a partner service: the kiosk opens the
// partner's screen.
func (t *turn) handOver() {
	t.push()
	t.sess.Stage = StageDone
	t.service().Handover = &Handover{Service: t.entry.Slug, Name: t.entry.Name, URL: t.entry.Source.URL}
	t.visit("handover", "")
}

// presentService puts a service's position; it returns false for the
// stages the guide presents itself.
func (t *turn) presentService(s *screen) bool {
	sv := t.sess.State.Service
	switch t.sess.Stage {
	case StageBills:
		t.presentBills(s, sv)
		return true
	case StagePay:
		p := sv.Payment
		s.say(t.say("payment_qr", "amount", FormatVND(p.Amount), "description", p.Description,
			"minutes", strconv.Itoa(max(1, int(time.Until(p.ExpiresAt).Round(time.Minute).Minutes())))))
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

// presentBills lists the bills found with their amounts.
func (t *turn) presentBills(s *screen, sv *ServiceState) {
	t.reply.Bills = sv.Bills
	var b strings.Builder
	b.WriteString(t.say("bills_found", "count", strconv.Itoa(len(sv.Bills)), "code", sv.CustomerCode))
	for i, bl := range sv.Bills {
		label := fmt.Sprintf("%d. %s: %s", i+1, bl.Description, FormatVND(bl.Amount))
		b.WriteString("\n" + label)
		s.offer(Choice{ID: "bill:" + bl.ID, Label: label})
	}
	if len(sv.Bills) == 1 {
		b.WriteString("\n" + t.say("bill_confirm_one"))
	} else {
		b.WriteString("\n" + t.say("bill_which"))
	}
	s.say(b.String())
}

// presentServed says how a service ended: paid, handed over, reported or
// looked up. It returns false when the service did none of these.
func (t *turn) presentServed(s *screen, sv *ServiceState) bool {
	switch {
	case sv.Payment != nil && sv.Payment.State == PaymentPaid:
		t.reply.Payment = sv.Payment
		s.say(t.say("payment_paid", "amount", FormatVND(sv.Payment.Amount), "description", sv.Payment.Description,
			"receipt", sv.Payment.Receipt))
	case sv.Handover != nil:
		t.reply.Handover = sv.Handover
		s.say(t.say("handover_partner", "name", sv.Handover.Name) + "\n" + t.say("handover_scam"))
	case sv.Report != nil:
		t.reply.Report = sv.Report
		s.say(t.say("report_sent", "code", sv.Report.Code))
	case sv.Status != nil:
		t.reply.DossierStatus = sv.Status
		line := t.say("track_status", "code", sv.Status.TrackingCode, "status", sv.Status.Status, "next", sv.Status.NextStep)
		if sv.Status.ExpectedOn != nil {
			line += " " + t.say("track_expected", "date", sv.Status.ExpectedOn.Format("02/01/2006"))
		}
		s.say(line)
	default:
		return false
	}
	return true
}

// feeOffer is added to the done stage of a dossier that owes a fee.
func (t *turn) feeOffer(s *screen) {
	sv := t.sess.State.Service
	if sv == nil || sv.Fee <= 0 || sv.Payment != nil {
		return
	}
	s.say(t.say("fee_due", "amount", FormatVND(sv.Fee)))
	s.offerFirst(t.choice(ChoicePayFee))
}

// allowedAmounts are the amounts the services gave this session: a model
// may repeat them and no other.
func (t *turn) allowedAmounts() []int64 {
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

// scanCode is a code a kiosk service reads from a scan: the form field it
// fills and the labels printed before it.
type scanCode struct {
	field  string
	labels []string
}

// scanCodes: a dossier receipt's QR code holds its tracking code; a bill
// shows its customer code in a QR code or after its label.
var scanCodes = map[string]scanCode{
	SlugBillPayment:  {"customer_code", []string{"ma khach hang", "ma kh", "customer code"}},
	SlugStatusLookup: {"dossier_code", []string{"ma ho so", "ma tra cuu", "so bien nhan"}},
}

// scannedCode fills the code the current service asks for when the scan
// holds one: a QR code's text, or the word after the code's label (less
// sure, so read back to the resident). It returns how many fields it
// filled; a typed value wins, as for the ID card's fields.
func (c *conversation) scannedCode(sc *Scan) int {
	code, ok := scanCodes[c.entry.Slug]
	if !ok {
		return 0
	}
	if cur, ok := c.sess.Fields[code.field]; ok && cur.Provenance == FromTyped {
		return 0
	}
	field, ok := c.entry.Field(code.field)
	if !ok {
		return 0
	}
	v, prov, conf := codeOnScan(field, code.labels, sc)
	if v == "" {
		return 0
	}
	confirmed := conf >= ConfidenceFloor
	c.sess.Fields[code.field] = Value{Value: v, Provenance: prov, Confidence: conf, Confirmed: confirmed}
	if st := &c.sess.State; !confirmed && !slices.Contains(st.Confirming, code.field) {
		st.Confirming = append(st.Confirming, code.field)
	}
	return 1
}

// codeOnScan finds a value of field on sc: the whole text of a QR code,
// else the first word after one of the labels (on the label's line or the
// next).
func codeOnScan(field procedures.Field, labels []string, sc *Scan) (string, Provenance, float64) {
	if qr, ok := sc.Fields[ScanQRPayload]; ok {
		if v, err := ParseValue(field, strings.ToUpper(strings.TrimSpace(qr.Value))); err == nil {
			return v, FromQR, qr.Confidence
		}
	}
	lines := strings.Split(sc.Text, "\n")
	for i, line := range lines {
		f := vietnamese.Fold(line)
		for _, label := range labels {
			at := strings.Index(f, label)
			if at < 0 {
				continue
			}
			rest := f[at+len(label):]
			if k := strings.LastIndex(rest, ":"); k >= 0 {
				rest = rest[k+1:]
			}
			words := strings.Fields(rest)
			if len(words) == 0 && i+1 < len(lines) {
				words = strings.Fields(vietnamese.Fold(lines[i+1]))
			}
			if len(words) == 0 {
				continue
			}
			if v, err := ParseValue(field, strings.ToUpper(words[0])); err == nil {
				return v, FromOCR, scanTextConfidence
			}
		}
	}
	return "", "", 0
}

// ScanQRPayload is the scan field holding a QR code that is not an ID
// card's (the ocr package's FieldQRPayload).
const ScanQRPayload = "qr_payload"

// scanTextConfidence is a code read from printed text: under the
// ConfidenceFloor, so the resident confirms it.
const scanTextConfidence = 0.8
