// Package ocr reads scanned documents: Tesseract through gosseract for text,
// with the chip ID card's QR code and MRZ for the fields that must be exact.
//
// A Reader turns the bytes of an uploaded image into a Result: it checks
// and decodes the image (Decode), cleans it up (Preprocess), decodes the QR
// code, reads the MRZ first where there is one, recognises what is left on a
// pooled Tesseract client (Pool), decides what document it is (the chip
// cards of 2016/2021 and the "Căn cước" card of 2024, front and back, a
// passport, a birth certificate, a bill or a form; the old CMND and the
// household booklet are refused) and extracts that document's fields, each
// with its source, its box and the other sources' readings it won over. A Service adds storage: every Result is kept in
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
	// KindCanCuocFront is the front of the "Căn cước" card issued since
	// 1 July 2024 (no QR code, no address).
	KindCanCuocFront Kind = "cancuoc_front"
	// KindCanCuocBack is its back: residence, place of birth, issue and
	// expiry dates, the QR code and the MRZ.
	KindCanCuocBack Kind = "cancuoc_back"
	// KindPassport is a passport's data page with its TD3 MRZ.
	KindPassport Kind = "passport"
	// KindBirthCertificate is a birth certificate (giấy khai sinh).
	KindBirthCertificate Kind = "birth_certificate"
	// KindBill is an electricity or water bill, read for its customer code.
	KindBill Kind = "bill"
	// KindCMND and KindHouseholdBooklet are papers that are no longer
	// accepted: they are recognised and refused (ErrCMND, ErrHouseholdBooklet).
	KindCMND             Kind = "cmnd"
	KindHouseholdBooklet Kind = "household_booklet"
)

// Kinds lists the kinds a caller may ask for.
var Kinds = []Kind{KindCCCDFront, KindCCCDQR, KindCCCDBackMRZ, KindForm, KindCanCuocFront, KindCanCuocBack,
	KindPassport, KindBirthCertificate, KindBill}

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
	// Conflicts are the other sources' readings of the field that disagree
	// with Value (the QR code against the printed front, the MRZ against
	// the back's text), for the staff reviewer; the result's warnings then
	// hold "conflict:<field>".
	Conflicts []Reading `json:"conflicts,omitempty"`
}

// Reading is one source's value of a field that lost to another's.
type Reading struct {
	Value  string `json:"value"`
	Source string `json:"source"`
	Box    [4]int `json:"box"`
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
// When two sources disagree the loser is kept on the winner as a conflict,
// and the result warns of it.
func (r *Result) setField(name string, f Field) {
	if f.Value == "" {
		return
	}
	old, ok := r.Fields[name]
	if !ok {
		r.Fields[name] = f
		return
	}
	keep, lose := f, old
	if rank(old) > rank(f) {
		keep, lose = old, f
	}
	if lose.Source != keep.Source && disagree(name, lose.Value, keep.Value) {
		keep.Conflicts = append(keep.Conflicts, Reading{Value: lose.Value, Source: lose.Source, Box: lose.Box})
		keep.Confidence = min(keep.Confidence, conflictConfidence)
		r.warn("conflict:" + name)
	}
	keep.Conflicts = append(keep.Conflicts, lose.Conflicts...)
	r.Fields[name] = keep
}

// conflictConfidence caps the confidence of a field whose sources
// disagree: below the review console's LowConfidence (0.8), so that staff
// check it against the paper (a card whose print and QR code differ may
// have been altered), yet above the reader's own low_confidence warning.
const conflictConfidence = 0.75

// rank orders readings by trust: a QR code is exact, an MRZ field whose
// check digits match is checked, printed text is a guess, and an MRZ
// field whose check digit fails is worth less than the printed text.
func rank(f Field) int {
	switch f.Source {
	case SourceQR:
		return 4
	case SourceMRZ:
		if f.Confidence <= mrzBadConfidence {
			return 1
		}
		return 3
	}
	return 2
}
