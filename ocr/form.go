package ocr

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// numbering is an item number before a form's label: "1.", "2)", "a.".
var numbering = regexp.MustCompile(`^\s*(?:\d{1,2}|[a-zđ])\s*[.)]\s*`)

// extractForm matches a form's "label: value" lines to the procedure's
// form fields by their printed labels, folded (diacritics and case do not
// matter, since OCR drops marks). Values are put in their field's canonical
// form; one that does not fit its field is kept as read, with a warning.
func extractForm(res *Result, lines []Line, fields []procedures.Field) {
	if len(fields) == 0 {
		return
	}
	for _, l := range lines {
		label, value, ok := strings.Cut(l.Text, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		if value == "" {
			continue
		}
		label = numbering.ReplaceAllString(vietnamese.Fold(label), "")
		f, score := bestField(label, fields)
		if score < 0.75 {
			continue
		}
		if _, taken := res.Fields[f.Name]; taken {
			continue // the first occurrence is the form's own field
		}
		v := formValue(f, value)
		if norm, err := f.Normalize(v); err == nil {
			v = norm
		} else {
			res.warn("form_value_invalid:" + f.Name)
		}
		res.Fields[f.Name] = Field{Value: v, Confidence: l.Confidence * score, Source: SourceText, Box: l.Box}
	}
}

// bestField returns the field whose folded label is most like label, and
// how alike (1 is the same words).
func bestField(label string, fields []procedures.Field) (procedures.Field, float64) {
	var best procedures.Field
	bestScore := 0.0
	for _, f := range fields {
		if s := labelSimilarity(label, vietnamese.Fold(f.Label)); s > bestScore {
			best, bestScore = f, s
		}
	}
	return best, bestScore
}

// labelSimilarity is 1 minus the edit distance between a and b over the
// longer's length, so one misread letter in a long label still matches.
func labelSimilarity(a, b string) float64 {
	a = strings.Join(strings.Fields(strings.ReplaceAll(a, ",", " ")), " ")
	b = strings.Join(strings.Fields(strings.ReplaceAll(b, ",", " ")), " ")
	if a == "" || b == "" {
		return 0
	}
	ra, rb := []rune(a), []rune(b)
	return 1 - float64(vietnamese.EditDistance(ra, rb))/float64(max(len(ra), len(rb)))
}

// formValue puts a value read from a form in the shape its field expects
// before Normalize checks it: dates dd/mm/yyyy become YYYY-MM-DD and digit
// fields lose the letters OCR mistakes for digits.
func formValue(f procedures.Field, v string) string {
	v = vietnamese.NFC(strings.TrimSpace(v))
	switch f.Type {
	case procedures.FieldDate:
		if d := findDate(v); d != "" {
			return d
		}
	case procedures.FieldIDNumber, procedures.FieldPhone, procedures.FieldNumber:
		return strings.ReplaceAll(fixDigits(v), " ", "")
	case procedures.FieldSelect:
		for _, o := range f.Options {
			if vietnamese.Fold(o.Label) == vietnamese.Fold(v) || vietnamese.Fold(o.Value) == vietnamese.Fold(v) {
				return o.Value
			}
		}
	}
	return v
}

// normalizeDate returns day/month/year as YYYY-MM-DD, "" when no such day.
func normalizeDate(d, m, y string) string {
	t, err := time.Parse("2/1/2006", fmt.Sprintf("%s/%s/%s", strings.TrimLeft(d, "0"), strings.TrimLeft(m, "0"), y))
	if err != nil {
		return ""
	}
	return t.Format(time.DateOnly)
}
