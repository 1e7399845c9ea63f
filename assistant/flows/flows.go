// Package flows joins the assistant to the kiosk's own services: it adapts
// payments, reports, dossiers and kiosk to the small interfaces the
// assistant declares (assistant/services.go), so that neither side imports
// the other and a resident is carried to the end of each service in one
// conversation.
package flows

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
	"github.com/citizenstation/citizenstation/procedures/places"
)

// Parts are the services the flows use.
type Parts struct {
	Pool *pgxpool.Pool
	// Live is the replica's listener, which must listen on
	// payments.Channel: a kiosk waiting on its payment follows it there.
	Live     *live.Listener
	Payments *payments.Service
	Fees     payments.FeeSource
	Reports  *reports.Service
	Dossiers *dossiers.Service
	Kiosk    *kiosk.Service
	Places   *places.Service
}

// Services returns the assistant's services over the parts.
func Services(p Parts) assistant.Services {
	var s assistant.Services
	if p.Payments != nil {
		s.Bills = Bills{Payments: p.Payments}
		s.Payments = Payments{Service: p.Payments, Fees: p.Fees, Live: p.Live}
	}
	if p.Reports != nil {
		s.Reports = Reports{Service: p.Reports}
	}
	if p.Dossiers != nil {
		s.Tracking = Tracking{Dossiers: p.Dossiers, Reports: p.Reports, Payments: p.Payments}
	}
	if p.Kiosk != nil {
		s.Visits = Visits{Kiosk: p.Kiosk}
	}
	if p.Places != nil {
		s.Places = Places{Service: p.Places}
	}
	return s
}

// billCategories maps the catalogue's bill_kind values to the billers'
// categories.
var billCategories = map[string]string{
	"electricity": "electricity",
	"water":       "water",
	"internet":    "internet",
	"telecom":     "telecom",
	"tuition":     "tuition",
	"building":    "apartment_management",
}

// Bills finds bills at every biller of the kind.
type Bills struct{ Payments *payments.Service }

