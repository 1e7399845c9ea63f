package ocr

import (
	"image"
	"regexp"
	"slices"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Confidence given to values read from a QR code (exact by construction)
// and from an MRZ field whose check digit matches.
const (
	qrConfidence     = 1.0
	mrzConfidence    = 0.98
	mrzBadConfidence = 0.3
	// A digit mended by the check digits is very likely right, yet staff
	// should glance at it.
	mrzCorrectedConfidence = 0.85
	mrzNameConfidence      = 0.9
	textDateConfidence     = 0.9
)

// addQRFields puts the QR code's values on the result; they win over
// printed text. A printed value that disagrees is kept as a conflict.
func addQRFields(res *Result, q *CardQR, box [4]int) {
	set := func(name, value string) {
		res.setField(name, Field{Value: value, Confidence: qrConfidence, Source: SourceQR, Box: box})
	}
	set("id_number", q.IDNumber)
	set("old_id_number", q.OldIDNumber)
	set("full_name", vietnamese.NFC(q.FullName))
	set("date_of_birth", q.DateOfBirth)
	set("sex", normalizeSex(q.Sex))
	set("place_of_residence", vietnamese.NFC(q.PlaceOfResidence))
	set("issue_date", q.IssueDate)
}

// sameValue compares values from two sources: an MRZ name has no
// diacritics and addresses differ in spacing, so both are folded.
func sameValue(name, a, b string) bool {
	switch name {
	case "nationality":
		return nationality(a) == nationality(b)
	case "full_name", "place_of_residence", "place_of_origin", "place_of_birth", "sex", "father_name", "mother_name":
		return vietnamese.Fold(vietnamese.StripMarks(a)) == vietnamese.Fold(vietnamese.StripMarks(b))
	}
	return a == b
}

// disagree reports whether two sources' values of a field are different
// values rather than one misread: names and places differ in more than a
// fifth of their letters (folded), other fields in anything.
func disagree(name, a, b string) bool {
	switch name {
	case "full_name", "place_of_residence", "place_of_origin", "place_of_birth", "father_name", "mother_name":
		fold := func(s string) string { return vietnamese.Fold(vietnamese.StripMarks(s)) }
		return CER(fold(a), fold(b)) > 0.2
	}
	return !sameValue(name, a, b)
}

// Disagree reports whether two sources' readings of the named field are
// different values rather than the same one written otherwise (an MRZ name
// without marks, "VNM" for "Việt Nam") or misread by a letter in a long
// name or address.
func Disagree(name, a, b string) bool { return disagree(name, a, b) }

// nationality reads "VNM" and "Việt Nam" alike.
func nationality(s string) string {
	f := strings.ReplaceAll(vietnamese.Fold(s), " ", "")
	if f == "vnm" || f == "vietnam" {
		return "vnm"
	}
	return f
}

// crossCheck is a hook for checks between the QR and other sources beyond
// field equality; the MRZ's own check digits are verified in ParseMRZ.
func crossCheck(res *Result, q *CardQR) {
	if m, ok := res.Fields["document_number"]; ok && m.Source == SourceMRZ && !strings.HasSuffix(q.IDNumber, m.Value) {
		res.warn("qr_mismatch:document_number")
	}
}

// addMRZFields puts an MRZ's values on the result. A field whose check
// digit fails keeps its value but gets a low confidence and a warning.
func addMRZFields(res *Result, m *MRZ, box [4]int) {
	failed := mrzWarn(res, m.Failed)
	corrected := map[string]bool{}
	for _, f := range m.Corrected {
		corrected[f] = true
		res.warn("mrz_corrected:" + f)
	}
	conf := func(check string) float64 {
		switch {
		case len(m.Corrected) > 0:
			// Every check passes after the mending; the mended field is
			// the one to look at.
			if corrected[check] {
				return mrzCorrectedConfidence
			}
			return mrzConfidence
		case failed[check] || failed[checkComposite]:
			return mrzBadConfidence
		case failed[checkDocumentIsID] && (check == checkDocumentNumber || check == checkIDNumber):
			return mrzBadConfidence
		}
		return mrzConfidence
	}
	z := zoneValues{
		numberCheck: checkDocumentNumber, number: m.DocumentNumber,
		idNumber: m.IDNumber, dateOfBirth: m.DateOfBirth,
		expiryCheck: checkExpiryDate, expiry: m.ExpiryDate,
		sex: m.Sex, nationality: m.Nationality, name: m.FullName,
	}
	if m.NoExpiry {
		z.expiryCheck, z.expiry = checkComposite, NoExpiry
	}
	setZoneFields(res, box, z, conf)
}

var (
	dateRe    = regexp.MustCompile(`(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})`)
	idRe      = regexp.MustCompile(`\d{12}`)
	labelRest = regexp.MustCompile(`^[^:]*:\s*`)
)

// frontLabels are the printed labels of the card's front, folded, in the
// order they appear; each names the field whose value follows it.
var frontLabels = []struct {
	field string
	keys  []string
	// multiline values continue on the lines after the label.
	multiline bool
}{
	{"id_number", []string{"so / no", "so/no", "no.:", "so :", "so:"}, false},
	{"full_name", []string{"ho va ten", "full name"}, true},
	{"date_of_birth", []string{"ngay sinh", "date of birth", "nam sinh"}, false},
	{"sex", []string{"gioi tinh", "sex:"}, false},
	{"place_of_origin", []string{"que quan", "place of origin"}, true},
	{"place_of_residence", []string{"noi thuong tr", "place of residence"}, true},
	{"expiry_date", []string{"co gia tri den", "date of expiry", "gia tri den"}, false},
}

// labelOf returns the index of the front label on a line, or -1.
func labelOf(line string) int {
	f := vietnamese.Fold(line)
	for i, l := range frontLabels {
		for _, k := range l.keys {
			if strings.Contains(f, k) {
				return i
			}
		}
	}
	return -1
}

// extractFront reads the printed fields of a card's front from its lines,
// taken row by row.
func extractFront(res *Result, lines []Line) {
	lines = byRows(lines)
	for i := 0; i < len(lines); i++ {
		li := labelOf(lines[i].Text)
		if li < 0 {
			continue
		}
		label := frontLabels[li]
		l := lines[i]
		after := strings.TrimSpace(labelRest.ReplaceAllString(l.Text, ""))
		if !strings.Contains(l.Text, ":") {
			after = ""
		}
		switch label.field {
		case "id_number":
			digits := idRe.FindString(fixDigits(strings.ReplaceAll(after, " ", "")))
			if digits == "" {
				digits = idRe.FindString(fixDigits(strings.ReplaceAll(l.Text, " ", "")))
			}
			res.setField("id_number", Field{Value: digits, Confidence: l.Confidence, Source: SourceText, Box: l.Box})
		case "date_of_birth", "expiry_date":
			if d := findDate(l.Text); d != "" || label.field == "expiry_date" && lifetime(l.Text) {
				if d == "" {
					d = NoExpiry
				}
				res.setField(label.field, Field{Value: d, Confidence: min(l.Confidence, textDateConfidence), Source: SourceText, Box: l.Box})
			}
		case "sex":
			// "Giới tính / Sex: Nữ   Quốc tịch / Nationality: Việt Nam"
			parts := strings.Split(l.Text, ":")
			if len(parts) >= 2 {
				if w := strings.Fields(parts[1]); len(w) > 0 {
					res.setField("sex", Field{Value: normalizeSex(w[0]), Confidence: l.Confidence, Source: SourceText, Box: l.Box})
				}
			}
			if len(parts) >= 3 {
				res.setField("nationality", Field{Value: strings.TrimSpace(parts[len(parts)-1]), Confidence: l.Confidence, Source: SourceText, Box: l.Box})
			}
		default:
			// The value is on the label's line after the colon and on the
			// lines below, up to the next label.
			var parts []string
			box, conf := image.Rectangle{}, []float64{}
			if after != "" {
				parts = append(parts, after)
				box = rectOf(l.Box)
				conf = append(conf, l.Confidence)
			}
			j := i + 1
			for ; j < len(lines) && labelOf(lines[j].Text) < 0; j++ {
				parts = append(parts, lines[j].Text)
				box = box.Union(rectOf(lines[j].Box))
				conf = append(conf, lines[j].Confidence)
				if !label.multiline || label.field == "full_name" {
					j++
					break
				}
			}
			i = j - 1
			value := strings.Join(parts, " ")
			if label.field == "full_name" {
				value = strings.ToUpper(value)
			}
			// A speck after the last word is read as a full stop.
			value = strings.TrimRight(strings.TrimSpace(value), ".,")
			res.setField(label.field, Field{Value: vietnamese.NFC(value), Confidence: mean(conf), Source: SourceText, Box: boxOf(box)})
		}
	}
	if _, ok := res.Fields["id_number"]; !ok {
		// No label was read: any 12-digit run will do.
		for _, l := range lines {
			if d := idRe.FindString(fixDigits(strings.ReplaceAll(l.Text, " ", ""))); d != "" {
				res.setField("id_number", Field{Value: d, Confidence: l.Confidence * 0.8, Source: SourceText, Box: l.Box})
				break
			}
		}
	}
}

// byRows returns the lines in reading order: top to bottom, and left to
// right within a row. Tesseract may give a label before or after the value
// beside it, when it took them for two blocks (the 2016 card's address
// goes on under its value, not under its label).
func byRows(lines []Line) []Line {
	out := slices.Clone(lines)
	slices.SortStableFunc(out, func(l, m Line) int {
		a, b := l.Box, m.Box
		d := (a[1] + a[3]/2) - (b[1] + b[3]/2)
		if half := min(a[3], b[3]) / 2; d < half && -d < half {
			return a[0] - b[0] // one row
		}
		return d
	})
	return out
}

// NoExpiry is the expiry_date of a card valid for life ("Không thời hạn").
const NoExpiry = "none"

// lifetime reports whether s says "Không thời hạn" (no time limit).
func lifetime(s string) bool {
	f := vietnamese.Fold(s)
	return strings.Contains(f, "khong thoi han") || strings.Contains(f, "thoi han") && strings.Contains(f, "khong")
}

// findDate returns the first dd/mm/yyyy date in s as YYYY-MM-DD.
func findDate(s string) string {
	m := dateRe.FindStringSubmatch(fixDigits(s))
	if m == nil {
		return ""
	}
	return normalizeDate(m[1], m[2], m[3])
}

// fixDigits mends letters OCR puts among digits (O for 0, l for 1, ...),
// only in runs that are mostly digits.
func fixDigits(s string) string {
	tokens := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ':' })
	for _, t := range tokens {
		digits := 0
		for _, r := range t {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits*2 < len(t) {
			continue
		}
		fixed := strings.NewReplacer("O", "0", "o", "0", "D", "0", "l", "1", "I", "1", "|", "1", "S", "5", "B", "8", "Z", "2").Replace(t)
		s = strings.Replace(s, t, fixed, 1)
	}
	return s
}

func normalizeSex(s string) string {
	switch vietnamese.Fold(s) {
	case "nam", "m", "male":
		return "Nam"
	case "nu", "f", "female":
		return "Nữ"
	}
	return vietnamese.NFC(s)
}

func rectOf(b [4]int) image.Rectangle { return image.Rect(b[0], b[1], b[0]+b[2], b[1]+b[3]) }

func boxOf(r image.Rectangle) [4]int { return [4]int{r.Min.X, r.Min.Y, r.Dx(), r.Dy()} }
