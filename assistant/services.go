package assistant

import (
	"context"
	"slices"
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

// SlugTourism is the tourist information: the guide searches the places
// with the visitor's words (places.go), and nothing personal is asked;
// without a places service it is handed over like a partner's.
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
	Places   Places
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
	// Code is what the resident keeps (TT-ABC-DEF-GHK), shown in the
	// largest type: with four digits it finds the payment and its receipt
	// again at "Tra cứu hồ sơ" after the visit ended.
	Code string `json:"code,omitempty"`
	// Papers are the receipt to print, once paid.
	Papers []Paper `json:"papers,omitempty"`
}

// Payment order states the guide tells apart.
const (
	PaymentPaid    = "paid"
	PaymentPending = "pending"
	// An earlier order of the same bill or fee was paid late: nothing is
	// owed on this one.
	PaymentSuperseded = "superseded"
	// This order was paid although an earlier one had paid already: the
	// money goes back through staff.
	PaymentRefundDue = "refund_due"
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
	// Injury and InProgress are the answer to "is it still happening, is
	// anyone hurt?": they raise the report's urgency and its numbers.
	Injury     bool
	InProgress bool
}

// ReportReceipt is what the resident keeps: the code, the numbers the
// routing says to call, and the papers the station can print about it.
type ReportReceipt struct {
	Code      string   `json:"code"`
	Emergency []string `json:"emergency,omitempty"`
	Papers    []Paper  `json:"papers,omitempty"`
}

// Reports sends reports through the usual routing.
type Reports interface {
	SendReport(ctx context.Context, r ReportRequest) (*ReportReceipt, error)
}

// DossierStatus is a dossier's, or a security report's, status in plain
// words, with the papers the station can print about it.
type DossierStatus struct {
	Kind         string     `json:"kind"` // TrackDossier, TrackReport or TrackPayment
	TrackingCode string     `json:"tracking_code"`
	Status       string     `json:"status"`
	NextStep     string     `json:"next_step,omitempty"`
	SubmittedOn  *time.Time `json:"submitted_on,omitempty"`
	ExpectedOn   *time.Time `json:"expected_on,omitempty"`
	Papers       []Paper    `json:"papers,omitempty"`
}

// TrackDossier, TrackReport and TrackPayment are the kinds of what a code
// follows.
const TrackDossier, TrackReport, TrackPayment = "dossier", "report", "payment"

// Paper is a signed paper the station's printer can print: the kiosk
// fetches URL and sends it to the printer under a button labelled Label.
type Paper struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Tracking looks a dossier up by its tracking code and the last four
// digits of the applicant's ID or phone number, a payment by its code
// (TT-…) and the last four digits of its customer code or of its dossier's
// ID or phone number, and a security report by its code (PA-…) alone;
// dossier and payment look-ups are rate-limited per code.
type Tracking interface {
	TrackDossier(ctx context.Context, code, last4, stationID string) (*DossierStatus, error)
	TrackReport(ctx context.Context, code, stationID string) (*DossierStatus, error)
	// TrackPayment answers apperr NotFound for a wrong code or wrong digits
	// alike.
	TrackPayment(ctx context.Context, code, last4, stationID string) (*DossierStatus, error)
}

// isProof tells the field of a look-up that proves the resident's claim:
// the last four characters of an ID, phone number or customer code.
func (c *conversation) isProof(f procedures.Field) bool {
	return c.entry != nil && c.entry.Slug == SlugStatusLookup && f.Name == "last4"
}

// isReportCode tells a security report's code (PA-…) from a dossier's.
func isReportCode(code string) bool {
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(code)), "PA-")
}