// FindBills returns the customer's unpaid bills of kind.
func (b Bills) FindBills(ctx context.Context, kind, code string) ([]assistant.Bill, error) {
	category, ok := billCategories[kind]
	if !ok {
		return nil, apperr.New(apperr.Unsupported, "bill_kind_unsupported", "Loại hóa đơn này chưa trả được tại trạm.")
	}
	out := []assistant.Bill{}
	served := false
	for _, info := range b.Payments.Billers() {
		if !contains(info.Categories, category) {
			continue
		}
		served = true
		bills, err := b.Payments.Bills(ctx, info.ID, code)
		if err != nil {
			return nil, err
		}
		for _, bl := range bills {
			if bl.Category == category {
				out = append(out, assistant.Bill{ID: bl.ID, Biller: info.ID, Kind: kind, Period: bl.Period,
					Description: bl.Description, Amount: bl.Amount})
			}
		}
	}
	if !served {
		return nil, apperr.New(apperr.Unsupported, "bill_kind_unsupported", "Trạm chưa nhận trả loại hóa đơn này. Bác chọn loại hóa đơn khác, hoặc bấm “Gọi cán bộ”.")
	}
	return out, nil
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// stationID is id when it can name a registered station (kiosk ids are
// UUIDs); a session opened elsewhere (an evaluation's "eval") has none.
func stationID(id string) string {
	if uuidRe.MatchString(id) {
		return id
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Payments makes orders through the payments service.
type Payments struct {
	Service *payments.Service
	Fees    payments.FeeSource
	Live    *live.Listener
}

// Order makes the payment order of a bill or a dossier's fee; the amount
// comes from the biller or the dossier, never from the conversation.
func (p Payments) Order(ctx context.Context, r assistant.OrderRequest) (*assistant.PaymentOrder, error) {
	req := payments.Request{Purpose: payments.PurposeFee, DossierID: r.DossierID, KioskSessionID: r.KioskSessionID,
		StationID: stationID(r.StationID), IPAddr: "127.0.0.1"}
	if r.Bill != nil {
		req.Purpose, req.DossierID = payments.PurposeBill, ""
		req.Biller, req.CustomerCode, req.BillID = r.Bill.Biller, r.CustomerCode, r.Bill.ID
	}
	order, _, err := p.Service.Create(ctx, r.Key, req)
	if err != nil {
		return nil, err
	}
	return paymentOrder(order), nil
}

// Payment returns the order's current state.
func (p Payments) Payment(ctx context.Context, id string) (*assistant.PaymentOrder, error) {
	order, err := p.Service.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return paymentOrder(order), nil
}

// FeeDue is what the dossier owes, 0 when nothing.
func (p Payments) FeeDue(ctx context.Context, dossierID string) (int64, error) {
	if p.Fees == nil {
		return 0, nil
	}
	f, err := p.Fees.FeeDue(ctx, dossierID)
	if err != nil {
		return 0, err
	}
	return f.Amount, nil
}

// Watch follows the order's state through the replica's listener, so a
// change made by any replica (the gateway's IPN) reaches this one; a
// watcher costs no connection of the pool. It ends when changed returns
// false, ctx ends or the replica shuts down.
func (p Payments) Watch(ctx context.Context, id string, changed func(*assistant.PaymentOrder) bool) error {
	if p.Live == nil {
		return apperr.New(apperr.Unavailable, "live_unavailable", "Chưa theo dõi được thanh toán lúc này. Xin chạm “Kiểm tra”.")
	}
	sub, err := p.Live.Subscribe(payments.Channel)
	if err != nil {
		return err
	}
	defer sub.Close()
	// The state now, after subscribing: nothing is missed between the two.
	cur, err := p.Payment(ctx, id)
	if err != nil {
		return err
	}
	if !changed(cur) {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case n, open := <-sub.C:
			if !open {
				return nil
			}
			if !n.Resync && !sub.Lost() {
				var ev payments.Event
				if json.Unmarshal([]byte(n.Payload), &ev) != nil || ev.PaymentID != id {
					continue
				}
			}
			cur, err := p.Payment(ctx, id)
			if err != nil {
				return err
			}
			if !changed(cur) {
				return nil
			}
		}
	}
}

func paymentOrder(p *payments.Payment) *assistant.PaymentOrder {
	o := &assistant.PaymentOrder{ID: p.ID, Amount: p.Amount, Description: p.Description, State: p.State,
		PayURL: p.PayURL, ExpiresAt: p.ExpiresAt}
	if p.VietQR != nil {
		o.QRPayload, o.QRURL = p.VietQR.Payload, p.VietQR.PNG
	}
	o.Code = p.LookupCode
	if p.Receipt != nil {
		o.Receipt = p.Receipt.Number
		o.Papers = []assistant.Paper{{Name: "receipt", Label: "In biên lai", URL: "/api/v1/payments/" + url.PathEscape(p.ID) + "/receipt.pdf"}}
	}
	return o
}

// reportCategories maps the catalogue's incident_kind (plain-language
// choices) to the report routing's categories.
var reportCategories = map[string]string{
	"disorder": "violence",
	"theft":    "theft",
	"fraud":    "public_order",
	"traffic":  "traffic_accident",
	"fire":     "fire",
	"racing":   "public_order",
	"other":    "suspicious",
}

// Reports sends reports from the kiosk through the usual routing.
type Reports struct{ Service *reports.Service }

// SendReport submits the report the resident confirmed.
func (r Reports) SendReport(ctx context.Context, in assistant.ReportRequest) (*assistant.ReportReceipt, error) {
	category, ok := reportCategories[in.Kind]
	if !ok {
		category = "suspicious"
	}
	sub := reports.Submission{Category: category, Description: in.Description, Address: in.Address,
		StationID: stationID(in.StationID), Contact: in.Contact, Channel: reports.Kiosk,
		Injury: in.Injury, InProgress: in.InProgress}
	if sub.StationID == "" {
		sub.Channel = reports.Web
	}
	if in.Name != "" && in.Contact != "" {
		sub.Contact = in.Name + " – " + in.Contact
	}
	for _, p := range in.Photos {
		sub.Files = append(sub.Files, reports.Upload{Name: p.Name, Data: p.Data})
	}
	if in.OccurredOn != "" {
		if d, err := time.ParseInLocation("2006-01-02", in.OccurredOn, time.Local); err == nil {
			sub.OccurredAt = &d
		}
	}
	rec, err := r.Service.Submit(ctx, sub)
	if err != nil {
		return nil, err
	}
	out := &assistant.ReportReceipt{Code: rec.Code, Papers: []assistant.Paper{{Name: "ack", Label: "In giấy xác nhận",
		URL: "/api/v1/reports/track/" + url.PathEscape(rec.Code) + "/ack.pdf"}}}
	if rec.Emergency != nil {
		out.Emergency = rec.Emergency.Call
	}
	return out, nil
}

// Tracking looks dossiers up as the public tracking page does, with its
// rate limits.
type Tracking struct {
	Dossiers *dossiers.Service
	Reports  *reports.Service  // nil: report codes are not followed
	Payments *payments.Service // nil: payment codes are not followed
}

// TrackDossier returns the dossier's status in plain words, with its
// tracking slip and, once the ward decided, the decision to print (the
// routes of procedures/dossiers, proved by the pass the look-up handed
// out: the four digits never go into a paper's address).
func (t Tracking) TrackDossier(ctx context.Context, code, last4, stationID string) (*assistant.DossierStatus, error) {
	tr, err := t.Dossiers.Track(ctx, audit.Actor{Role: "kiosk", IP: "station:" + stationID}, strings.TrimSpace(code), last4)
	if err != nil {
		return nil, err
	}
	base := "/api/v1/track/" + url.PathEscape(tr.TrackingCode)
	proof := "?" + url.Values{"pass": {tr.Pass}}.Encode()
	papers := []assistant.Paper{{Name: "slip", Label: "In phiếu theo dõi", URL: base + "/slip.pdf" + proof}}
	if tr.HasDecision() {
		papers = append(papers, assistant.Paper{Name: "decision", Label: "In thông báo của phường", URL: base + "/decision.pdf" + proof})
	}
	return &assistant.DossierStatus{Kind: assistant.TrackDossier, TrackingCode: tr.TrackingCode, Status: tr.StatusLabel,
		NextStep: tr.NextStep, SubmittedOn: tr.SubmittedAt, ExpectedOn: tr.ExpectedOn, Papers: papers}, nil
}

// TrackReport returns a security report's status, with its signed
// acknowledgement to print.
func (t Tracking) TrackReport(ctx context.Context, code, stationID string) (*assistant.DossierStatus, error) {
	if t.Reports == nil {
		return nil, apperr.New(apperr.NotFound, "report_not_found", "Trạm này chưa tra cứu được phản ánh. Bác bấm “Gọi cán bộ”.")
	}
	r, err := t.Reports.Track(ctx, "station:"+stationID, code)
	if err != nil {
		return nil, err
	}
	created := r.CreatedAt
	return &assistant.DossierStatus{Kind: assistant.TrackReport, TrackingCode: r.Code, Status: r.Label, SubmittedOn: &created,
		Papers: []assistant.Paper{{Name: "ack", Label: "In giấy xác nhận", URL: "/api/v1/reports/track/" + url.PathEscape(r.Code) + "/ack.pdf"}}}, nil
}

// paymentStates are a payment's states in the resident's words.
var paymentStates = map[string]string{
	payments.StatePending:    "Đang chờ tiền đến",
	payments.StatePaid:       "Đã thanh toán",
	payments.StateFailed:     "Không thành công, Bác chưa bị trừ tiền",
	payments.StateExpired:    "Đã hết hạn, Bác chưa bị trừ tiền",
	payments.StateRefunded:   "Đã hoàn tiền",
	payments.StateSuperseded: "Không cần trả: khoản này đã được trả bằng giao dịch trước",
	payments.StateRefundDue:  "Khoản này đã được trả trước đó, số tiền sẽ được hoàn lại",
}

// TrackPayment returns a payment found by its code and four digits, with
// its signed receipt to print once paid: the way back to a payment whose
// visit ended before the resident saw the receipt.
func (t Tracking) TrackPayment(ctx context.Context, code, last4, stationID string) (*assistant.DossierStatus, error) {
	if t.Payments == nil {
		return nil, apperr.New(apperr.NotFound, "payment_lookup_not_found", "Trạm này chưa tra cứu được thanh toán. Bác bấm “Gọi cán bộ”.")
	}
	p, err := t.Payments.Lookup(ctx, "station:"+stationID, code, last4)
	if err != nil {
		return nil, err
	}
	next := p.Description + ": " + assistant.FormatVND(p.Amount) + "."
	st := &assistant.DossierStatus{Kind: assistant.TrackPayment, TrackingCode: p.LookupCode, Status: cmp.Or(paymentStates[p.State], p.State)}
	if p.Receipt != nil {
		next += " Số biên lai: " + p.Receipt.Number + "."
		st.Papers = []assistant.Paper{{Name: "receipt", Label: "In biên lai", URL: payments.ReceiptURL(p.LookupCode, t.Payments.ReceiptPass(p.LookupCode))}}
	}
	st.NextStep = next
	return st, nil
}

// Visits fills the kiosk session's usage record.
type Visits struct{ Kiosk *kiosk.Service }

// RecordUsage records one step of the visit.
func (v Visits) RecordUsage(ctx context.Context, u assistant.UsageRecord) error {
	_, err := v.Kiosk.Touch(ctx, u.StationID, u.KioskSessionID, kiosk.Activity{Service: u.Service, Step: u.Step, Outcome: u.Outcome})
	return err
}

// Dossiers files the assistant's draft as a dossier of the ward of the
// address it concerns (the new address when moving house, the address of
// the stay), or, when that address names no ward, of the station the
// resident stands at.
type Dossiers struct {
	Dossiers *dossiers.Service
	Stations *kiosk.Service
	// Pool holds the imported wards; without it the station's ward is used.
	Pool *pgxpool.Pool
}

// addressFields are the draft fields, in order of preference, whose
// address decides the ward a dossier goes to.
var addressFields = []string{"address", "place_of_residence"}

// ward decides the ward of a draft filed at station st.
func (a Dossiers) ward(ctx context.Context, d assistant.Draft, st *kiosk.Station) (reports.Ward, error) {
	if a.Pool == nil {
		return reports.Ward{Code: st.WardCode}, nil
	}
	for _, name := range addressFields {
		for _, f := range d.Fields {
			if f.Name != name || f.Value == "" {
				continue
			}
			w, ok, err := reports.WardIn(ctx, a.Pool, f.Value)
			if err != nil || ok {
				return w, err
			}
		}
	}
	w, err := reports.WardByCode(ctx, a.Pool, st.WardCode)
	if errors.Is(err, pgx.ErrNoRows) {
		return reports.Ward{Code: st.WardCode}, nil
	}
	return w, err
}

// CreateDraft creates the dossier draft.
func (a Dossiers) CreateDraft(ctx context.Context, d assistant.Draft) (*assistant.DossierRef, error) {
	if d.StationID == "" {
		return nil, apperr.New(apperr.Invalid, "station_required", "Hồ sơ chỉ nộp được tại trạm công dân số.")
	}
	st, err := a.Stations.Station(ctx, d.StationID)
	if err != nil {
		return nil, err
	}
	fields := make(map[string]dossiers.FieldInput, len(d.Fields))
	var exempt *bool
	for _, f := range d.Fields {
		if f.Name == procedures.FeeExemptField {
			// The filer's declaration, not a form value: staff check it.
			yes := f.Value == "true"
			exempt = &yes
			continue
		}
		confidence := f.Confidence
		in := dossiers.FieldInput{Value: f.Value, Provenance: dossiers.Provenance(f.Provenance), Confidence: &confidence, Document: f.Document}
		for _, c := range f.Conflicts {
			in.Conflicts = append(in.Conflicts, dossiers.Conflict{Value: c.Value, Provenance: dossiers.Provenance(c.Provenance), Document: c.Document})
		}
		fields[f.Name] = in
	}
	ward, err := a.ward(ctx, d, st)
	if err != nil {
		return nil, err
	}
	c, err := a.Dossiers.Create(ctx, audit.Actor{Role: "kiosk", IP: "station:" + d.StationID},
		dossiers.NewDossier{Procedure: d.ProcedureSlug, Ward: ward.Code, Fields: fields, KioskSessionID: d.KioskSessionID, FeeExempt: exempt})
	if err != nil {
		return nil, err
	}
	return &assistant.DossierRef{ID: c.ID, TrackingCode: c.TrackingCode, Secret: c.Secret, Ward: ward.Name}, nil
}

// Places searches the station's places as the tourist screen did, with
// directions from the station asking.
type Places struct{ Service *places.Service }

// FindPlaces returns the places for the visitor's words, in their language.
func (p Places) FindPlaces(ctx context.Context, q assistant.PlaceQuery) (*assistant.PlaceResults, error) {
	r, err := p.Service.Search(ctx, places.Query{Text: q.Text, Lang: q.Lang, StationID: stationID(q.StationID)})
	if err != nil {
		return nil, err
	}
	out := &assistant.PlaceResults{Lang: r.Lang, Message: r.Message, Tips: r.Tips, Places: []assistant.PlaceResult{}}
	for _, x := range r.Results {
		out.Places = append(out.Places, assistant.PlaceResult{Name: x.Name, Summary: x.Summary, Address: x.Address, Hours: x.Hours,
			Directions: x.Directions, MapQR: x.MapQR, Source: x.Source, CheckedOn: x.CheckedOn, Unverified: x.Unverified})
	}
	return out, nil
}
