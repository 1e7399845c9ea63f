// Package dossiers holds residents' filings of administrative procedures:
// the values of a procedure's form with where each came from, the scans
// attached, the status a dossier moves through from the kiosk to the ward
// office and back, the tracking code residents follow it with, and the
// receipt they take home.
//
// It is a package of its own, not part of procedures, because the two change
// for different reasons and hold different data: the catalogue is reviewed
// public facts, edited by its authors; dossiers are personal data, created by
// residents, worked by ward staff, sealed at rest, scoped by ward and audited
// on every read. Keeping them apart keeps the personal data behind one door.
package dossiers

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Catalogue is where dossiers find a procedure's form, documents, fees and
// time limit. procedures.Catalogue satisfies it.
type Catalogue interface {
	Get(ctx context.Context, slug string) (*procedures.Entry, error)
}

// Status is where a dossier is on its way.
type Status string

// The statuses, in the order a dossier normally passes through them.
const (
	StatusDraft           Status = "draft"
	StatusSubmitted       Status = "submitted"
	StatusInReview        Status = "in_review"
	StatusNeedsSupplement Status = "needs_supplement"
	StatusApproved        Status = "approved"
	StatusRejected        Status = "rejected"
	StatusResultReady     Status = "result_ready"
	StatusCompleted       Status = "completed"
)

// Statuses lists every status in order.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusInReview, StatusNeedsSupplement,
	StatusApproved, StatusRejected, StatusResultReady, StatusCompleted}

// transitions are the only moves a dossier may make. Submitting (to
// submitted) is the resident's move, or the payment's; the rest are staff's.
var transitions = map[Status][]Status{
	StatusDraft:           {StatusSubmitted},
	StatusSubmitted:       {StatusInReview},
	StatusInReview:        {StatusNeedsSupplement, StatusApproved, StatusRejected},
	StatusNeedsSupplement: {StatusSubmitted},
	StatusApproved:        {StatusResultReady},
	StatusRejected:        {StatusResultReady},
	StatusResultReady:     {StatusCompleted},
}

// CanMove reports whether a dossier may go from one status to another.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Valid reports whether s is a status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Label is the status in words for residents and staff.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "Chưa nộp"
	case StatusSubmitted:
		return "Đã nộp, chờ tiếp nhận"
	case StatusInReview:
		return "Đang giải quyết"
	case StatusNeedsSupplement:
		return "Cần bổ sung"
	case StatusApproved:
		return "Đã được duyệt"
	case StatusRejected:
		return "Không được chấp nhận"
	case StatusResultReady:
		return "Đã có kết quả"
	case StatusCompleted:
		return "Đã trả kết quả"
	}
	return string(s)
}

func errTransition(from, to Status) error {
	return apperr.Errorf(apperr.Conflict, "transition_not_allowed",
		"Không thể chuyển hồ sơ từ trạng thái «%s» sang «%s».", from.Label(), to.Label())
}

// Provenance says where a field's value came from (procedures.Provenance,
// which the assistant records as the form is filled).
type Provenance = procedures.Provenance

// The provenances, as the catalogue names them.
const (
	FromTyped = procedures.FromTyped
	FromOCR   = procedures.FromOCR
	FromQR    = procedures.FromQR
	FromMRZ   = procedures.FromMRZ
	FromModel = procedures.FromModel
	FromStaff = procedures.FromStaff
)

// FieldInput is a value offered for a form field and where it came from.
// In JSON it is either an object or, for a typed value, a bare string.
type FieldInput struct {
	Value      string     `json:"value"`
	Provenance Provenance `json:"provenance"`
	// Confidence is between 0 and 1; nil means 1 for typed values.
	Confidence *float64 `json:"confidence,omitempty"`
	// Box is where on the scan the value was read: x, y, width, height.
	Box *[4]int `json:"box,omitempty"`
	// Document is the OCR kind of the scan the value was read on.
	Document string `json:"document,omitempty"`
	// Conflicts are other sources' readings of the value that disagree
	// with it, for the staff reviewer.
	Conflicts []Conflict `json:"conflicts,omitempty"`
}

// Conflict is a reading of a scanned value by another source that
// disagrees with the value taken: the front's print against its QR code,
// the MRZ on the back against the front.
type Conflict struct {
	Value      string     `json:"value"`
	Provenance Provenance `json:"provenance"`
	// Document is the OCR kind of the scan it was read on (cccd_front,
	// cccd_back_mrz, passport, ...), empty when not known.
	Document string `json:"document,omitempty"`
	// Text is the value as people read it, filled when it is shown.
	Text string `json:"-"`
}

// Label says where the reading came from, for staff: "Mặt trước",
// "Mã QR", "MRZ mặt sau".
func (c Conflict) Label() string { return SourceLabel(c.Provenance, c.Document) }

// SourceLabel names a source of a scanned value by what staff hold in
// their hands: the QR code, the MRZ, or the print on a side of a paper.
func SourceLabel(p Provenance, document string) string {
	side := ""
	switch document {
	case "cccd_front", "cancuoc_front":
		side = "mặt trước"
	case "cccd_back_mrz", "cancuoc_back":
		side = "mặt sau"
	case "passport":
		side = "hộ chiếu"
	}
	switch p {
	case FromQR:
		return "Mã QR"
	case FromMRZ:
		return strings.TrimSpace("MRZ " + side)
	case FromOCR:
		if side == "" {
			return "Chữ in trên giấy tờ"
		}
		return strings.ToUpper(side[:1]) + side[1:]
	}
	return p.Label()
}

// UnmarshalJSON accepts "value" as well as {"value": ..., ...}.
func (f *FieldInput) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = FieldInput{Value: s, Provenance: FromTyped}
		return nil
	}
	type plain FieldInput
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*f = FieldInput(p)
	return nil
}

