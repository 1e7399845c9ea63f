package ocr

import (
	"image"
	"regexp"
	"strings"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Papers a resident may bring that are no longer accepted: recognised and
// refused with what to bring instead, never read as a chip card.
var (
	ErrCMND = apperr.New(apperr.Invalid, "cmnd_not_accepted",
		"Đây là giấy chứng minh nhân dân 9 số, đã hết giá trị sử dụng từ ngày 01/01/2025. "+
			"Xin vui lòng dùng thẻ căn cước, thẻ căn cước công dân gắn chip còn hạn hoặc hộ chiếu còn hạn.")
	ErrHouseholdBooklet = apperr.New(apperr.Invalid, "household_booklet_not_accepted",
		"Đây là sổ hộ khẩu giấy, không còn được dùng để chứng minh nơi cư trú từ ngày 01/01/2023. "+
			"Xin vui lòng dùng thẻ căn cước hoặc thẻ căn cước công dân gắn chip; nơi cư trú được tra trên ứng dụng VNeID.")
)

// refused returns the error for a paper that is no longer accepted, judged
// from the page's folded text, or nil.
func refused(folded string) error {
	switch {
	case strings.Contains(folded, "chung minh nhan dan"):
		return ErrCMND
	case strings.Contains(folded, "so ho khau"), strings.Contains(folded, "ho khau") && strings.Contains(folded, "chu ho"):
		return ErrHouseholdBooklet
	}
	return nil
}

// detectDocument decides the kinds that the title of a page names, from
// its folded text; it returns KindAuto when the title is none of them.
func detectDocument(folded string) Kind {
	switch {
	case strings.Contains(folded, "ho chieu") || strings.Contains(folded, "passport"):
		return KindPassport
	case strings.Contains(folded, "giay khai sinh"):
		return KindBirthCertificate
	case strings.Contains(folded, "hoa don") || strings.Contains(folded, "ma khach hang"):
		return KindBill
	case strings.Contains(folded, "noi cu tru") || strings.Contains(folded, "ministry of public security") ||
		strings.Contains(folded, "noi dang ky khai sinh"):
		return KindCanCuocBack
	case strings.Contains(folded, "can cuoc cong dan") || strings.Contains(folded, "citizen identity"):
		return KindCCCDFront
	case strings.Contains(folded, "identity card") || strings.Contains(folded, "so dinh danh ca nhan") && strings.Contains(folded, "can cuoc"),
		// The label of the number, when the title was misread: the 2021
		// card's back says only "Personal identification:".
		strings.Contains(folded, "personal identification number"):
		return KindCanCuocFront
	}
	return KindAuto
}

// How a labelled value is read.
const (
	valueText   = iota // the rest of the line after the colon, else the next line
	valueNext          // the next line (the card prints it large below the label)
	valueDate          // a dd/mm/yyyy date on the line, or "Không thời hạn"
	valueID            // twelve digits, on the line or the next
	valueWord          // the first word after the colon
	valueCode          // the first token after the last colon
	valueTwo           // after the colon, or the next one or two lines
	valueRegNum        // a registration number n/yyyy
)

type label struct {
	field string
	keys  []string // folded; the first that a line contains names it
	how   int
}

var (
	canCuocFrontLabels = []label{
		{"id_number", []string{"so dinh danh ca nhan", "personal identification number"}, valueID},
		{"full_name", []string{"ten khai sinh", "full name"}, valueNext},
		{"date_of_birth", []string{"nam sinh", "date of birth"}, valueDate},
		{"sex", []string{"gioi tinh", "sex:"}, valueWord},
	}
	canCuocBackLabels = []label{
		{"place_of_residence", []string{"noi cu tru", "place of residence"}, valueTwo},
		{"place_of_birth", []string{"noi dang ky khai sinh", "place of birth"}, valueNext},
		{"issue_date", []string{"nam cap", "date of issue"}, valueDate},
		{"expiry_date", []string{"het han", "date of expiry"}, valueDate},
	}
	passportLabels = []label{
		{"passport_number", []string{"so ho chieu", "passport no"}, valueCode},
		{"full_name", []string{"ho va ten", "full name"}, valueNext},
		{"date_of_birth", []string{"ngay sinh", "date of birth"}, valueDate},
		{"place_of_birth", []string{"noi sinh", "place of birth"}, valueText},
		{"sex", []string{"gioi tinh", "sex:"}, valueWord},
		{"id_number", []string{"so dinh danh", "personal no"}, valueID},
		{"issue_date", []string{"ngay cap", "date of issue"}, valueDate},
		{"expiry_date", []string{"co gia tri den", "date of expiry"}, valueDate},
	}
	birthCertificateLabels = []label{
		{"father_name", []string{"nguoi cha"}, valueText},
		{"mother_name", []string{"nguoi me"}, valueText},
		{"full_name", []string{"ho, chu dem, ten", "ho va ten"}, valueText},
		{"date_of_birth", []string{"ngay, thang, nam sinh", "nam sinh"}, valueDate},
		{"sex", []string{"gioi tinh"}, valueWord},
		{"place_of_birth", []string{"noi sinh"}, valueText},
		{"id_number", []string{"so dinh danh ca nhan"}, valueID},
		{"registration_number", []string{"so:"}, valueRegNum},
	}
	billLabels = []label{
		{"customer_code", []string{"ma khach hang", "ma kh", "danh bo"}, valueCode},
	}
)

// labelsOf are the printed labels read on each kind.
var labelsOf = map[Kind][]label{
	KindCanCuocFront:     canCuocFrontLabels,
	KindCanCuocBack:      canCuocBackLabels,
	KindPassport:         passportLabels,
	KindBirthCertificate: birthCertificateLabels,
	KindBill:             billLabels,
}

// findLabel returns the label a line starts with (its folded text holds
// the key before any colon's value), or nil.
func findLabel(labels []label, text string) *label {
	f := vietnamese.Fold(text)
	for i, l := range labels {
		for _, k := range l.keys {
			if j := strings.Index(f, k); j >= 0 && (j < 40 || strings.Count(f[:j], ":") > 0) {
				return &labels[i]
			}
		}
	}
	return nil
}

var (
	regNumRe   = regexp.MustCompile(`\b(\d{1,5})\s*/\s*(\d{4})\b`)
	passportRe = regexp.MustCompile(`^[A-Z]\d{7,8}$`)
)

// extractLabelled reads the printed "label: value" fields of a page.
func extractLabelled(res *Result, lines []Line, labels []label) {
	for i, l := range lines {
		lb := findLabel(labels, l.Text)
		if lb == nil {
			continue
		}
		if v, box, conf, ok := labelledValue(lines, i, lb, labels); ok {
			res.setField(lb.field, Field{Value: vietnamese.NFC(strings.TrimSpace(v)), Confidence: conf, Source: SourceText, Box: boxOf(box)})
		}
	}
}

// valueAfter is what follows a label's colon on its line: after the first
// colon for text and words, after the last for the rest (a date or a
// number after "Ngày, tháng, năm sinh / Date of birth:").
func valueAfter(text string, how int) string {
	if how == valueWord || how == valueText {
		if _, v, ok := strings.Cut(text, ":"); ok {
			return strings.TrimSpace(v)
		}
	}
	if k := strings.LastIndex(text, ":"); k >= 0 {
		return strings.TrimSpace(text[k+1:])
	}
	return ""
}

// following joins up to n lines after lines[i], stopping at another label,
// with the box around them and lines[i] and their mean confidence.
func following(lines []Line, i, n int, labels []label) (string, image.Rectangle, float64) {
	var parts []string
	box, conf := rectOf(lines[i].Box), []float64{}
	for j := i + 1; j < len(lines) && j <= i+n && findLabel(labels, lines[j].Text) == nil; j++ {
		parts = append(parts, lines[j].Text)
		box = box.Union(rectOf(lines[j].Box))
		conf = append(conf, lines[j].Confidence)
	}
	return strings.Join(parts, " "), box, mean(conf)
}

// labelledValue reads the value of the label lb on lines[i], as the label
// says it is printed; ok is false when there is none to take.
func labelledValue(lines []Line, i int, lb *label, labels []label) (v string, box image.Rectangle, conf float64, ok bool) {
	l := lines[i]
	after := valueAfter(l.Text, lb.how)
	v, box, conf = after, rectOf(l.Box), l.Confidence
	switch lb.how {
	case valueDate:
		v = findDate(l.Text)
		if v == "" && lb.field == "expiry_date" && lifetime(l.Text) {
			v = NoExpiry
		}
		conf = min(l.Confidence, textDateConfidence)
	case valueID:
		v = idRe.FindString(fixDigits(strings.ReplaceAll(after, " ", "")))
		if v == "" {
			next, b, c := following(lines, i, 1, labels)
			v, box, conf = idRe.FindString(fixDigits(strings.ReplaceAll(next, " ", ""))), b, c
		}
	case valueWord:
		w := strings.Fields(after)
		if len(w) == 0 {
			return "", box, conf, false
		}
		v = w[0]
		if lb.field == "sex" {
			v = normalizeSex(v)
		}
	case valueCode:
		w := strings.Fields(after)
		if len(w) == 0 {
			return "", box, conf, false
		}
		v = code(w[0])
		if lb.field == "passport_number" && !passportRe.MatchString(v) {
			return "", box, conf, false
		}
	case valueRegNum:
		m := regNumRe.FindStringSubmatch(fixDigits(l.Text))
		if m == nil {
			return "", box, conf, false
		}
		v = m[1] + "/" + m[2]
	case valueNext:
		v, box, conf = following(lines, i, 1, labels)
	case valueTwo:
		v, box, conf = following(lines, i, 2, labels)
		if after != "" {
			v, box, conf = strings.TrimSpace(after+" "+v), box.Union(rectOf(l.Box)), l.Confidence
		}
	default:
		if v == "" {
			v, box, conf = following(lines, i, 1, labels)
		}
	}
	if lb.field == "full_name" || (lb.how == valueText && strings.HasSuffix(lb.field, "_name")) {
		v = strings.ToUpper(v)
	}
	return v, box, conf, true
}

// code mends a customer or passport code as OCR reads it: letters then
// digits, where an O among the digits is a 0.
func code(s string) string {
	s = strings.ToUpper(strings.Trim(s, ".,;"))
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' && i < 2 {
		i++
	}
	if i > 0 && strings.IndexFunc(s[i:], func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
		return s
	}
	return s[:i] + strings.NewReplacer("O", "0", "D", "0", "I", "1", "L", "1", "S", "5", "B", "8").Replace(s[i:])
}

// addPassportFields puts a TD3 zone's values on the result.
func addPassportFields(res *Result, m *PassportMRZ, box [4]int) {
	failed := mrzWarn(res, m.Failed)
	conf := func(check string) float64 {
		if failed[check] || failed[checkComposite] {
			return mrzBadConfidence
		}
		return mrzConfidence
	}
	setZoneFields(res, box, zoneValues{
		numberCheck: checkPassportNumber, number: m.PassportNumber,
		idNumber: m.IDNumber, dateOfBirth: m.DateOfBirth,
		expiryCheck: checkExpiryDate, expiry: m.ExpiryDate,
		sex: m.Sex, nationality: m.Nationality, name: m.FullName,
	}, conf)
}

// keepPrintedName prefers the printed name, with its diacritics, over the
// MRZ's when the two are the same name folded.
func keepPrintedName(res *Result, printed Field) {
	f, ok := res.Fields["full_name"]
	if ok && printed.Value != "" && f.Source == SourceMRZ && sameValue("full_name", f.Value, printed.Value) {
		printed.Confidence = max(printed.Confidence, f.Confidence)
		res.Fields["full_name"] = printed
	}
}
