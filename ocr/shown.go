package ocr

import (
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Shown is a field as the resident reads it on the kiosk: its name in
// words and its value as it is written on paper (dates as dd/mm/yyyy), with
// where it was read and how sure the reader is.
type Shown struct {
	Name       string  `json:"name"`
	Label      string  `json:"label"`
	Value      string  `json:"value"`
	Source     string  `json:"source"`
	Confidence float64 `json:"confidence"`
}

// shownOrder is the order a card prints the fields in; a field not listed
// is shown after these.
var shownOrder = []string{"full_name", "id_number", "old_id_number", "document_number", "passport_number",
	"date_of_birth", "sex", "nationality", "place_of_birth", "place_of_origin", "place_of_residence",
	"current_address", "father_name", "mother_name", "registration_number", "issue_date", "expiry_date"}

// ShownFields are the result's fields with a value, named and written as
// the resident reads them, in the order a card prints them.
func (r *Result) ShownFields() []Shown {
	out := []Shown{}
	seen := map[string]bool{}
	add := func(name string) {
		f, ok := r.Fields[name]
		if !ok || f.Value == "" || seen[name] {
			return
		}
		seen[name] = true
		out = append(out, Shown{Name: name, Label: sentenceCase(fieldLabel(name)), Value: onPaper(f.Value), Source: f.Source, Confidence: f.Confidence})
	}
	for _, name := range shownOrder {
		add(name)
	}
	rest := slices.Sorted(maps.Keys(r.Fields))
	for _, name := range rest {
		add(name)
	}
	return out
}

// onPaper writes an ISO date (2026-03-12) as a card prints it (12/03/2026);
// any other value is left as it is.
func onPaper(v string) string {
	if day, ok := vietnamese.ISODay(v); ok {
		return day
	}
	return v
}

// sentenceCase starts a label with a capital letter, as a table's row.
func sentenceCase(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}
