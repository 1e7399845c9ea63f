// Package ocr reads scanned documents: Tesseract through gosseract for text,
// with the chip ID card's QR code and MRZ for the fields that must be exact.
//
// A Reader turns the bytes of an uploaded image into a Result: it checks
// and decodes the image (Decode), cleans it up (Preprocess), decodes the QR
// code, recognises the text on a pooled Tesseract client (Pool), decides what
// document it is (cccd_front, cccd_qr, cccd_back_mrz or form) and extracts
// that document's fields. A Service adds storage: every Result is kept in
// PostgreSQL so that the assistant and staff can refer to it by ID.
package ocr

import (
	"time"
)

// Kind is the kind of document a scan shows.
type Kind string

const (
	// KindAuto asks the reader to decide.
	KindAuto Kind = ""
	// KindCCCDFront is the front of the chip ID card (căn cước công dân).
	KindCCCDFront Kind = "cccd_front"
	// KindCCCDQR is the QR code of the chip ID card on its own.
	KindCCCDQR Kind = "cccd_qr"
	// KindCCCDBackMRZ is the back of the card with its machine-readable zone.
	KindCCCDBackMRZ Kind = "cccd_back_mrz"
	// KindForm is a filled administrative form such as CT01.
	KindForm Kind = "form"
)

// Kinds lists the kinds a caller may ask for.
var Kinds = []Kind{KindCCCDFront, KindCCCDQR, KindCCCDBackMRZ, KindForm}

// Valid reports whether k is a kind a caller may ask for (or auto).
func (k Kind) Valid() bool {
	if k == KindAuto {
		return true
	}
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Where a field's value was read.
const (
	SourceQR   = "qr"   // the card's QR code: exact when readable
	SourceMRZ  = "mrz"  // the machine-readable zone, checked by its check digits
	SourceText = "text" // printed text recognised by Tesseract
)

// FieldQRPayload holds the text of a QR code that is not an ID card's: a
// dossier receipt's tracking code, a bill's customer code.
const FieldQRPayload = "qr_payload"

// Field is one value read from a document. Dates are YYYY-MM-DD; text is
// NFC. Box is where it was read, [x, y, width, height] in pixels of the
// uploaded image (after EXIF orientation).
type Field struct {
	Value      string  `json:"value"`
	Confidence float64 `json:"confidence"` // 0–1
	Source     string  `json:"source"`     // qr, mrz or text
	Box        [4]int  `json:"box"`
}

// Line is one line of recognised text with its box.
type Line struct {
	Text       string  `json:"text"`
	Confidence float64 `json:"confidence"`
	Box        [4]int  `json:"box"`
}

// Result is what the reader made of one scan.
type Result struct {
	// ID names the stored result (empty when it was not stored).
	ID     string           `json:"id,omitempty"`
	Kind   Kind             `json:"kind"`
	Fields map[string]Field `json:"fields"`
	Text   string           `json:"text"`
	Lines  []Line           `json:"lines,omitempty"`
	// Warnings are stable codes for what staff should check, such as
	// "mrz_check_digit:date_of_birth"; WarningMessage explains each.
	Warnings   []string `json:"warnings"`
	DurationMS int64    `json:"duration_ms"`
	// KioskSessionID ties the result to a resident's visit, so it is erased
	// when the visit ends unsubmitted.
	KioskSessionID string    `json:"kiosk_session_id,omitempty"`
	CreatedAt      time.Time `json:"created_at,omitzero"`
	// ScanPath is where the scan is kept, relative to the data directory.
	ScanPath string `json:"-"`
}

func (r *Result) warn(code string) {
	for _, w := range r.Warnings {
		if w == code {
			return
		}
	}
	r.Warnings = append(r.Warnings, code)
}

// setField keeps f unless a value from a better source is already there.
func (r *Result) setField(name string, f Field) {
	if f.Value == "" {
		return
	}
	if old, ok := r.Fields[name]; ok && sourceRank(old.Source) > sourceRank(f.Source) {
		return
	}
	r.Fields[name] = f
}

// sourceRank orders sources by trust: a QR code is exact, an MRZ is
// checked, printed text is a guess.
func sourceRank(s string) int {
	switch s {
	case SourceQR:
		return 3
	case SourceMRZ:
		return 2
	default:
		return 1
	}
}
