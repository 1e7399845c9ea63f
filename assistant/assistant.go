// Package assistant is the step-by-step guide a resident talks to at the
// kiosk: it finds the procedure, explains it one step at a time, asks for one
// piece of information at a time, fills what a scanned card already says, and
// hands over a dossier draft.
//
// Every turn runs the same pipeline (pipeline.go): input check, standalone
// rewrite, routing, retrieval with a relevance floor, the answer with its
// sources, and an output check. The deterministic guide (guide.go) carries
// the whole conversation by itself; a language model (model.go), when one is
// configured, only helps to understand the resident and to word free answers.
// Facts — fees, documents, forms, time limits, where to submit — are always
// rendered from the catalogue entry (facts.go).
package assistant

import (
	"context"
	"time"

	"github.com/citizenstation/citizenstation/procedures"
)

// Stage is where a session stands in the filing.
type Stage string

const (
	StageIdentify Stage = "identify" // what does the resident need?
	StageConfirm  Stage = "confirm"  // is it this procedure?
	StageExplain  Stage = "explain"  // what it takes, one page at a time
	StageCollect  Stage = "collect"  // one field at a time
	StageReview   Stage = "review"   // check everything; the draft exists
	StageDone     Stage = "done"     // the draft was handed over
	StageHandoff  Stage = "handoff"  // the resident asked for a person
)

// Status says what kind of reply a turn produced; evaluations assert on it.
type Status string

const (
	StatusAnswered   Status = "answered"
	StatusClarify    Status = "clarify"
	StatusOutOfScope Status = "out_of_scope"
	StatusHandoff    Status = "handoff"
	StatusGuarded    Status = "guarded"
	StatusError      Status = "error"
)

// Provenance says where a field's value came from: procedures.FromTyped,
// procedures.FromOCR, procedures.FromQR, procedures.FromMRZ, or procedures.FromModel for a value the model proposed
// (read back, never certain).
type Provenance = procedures.Provenance

// ModelConfidence is the confidence of a value the model proposed: below 1,
// so the staff reviewer sees it marked even after the resident confirmed it.
const ModelConfidence = 0.6

// Route is the label a turn is routed to.
type Route string

const (
	RouteProcedure  Route = "procedure_question"
	RouteField      Route = "field_answer"
	RouteNavigation Route = "navigation"
	RouteSmallTalk  Route = "small_talk"
	RouteOutOfScope Route = "out_of_scope"
	RoutePerson     Route = "needs_person"
	RouteUnclear    Route = "unclear"
	RouteScan       Route = "scan"
	RouteGuarded    Route = "guarded"
)

