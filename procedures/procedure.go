// Package procedures owns the catalogue of administrative procedures and
// kiosk services: the reviewed entries kept as data files in the repository,
// their storage in PostgreSQL, and the search residents use to find them.
// Every fact the service tells a resident — fees, documents, forms, time
// limits, where to submit — comes from an Entry, never from a model.
package procedures

import "time"

// Kind tells a procedure filed with an agency from a service of the kiosk.
type Kind string

const (
	KindProcedure Kind = "procedure"
	KindService   Kind = "service"
)

// Availability is how much of a procedure can be done online.
type Availability string

const (
	OnlineFull    Availability = "full"
	OnlinePartial Availability = "partial"
	OnlineNone    Availability = "none"
)

// AudienceBusiness marks the procedures a business files.
const AudienceBusiness = "business"

// Entry is one procedure or kiosk service of the catalogue.
type Entry struct {
	Slug  string `json:"slug" yaml:"slug"`
	Name  string `json:"name" yaml:"name"`
	Group string `json:"group" yaml:"group"` // residence, idcard, eid, passport, foreigner, civil, vehicle, driving, security, weapons, utility, health, social, report, dossier (the slug's prefix)
	Kind  Kind   `json:"kind" yaml:"kind"`
	// Summary says in two or three plain sentences what the procedure is for.
	Summary    string       `json:"summary" yaml:"summary"`
	Agency     string       `json:"agency" yaml:"agency"`       // the competent agency
	SubmitAt   []string     `json:"submit_at" yaml:"submit_at"` // where to submit
	Applicants []string     `json:"applicants" yaml:"applicants"`
	Steps      []Step       `json:"steps" yaml:"steps"`
	Documents  []Document   `json:"documents" yaml:"documents"`
	Fees       []Fee        `json:"fees" yaml:"fees"`
	Processing Processing   `json:"processing" yaml:"processing"`
	Online     Availability `json:"online" yaml:"online"`
	LegalBasis []LegalRef   `json:"legal_basis" yaml:"legal_basis"`
	// Aliases are the names residents use: colloquial, abbreviated, old.
	Aliases []string `json:"aliases" yaml:"aliases"`
	Form    Form     `json:"form" yaml:"form"`
	Source  Source   `json:"source" yaml:"source"`
	// Uncertain lists what the entry's authors could not confirm, so that
	// staff know which facts to double-check.
	Uncertain []string `json:"uncertain,omitempty" yaml:"uncertain,omitempty"`
	// Audience is AudienceBusiness for procedures only a business files (a
	// household business, a shop, a company): the guide offers them only to
	// someone who says they file for one. Empty: everyone.
	Audience string `json:"audience,omitempty" yaml:"audience,omitempty"`
}

// Step is one numbered step of a procedure.
type Step struct {
	Title string `json:"title" yaml:"title"`
	Text  string `json:"text" yaml:"text"`
}

// CopyKind says which form of a document is accepted.
type CopyKind string

const (
	CopyOriginal   CopyKind = "original"
	CopyCopy       CopyKind = "copy"           // a plain photocopy, shown with the original
	CopyCertified  CopyKind = "certified_copy" // bản sao chứng thực
	CopyElectronic CopyKind = "electronic"     // bản điện tử / bản sao điện tử
)

// Document is a paper the applicant brings or uploads.
type Document struct {
	Name     string     `json:"name" yaml:"name"`
	FormCode string     `json:"form_code,omitempty" yaml:"form_code,omitempty"` // e.g. CT01
	Accepted []CopyKind `json:"accepted" yaml:"accepted"`
	Quantity int        `json:"quantity" yaml:"quantity"`
	Optional bool       `json:"optional,omitempty" yaml:"optional,omitempty"`
	Note     string     `json:"note,omitempty" yaml:"note,omitempty"`
}

// Fee is one case of an entry's fee as a rule, not a number: the amount in
// whole đồng at the desk, the law's online rate (OnlineAmount), reductions
// valid for a time on one channel, the groups the law exempts, the basis with
// its article and date, and when someone last checked it. ChargeFor applies
// the rule to a filer.
type Fee struct {
	Label string `json:"label" yaml:"label"`
	// Case is the situation the line charges for; empty for every filing.
	Case         FeeCase `json:"case,omitempty" yaml:"case,omitempty"`
	Amount       int64   `json:"amount" yaml:"amount"`
	OnlineAmount *int64  `json:"online_amount,omitempty" yaml:"online_amount,omitempty"`
	Note         string  `json:"note,omitempty" yaml:"note,omitempty"`
	// Unconfirmed marks a fee whose amount the catalogue's authors could
	// not confirm (one set by the city council, for example). Amount is then
	// 0 and means "ask the staff", never "free".
	Unconfirmed bool        `json:"unconfirmed,omitempty" yaml:"unconfirmed,omitempty"`
	Basis       FeeBasis    `json:"basis,omitempty" yaml:"basis,omitempty"`
	Exemptions  []Exemption `json:"exemptions,omitempty" yaml:"exemptions,omitempty"`
	Reductions  []Reduction `json:"reductions,omitempty" yaml:"reductions,omitempty"`
	CheckedOn   string      `json:"checked_on,omitempty" yaml:"checked_on,omitempty"` // YYYY-MM-DD
}