// Reading is a field's value and where it came from: read from a scan
// (with its box on the scan), given by the resident or set by staff.
type Reading struct {
	Value      string     `json:"value"`
	Provenance Provenance `json:"provenance"`
	Confidence float64    `json:"confidence"`
	Box        *[4]int    `json:"box,omitempty"`
}

// Field is a form field's current value in a dossier.
type Field struct {
	Name  string               `json:"name"`
	Label string               `json:"label"`
	Type  procedures.FieldType `json:"type"`
	Reading
	// Text is the value as people read it ("Nam", "12/03/1950").
	Text      string    `json:"text"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	// Document is the OCR kind of the scan the value was read on.
	Document string `json:"document,omitempty"`
	// Conflicts are the readings of other sources that disagree with
	// Value, until staff settle the field.
	Conflicts []Conflict `json:"conflicts,omitempty"`
	// History holds the values staff replaced, oldest first.
	History []FieldVersion `json:"history,omitempty"`
}

// FieldVersion is a value a field had before staff corrected it.
type FieldVersion struct {
	Reading
	ReplacedBy string    `json:"replaced_by"`
	Reason     string    `json:"reason,omitempty"`
	ReplacedAt time.Time `json:"replaced_at"`
}

// Attachment is a scan or document file of a dossier.
type Attachment struct {
	ID          string    `json:"id"`
	Document    *int      `json:"document,omitempty"` // index into the procedure's documents
	SHA256      string    `json:"sha256"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Filename    string    `json:"filename,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// Width and Height are an image's size in pixels, the space its
	// fields' boxes are in; zero for other files.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
}

// ChecklistItem is one of the procedure's documents and whether the dossier
// has a file for it.
type ChecklistItem struct {
	Index    int    `json:"index"`
	Name     string `json:"name"`
	Optional bool   `json:"optional,omitempty"`
	Quantity int    `json:"quantity,omitempty"`
	Note     string `json:"note,omitempty"`
	Attached int    `json:"attached"`
}

// Event is one status change.
type Event struct {
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// Who is who made the change, as staff read it: the officer's account,
// else the resident at a station, the payment gateway or the system.
func (e Event) Who() string {
	switch e.Role {
	case "kiosk", "resident":
		return "Người dân tại trạm"
	case "payment":
		return "Cổng thanh toán"
	case "system":
		return "Hệ thống"
	}
	return e.Actor
}

// FeeLine is one fee of the procedure as charged for kiosk filing.
type FeeLine struct {
	Label  string `json:"label"`
	Amount int64  `json:"amount"` // whole đồng, the online amount when the law sets one
	Note   string `json:"note,omitempty"`
	// Unconfirmed: the catalogue does not know the amount; staff tell.
	Unconfirmed bool `json:"unconfirmed,omitempty"`
	// Exempt: the filer belongs to a group the law frees from this fee.
	Exempt bool `json:"exempt,omitempty"`
	// Reason says why this amount, with its legal basis.
	Reason string `json:"reason,omitempty"`
}

// Dossier is a resident's filing. Lists fill the summary; Fields,
// Attachments, Checklist and Events are filled for the detail view.
type Dossier struct {
	ID            string `json:"id"`
	TrackingCode  string `json:"tracking_code"`
	Procedure     string `json:"procedure"`
	ProcedureName string `json:"procedure_name"`
	Ward          string `json:"ward"`
	// WardName is the ward's name, "" when no table names its code
	// (people are shown vietnamese.WardLabel).
	WardName          string     `json:"ward_name,omitempty"`
	StationName       string     `json:"station_name,omitempty"`
	Status            Status     `json:"status"`
	StatusLabel       string     `json:"status_label"`
	ApplicantName     string     `json:"applicant_name"`
	ApplicantIDMasked string     `json:"applicant_id_masked"`
	KioskSessionID    *string    `json:"kiosk_session_id,omitempty"`
	Fees              []FeeLine  `json:"fees,omitempty"`
	FeeAmount         int64      `json:"fee_amount"`
	FeeUnconfirmed    bool       `json:"fee_unconfirmed,omitempty"`
	FeePaidAt         *time.Time `json:"fee_paid_at,omitempty"`
	ProcessingText    string     `json:"processing_text,omitempty"`
	// AfterFiling is what happens once the dossier is filed, in its
	// catalogue entry's words (procedures.Entry.AfterFiling).
	AfterFiling     string     `json:"after_filing,omitempty"`
	SubmittedAt     *time.Time `json:"submitted_at,omitempty"`
	ExpectedOn      *time.Time `json:"expected_on,omitempty"`
	DecidedAt       *time.Time `json:"decided_at,omitempty"`
	ResidentMessage string     `json:"resident_message,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`

	Fields      []Field         `json:"fields,omitempty"`
	Attachments []Attachment    `json:"attachments,omitempty"`
	Checklist   []ChecklistItem `json:"checklist,omitempty"`
	Events      []Event         `json:"events,omitempty"`

	submitRequested bool
}

// errNotFound is what anyone gets for a dossier that does not exist or that
// they may not see: the two must look the same.
var errNotFound = apperr.New(apperr.NotFound, "dossier_not_found", "Không tìm thấy hồ sơ.")

// IsNotFound reports whether err says there is no such dossier.
func IsNotFound(err error) bool { return errors.Is(err, errNotFound) }

// addWorkingDays returns the date n working days (Monday to Friday) after t.
// Public holidays are not counted out; staff see the legal text alongside.
func addWorkingDays(t time.Time, n int) time.Time {
	d := t.In(vietnamese.Zone)
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}