// Session is one resident's conversation with the guide.
type Session struct {
	ID             string           `json:"id"`
	StationID      string           `json:"station_id,omitempty"`
	KioskSessionID string           `json:"kiosk_session_id,omitempty"`
	Stage          Stage            `json:"stage"`
	Procedure      *ProcedureRef    `json:"procedure"`
	Fields         map[string]Value `json:"fields"`
	State          State            `json:"-"`
	PromptVersion  string           `json:"prompt_version"`
	Saved          bool             `json:"saved"` // a resume slip was printed
	DossierID      string           `json:"dossier_id,omitempty"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	ExpiresAt      time.Time        `json:"expires_at"`
	version        int
}

// ProcedureRef names a catalogue entry.
type ProcedureRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Value is one collected field with where it came from.
type Value struct {
	Value      string     `json:"value"`
	Provenance Provenance `json:"provenance"`
	Confidence float64    `json:"confidence"`
	Confirmed  bool       `json:"confirmed"`
}

// State is the guide's position, kept with the session so that any replica
// can carry on the conversation.
type State struct {
	// Business is set once the person said they file for a business (a
	// household business, a shop, a company): only then are procedures
	// for businesses offered.
	Business bool `json:"business,omitempty"`
	// Candidates are the procedures offered for confirmation.
	Candidates []ProcedureRef `json:"candidates,omitempty"`
	// Field is the form field being asked in StageCollect; Editing is set
	// when the resident came from the review to correct it.
	Field   string `json:"field,omitempty"`
	Editing bool   `json:"editing,omitempty"`
	// Confirming lists fields read from a scan with low confidence that
	// must be read back before they count.
	Confirming []string `json:"confirming,omitempty"`
	// Skipped optional fields are not asked again.
	Skipped []string `json:"skipped,omitempty"`
	// History holds the earlier positions, for "go back".
	History []Position `json:"history,omitempty"`
	// Before is where the resident was when they asked for a person.
	Before *Position `json:"before,omitempty"`
	// Draft is the dossier draft produced at review.
	Draft *Draft `json:"draft,omitempty"`
	// Service is where a kiosk service's own steps stand (services.go).
	Service *ServiceState `json:"service,omitempty"`
	// TrackingCode is the dossier's, once the draft was handed over, and
	// Ward the name of the ward it went to.
	TrackingCode string `json:"tracking_code,omitempty"`
	Ward         string `json:"ward,omitempty"`
	// Scanned holds values read from scans, by scan field name, until the
	// procedure's form can take them.
	Scanned map[string]ScanField `json:"scanned,omitempty"`
	// LastQuery is the resident's last description of their need, used to
	// make a short follow-up stand alone.
	LastQuery string `json:"last_query,omitempty"`
	// Offers are extra buttons of the question being asked (the card's
	// value against the typed one; writing a name again with diacritics),
	// for one turn.
	Offers []Choice `json:"offers,omitempty"`
	// Warned and AskedMarks list the fields whose contradiction with the
	// card was pointed out, or whose missing diacritics were asked about:
	// each is said once.
	Warned     []string `json:"warned,omitempty"`
	AskedMarks []string `json:"asked_marks,omitempty"`
	// Address is how the guide calls the resident ("Bác" unless they
	// chose another), the same in every reply of the visit.
	Address string `json:"address,omitempty"`
	// Opening is that description as said: the details in it ("cho mẹ
	// tôi") fill the form when it starts.
	Opening string `json:"opening,omitempty"`
	// Tile: the kiosk's tile of a service opened the conversation; the
	// service's steps are counted on the progress line and a bill is
	// looked up as soon as its code is given.
	Tile bool `json:"tile,omitempty"`
	// AskedNow is a message that named a danger without saying when; the
	// guide asked whether it is happening now, and the answer decides.
	AskedNow string `json:"asked_now,omitempty"`
	// Emergency is what raised the emergency screen, for its one-touch
	// report.
	Emergency *EmergencyState `json:"emergency,omitempty"`
}

// Position is a point of the conversation that "go back" returns to.
type Position struct {
	Stage      Stage          `json:"stage"`
	Field      string         `json:"field,omitempty"`
	Candidates []ProcedureRef `json:"candidates,omitempty"`
	Procedure  *ProcedureRef  `json:"procedure,omitempty"`
}

// Message is what the resident sends: exactly one of the three.
type Message struct {
	Text        string `json:"text,omitempty"`
	Choice      string `json:"choice,omitempty"`
	OCRResultID string `json:"ocr_result_id,omitempty"`
}

// Choice is a button the kiosk shows.
type Choice struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Pressed is set on a toggle (the places' language): whether it is
	// the one in effect.
	Pressed *bool `json:"pressed,omitempty"`
	// Primary marks the one action the screen leads to (the review's
	// confirmation): the page shows it apart, after the other choices.
	Primary bool `json:"primary,omitempty"`
}

// The choice ids the guide understands at every turn.
const (
	ChoiceBack    = "back"
	ChoiceHandoff = "handoff"
	ChoiceNext    = "next"
	ChoiceYes     = "yes"
	ChoiceNo      = "no"
	ChoiceSkip    = "skip"
	ChoiceConfirm = "confirm"
	ChoiceNone    = "none"
	ChoiceResume  = "resume"
	ChoiceRestart = "restart"
	// ChoiceStart + a catalogue slug: the kiosk's tile of that service.
	ChoiceStart = "start:"
)

// Reply is the guide's answer to one message.
type Reply struct {
	SessionID string `json:"session_id"`
	Reply     string `json:"reply"`
	// Speech is what "Nghe đọc" reads: the reply with the options its
	// buttons show named, which the reply leaves to the buttons.
	Speech string `json:"speech"`
	// Said is the resident's own words as the screen repeats them above
	// the reply, in the reply's language and the visit's form of address;
	// empty for a touch, which the reply itself acknowledges.
	Said          string                `json:"said,omitempty"`
	Address       string                `json:"address"` // how the guide calls the resident this visit
	Stage         Stage                 `json:"stage"`
	Status        Status                `json:"status"`
	Procedure     *ProcedureRef         `json:"procedure"`
	Choices       []Choice              `json:"choices"`
	MissingFields []string              `json:"missing_fields"`
	Citations     []procedures.Citation `json:"citations"`
	PromptVersion string                `json:"prompt_version"`
	Field         *FieldPrompt          `json:"field,omitempty"`
	Draft         *Draft                `json:"draft,omitempty"`
	Dossier       *DossierRef           `json:"dossier,omitempty"`
	Bills         []Bill                `json:"bills,omitempty"`
	Payment       *PaymentOrder         `json:"payment,omitempty"`
	Report        *ReportReceipt        `json:"report,omitempty"`
	DossierStatus *DossierStatus        `json:"dossier_status,omitempty"`
	Handover      *Handover             `json:"handover,omitempty"`
	Emergency     *EmergencyScreen      `json:"emergency,omitempty"`
	// Photos: the step takes photos from the station's camera, uploaded
	// to its URL.
	Photos *PhotoPrompt `json:"photos,omitempty"`
	// Places: the tourist information's answer (places.go).
	Places *PlacesScreen `json:"places,omitempty"`
	// AskNow: the reply asks whether the danger the resident named is
	// happening now; "yes" and "no" are the choices.
	AskNow bool      `json:"ask_now,omitempty"`
	Eval   *EvalInfo `json:"eval,omitempty"`
	// Progress is the line the kiosk shows above the reply ("Bước 2/5").
	Progress string `json:"progress"`
	// CanGoBack: "Quay lại" steps back inside the conversation; without it
	// the kiosk leaves the conversation for the screen before.
	CanGoBack bool `json:"can_go_back"`
}

// FieldPrompt describes the field being asked, so the kiosk can show the
// right keyboard.
type FieldPrompt struct {
	Name  string               `json:"name"`
	Label string               `json:"label"`
	Type  procedures.FieldType `json:"type"`
	// Keyboard is the on-screen keyboard the field wants: "numeric" for
	// digits only (ID numbers, the last four digits), "tel", or "text".
	Keyboard string `json:"keyboard"`
}

// Draft is the dossier draft a session produces at review. The dossiers
// package turns it into a dossier.
type Draft struct {
	ProcedureSlug  string       `json:"procedure_slug"`
	StationID      string       `json:"station_id,omitempty"`
	KioskSessionID string       `json:"kiosk_session_id,omitempty"`
	Fields         []DraftField `json:"fields"`
}

// DraftField is one value of a draft with its provenance.
type DraftField struct {
	Name       string     `json:"name"`
	Label      string     `json:"label"`
	Value      string     `json:"value"`
	Provenance Provenance `json:"provenance"`
	Confidence float64    `json:"confidence"`
	// Document and Conflicts are, for a scanned value, the kind of scan it
	// was read on and the readings that disagreed with it, for staff.
	Document  string          `json:"document,omitempty"`
	Conflicts []DraftConflict `json:"conflicts,omitempty"`
}

// DraftConflict is a reading that disagreed with a draft's scanned value.
type DraftConflict struct {
	Value      string     `json:"value"`
	Provenance Provenance `json:"provenance"`
	Document   string     `json:"document,omitempty"`
}

// Turn is one stored exchange with the pipeline steps it went through.
type Turn struct {
	Seq           int       `json:"seq"`
	InputKind     string    `json:"input_kind"` // text, choice, ocr
	Input         string    `json:"input"`      // masked
	Reply         string    `json:"reply"`
	Status        Status    `json:"status"`
	Stage         Stage     `json:"stage"`
	Route         Route     `json:"route"`
	Steps         []Step    `json:"steps"`
	Model         string    `json:"model,omitempty"`
	PromptVersion string    `json:"prompt_version"`
	CreatedAt     time.Time `json:"created_at"`
}

// Step is one pipeline step as it ran for a turn.
type Step struct {
	Name     string  `json:"name"`
	Outcome  string  `json:"outcome"`
	Millis   float64 `json:"ms"`
	Detail   string  `json:"detail,omitempty"`
	Fallback bool    `json:"fallback,omitempty"`
}

// EvalInfo is what eval mode adds to a reply.
type EvalInfo struct {
	Route            Route       `json:"route"`
	Retrieved        []Retrieved `json:"retrieved"`
	Model            string      `json:"model"`
	PromptVersion    string      `json:"prompt_version"`
	PromptTokens     int         `json:"prompt_tokens"`
	CompletionTokens int         `json:"completion_tokens"`
	Steps            []Step      `json:"steps"`
	Rewritten        string      `json:"rewritten,omitempty"`
}

// Retrieved is one search result with its score.
type Retrieved struct {
	Slug      string                `json:"slug"`
	Name      string                `json:"name"`
	Score     float64               `json:"score"`
	Citations []procedures.Citation `json:"citations"`
}

// Catalogue is what the guide reads from the procedures catalogue.
type Catalogue interface {
	Get(ctx context.Context, slug string) (*procedures.Entry, error)
	Search(ctx context.Context, query string, k int) ([]procedures.Result, error)
}

// Scan is a stored OCR result as the guide uses it.
type Scan struct {
	ID     string
	Kind   string
	Fields map[string]ScanField
	Text   string
	// KioskSessionID is the visit whose scan it was ("" for an
	// evaluator's): only that visit's conversations may use it.
	KioskSessionID string
}

// ScanField is one value read from a scan; Source is qr, mrz or text.
type ScanField struct {
	Value      string  `json:"value"`
	Confidence float64 `json:"confidence"`
	Source     string  `json:"source"`
	// Kind is the OCR kind of the scan it was read on (cccd_front, ...).
	Kind string `json:"kind,omitempty"`
	// Conflicts are other sources' readings that disagree with Value: on
	// the same scan (the front's print against its QR code) or on another
	// (the back's MRZ against the front).
	Conflicts []ScanReading `json:"conflicts,omitempty"`
}

// ScanReading is a losing reading of a scanned value.
type ScanReading struct {
	Value  string `json:"value"`
	Source string `json:"source"`
	Kind   string `json:"kind,omitempty"`
}

// Scans finds stored OCR results.
type Scans interface {
	Scan(ctx context.Context, id string) (*Scan, error)
}

// Dossiers receives the draft when the resident confirms the review. The
// dossiers package provides it (the ward comes from the station); until it
// is wired the draft stays in the session.
type Dossiers interface {
	CreateDraft(ctx context.Context, d Draft) (*DossierRef, error)
}

// DossierRef is the dossier a draft became. Secret lets the kiosk attach
// scans and submit; it is in that turn's reply only and never stored here.
type DossierRef struct {
	ID           string `json:"id"`
	TrackingCode string `json:"tracking_code"`
	Secret       string `json:"secret,omitempty"`
	// Ward is the name of the ward the dossier was filed to, when known.
	Ward string `json:"ward,omitempty"`
}