// Processing is the time limit for the agency to answer.
type Processing struct {
	// WorkingDays is the legal limit in working days; zero when the answer
	// is immediate or the limit is stated otherwise in Text.
	WorkingDays int    `json:"working_days" yaml:"working_days"`
	Text        string `json:"text" yaml:"text"`
}

// LegalRef is a law, decree or circular and the article that applies.
type LegalRef struct {
	Document string `json:"document" yaml:"document"`
	Article  string `json:"article,omitempty" yaml:"article,omitempty"`
}

// Source records where an entry's facts come from and when they were checked.
type Source struct {
	Name      string `json:"name" yaml:"name"`
	URL       string `json:"url,omitempty" yaml:"url,omitempty"`
	CheckedOn string `json:"checked_on" yaml:"checked_on"` // YYYY-MM-DD
}

// Form is the data a dossier of this procedure holds.
type Form struct {
	Fields []Field `json:"fields" yaml:"fields"`
}

// FieldType decides how a value is parsed and checked.
type FieldType string

const (
	FieldText     FieldType = "text"
	FieldDate     FieldType = "date"      // YYYY-MM-DD
	FieldIDNumber FieldType = "id_number" // 12-digit citizen ID
	FieldPhone    FieldType = "phone"
	FieldEmail    FieldType = "email"
	FieldNumber   FieldType = "number"
	FieldSelect   FieldType = "select"
	FieldAddress  FieldType = "address"
	FieldBoolean  FieldType = "boolean"
)

// Field is one question of a procedure's form.
type Field struct {
	Name     string    `json:"name" yaml:"name"`   // machine name, e.g. full_name
	Label    string    `json:"label" yaml:"label"` // as printed on the form
	Type     FieldType `json:"type" yaml:"type"`
	Required bool      `json:"required" yaml:"required"`
	// Question is how the guide asks for the value, in plain words.
	Question  string   `json:"question,omitempty" yaml:"question,omitempty"`
	Pattern   string   `json:"pattern,omitempty" yaml:"pattern,omitempty"` // a Go regexp the whole value must match
	MaxLength int      `json:"max_length,omitempty" yaml:"max_length,omitempty"`
	Options   []Option `json:"options,omitempty" yaml:"options,omitempty"`
	// FromScan names the ID-card field that can fill this one
	// (id_number, full_name, date_of_birth, sex, place_of_origin,
	// place_of_residence, ...); empty when a scan cannot.
	FromScan string `json:"from_scan,omitempty" yaml:"from_scan,omitempty"`
	// YearOnly lets a date field hold a year alone ("1950") when the
	// resident knows no more: the birth year of someone who died, of an
	// old record.
	YearOnly bool `json:"year_only,omitempty" yaml:"year_only,omitempty"`
	// Upper keeps a code in capitals, as its issuer prints it, whatever
	// case the resident types it in: a bill's customer code.
	Upper bool `json:"upper,omitempty" yaml:"upper,omitempty"`
	// Check is what a desk officer checks of a date beyond its being one.
	Check *DateCheck `json:"check,omitempty" yaml:"check,omitempty"`
}

// DateCheck is a date field's plausibility rule: when it may fall, how far
// from another of the form's dates, and how old the person it is the birth
// date of may be. Basis says why, with the law's article, in the words the
// guide reads to the resident when the rule is not met.
type DateCheck struct {
	NotPast    bool   `json:"not_past,omitempty" yaml:"not_past,omitempty"`       // today or later
	NotFuture  bool   `json:"not_future,omitempty" yaml:"not_future,omitempty"`   // today or earlier
	After      string `json:"after,omitempty" yaml:"after,omitempty"`             // on or after this field's date
	WithinDays int    `json:"within_days,omitempty" yaml:"within_days,omitempty"` // at most this many days after After
	AgeMin     int    `json:"age_min,omitempty" yaml:"age_min,omitempty"`         // of a birth date, in whole years today
	AgeMax     int    `json:"age_max,omitempty" yaml:"age_max,omitempty"`
	Basis      string `json:"basis,omitempty" yaml:"basis,omitempty"`
}

// Option is one choice of a select field.
type Option struct {
	Value string `json:"value" yaml:"value"`
	Label string `json:"label" yaml:"label"`
}

// Field returns the form field called name.
func (e *Entry) Field(name string) (Field, bool) {
	for _, f := range e.Form.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Checked parses the date the entry's facts were last checked.
func (s Source) Checked() (time.Time, error) { return time.Parse(time.DateOnly, s.CheckedOn) }

// ListFilter narrows a listing; empty fields match everything.
type ListFilter struct {
	Group string
	Kind  Kind
}

// Result is one entry found by a search, with the chunks that matched.
type Result struct {
	Slug      string     `json:"slug"`
	Name      string     `json:"name"`
	Score     float64    `json:"score"`
	Citations []Citation `json:"citations"`
}

// Citation is a passage of an entry that matched the query: which section
// of the entry, and its text as stored (never folded).
type Citation struct {
	Slug    string `json:"slug"`
	Section string `json:"section"`
	Text    string `json:"text"`
}