// isPaymentCode tells a payment's code (TT and a tracking code: 11
// symbols, however grouped) from a dossier's (9 symbols).
func isPaymentCode(code string) bool {
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", ".", "").Replace(strings.TrimSpace(code)))
	return len(c) == 11 && strings.HasPrefix(c, "TT")
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
	Places       *PlacesState   `json:"places,omitempty"`
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

// counter carries the kiosk's own services to their end: a security
// report sent, a dossier followed, a partner's service handed over.
type counter struct{ *turn }

// serves says whether the entry's end is a kiosk service the guide
// carries itself.
func (t counter) serves() bool {
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
func (t counter) serve(ctx context.Context) error {
	if t.entry.Slug == SlugStatusLookup {
		return t.followDossier(ctx) // a report's code needs no digits
	}
	if m := t.missing(); len(m) > 0 {
		return collector{t.turn}.submit(ctx) // asks the first missing field
	}
	switch t.entry.Slug {
	case SlugBillPayment:
		return cashier{t.turn}.findBills(ctx)
	case SlugReport:
		return t.sendReport(ctx)
	case SlugStatusLookup:
		return t.followDossier(ctx)
	}
	return collector{t.turn}.submit(ctx)
}

func (c *conversation) service() *ServiceState {
	if c.sess.State.Service == nil {
		c.sess.State.Service = &ServiceState{}
	}
	return c.sess.State.Service
}

// askField returns to the collect stage on one field, after a sentence
// saying why.
func (t counter) askField(name, why string) {
	t.clarify(why)
	t.push()
	delete(t.sess.Fields, name)
	t.sess.Stage, t.sess.State.Field, t.sess.State.Editing = StageCollect, name, true
}

// sendReport sends the report read back at the review.
func (t counter) sendReport(ctx context.Context) error {
	v := func(name string) string { return t.sess.Fields[name].Value }
	address := v("address")
	if address == AtStation {
		address = "" // the report service places it at the station
	}
	r := ReportRequest{Kind: v("incident_kind"), Description: v("description"), Address: address,
		OccurredOn: v("occurred_at"), Contact: v("phone"), Name: v("full_name"), StationID: t.sess.StationID,
		Injury: v(HappeningField) == HappeningInjury, InProgress: t.reportHappeningNow()}
	photos, err := t.svc.store.Photos(ctx, t.sess.ID)
	if err != nil {
		return err
	}
	r.Photos = photos
	rec, err := t.svc.services.Reports.SendReport(ctx, r)
	if err != nil {
		if apperr.IsKind(err, apperr.Invalid) || apperr.IsKind(err, apperr.RateLimited) {
			t.clarify(apperr.From(err).Message)
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
// digits of the ID or phone number: only those four are asked, never the
// whole number.
func (t counter) followDossier(ctx context.Context) error {
	code := t.sess.Fields["dossier_code"].Value
	digits := t.sess.Fields["last4"].Value
	report := isReportCode(code)
	switch {
	case code == "":
		t.askField("dossier_code", t.say("track_need_code"))
		return nil
	case len(digits) != 4 && !report:
		t.askField("last4", t.say("track_need_digits"))
		return nil
	}
	var st *DossierStatus
	var err error
	switch {
	case report:
		st, err = t.svc.services.Tracking.TrackReport(ctx, code, t.sess.StationID)
	case isPaymentCode(code):
		st, err = t.svc.services.Tracking.TrackPayment(ctx, code, digits, t.sess.StationID)
	default:
		st, err = t.svc.services.Tracking.TrackDossier(ctx, code, digits, t.sess.StationID)
	}
	switch {
	case apperr.IsKind(err, apperr.NotFound) && !report:
		// The code and the digits are refused alike; the digits are asked
		// again, the code kept ("Quay lại" returns to it).
		t.visit("track_not_found", "")
		t.askField("last4", apperr.From(err).Message)
		return nil
	case apperr.IsKind(err, apperr.NotFound), apperr.IsKind(err, apperr.Invalid):
		t.visit("track_not_found", "")
		t.askField("dossier_code", apperr.From(err).Message)
		return nil
	case apperr.IsKind(err, apperr.RateLimited):
		t.clarify(apperr.From(err).Message)
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
func (t counter) handOver() {
	t.push()
	t.sess.Stage = StageDone
	t.service().Handover = &Handover{Service: t.entry.Slug, Name: t.entry.Name, URL: t.entry.Source.URL}
	t.visit("handover", "")
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
	if cur, ok := c.sess.Fields[code.field]; ok && cur.Provenance == procedures.FromTyped {
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
			return v, procedures.FromQR, qr.Confidence
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
				return v, procedures.FromOCR, scanTextConfidence
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
