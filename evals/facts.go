package evals

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Facts checks that the amounts, form codes and documents a reply names
// exist in the chosen catalogue entry: the assistant must never invent a
// fee or a paper.
type Facts struct {
	entries map[string]*procedures.Entry
	// documents are the folded names of every document of the catalogue,
	// longest first, so a reply naming a paper of another procedure is
	// caught.
	documents []string
}

// NewFacts indexes the catalogue's entries.
func NewFacts(entries []procedures.Entry) *Facts {
	f := &Facts{entries: make(map[string]*procedures.Entry, len(entries))}
	seen := map[string]bool{}
	for i := range entries {
		e := &entries[i]
		f.entries[e.Slug] = e
		for _, d := range e.Documents {
			name := vietnamese.Fold(d.Name)
			// Short names are too generic to count as naming a paper:
			// "Ảnh" is an ordinary word, and the guide mentions "thẻ căn
			// cước" at every procedure because a scan can fill the form.
			if len([]rune(name)) >= minDocumentName && !seen[name] {
				seen[name] = true
				f.documents = append(f.documents, name)
			}
		}
	}
	sort.Slice(f.documents, func(i, j int) bool { return len(f.documents[i]) > len(f.documents[j]) })
	return f
}

const minDocumentName = 14

var (
	// amountPattern finds sums of money in folded text: "50.000 đồng",
	// "50000đ", "1,2 triệu đồng", "30 nghìn".
	amountPattern = regexp.MustCompile(`\b(\d{1,3}(?:[.,\s]\d{3})+|\d+(?:[.,]\d+)?)\s*(nghin|ngan|trieu)?\s*(dong|vnd|d)?\b`)
	// formCodePattern finds form codes as printed: CT01, TK02, HK02a.
	formCodePattern = regexp.MustCompile(`\b[A-ZĐ]{2,5}\d{1,3}[a-z]?\b`)
	// thousandsPattern is a number grouped by thousands: 50.000, 1,200,000.
	thousandsPattern = regexp.MustCompile(`^\d{1,3}([.,]\d{3})+$`)
)

// Unsupported lists what text names that the entry slug does not hold. With
// no entry, any amount or form code is unsupported. service are amounts a
// kiosk service gave the reply (bills found, a payment order).
func (f *Facts) Unsupported(slug, text string, service ...int64) []string {
	var bad []string
	entry := f.entries[slug]
	if slug != "" && entry == nil {
		return []string{"unknown procedure " + slug}
	}
	amounts := map[int64]bool{}
	for _, a := range service {
		amounts[a] = true
	}
	codes := map[string]bool{}
	docs := map[string]bool{}
	var source string // the entry's own folded text: steps, notes, summary
	if entry != nil {
		for _, fee := range entry.Fees {
			amounts[fee.Amount] = true
			if fee.OnlineAmount != nil {
				amounts[*fee.OnlineAmount] = true
			}
		}
		if len(entry.Fees) == 0 {
			amounts[0] = true
		}
		for _, d := range entry.Documents {
			if d.FormCode != "" {
				codes[strings.ToUpper(d.FormCode)] = true
			}
			docs[vietnamese.Fold(d.Name)] = true
		}
		// Whatever the entry itself says counts too: a step may name the
		// appointment slip (CT03) or a sum in its notes.
		raw, _ := json.Marshal(entry)
		for _, code := range formCodePattern.FindAllString(string(raw), -1) {
			codes[strings.ToUpper(code)] = true
		}
		source = vietnamese.Fold(string(raw))
		for _, a := range findAmounts(source) {
			amounts[a.value] = true
		}
	}
	folded := vietnamese.Fold(text)
	for _, a := range findAmounts(folded) {
		if !amounts[a.value] {
			bad = append(bad, "amount "+a.text)
		}
	}
	for _, code := range formCodePattern.FindAllString(text, -1) {
		if !codes[strings.ToUpper(code)] {
			bad = append(bad, "form "+code)
		}
	}
	for _, name := range f.documents {
		if strings.Contains(folded, name) && !docs[name] && !partOfListed(name, docs) && !strings.Contains(source, name) {
			bad = append(bad, "document "+name)
		}
	}
	return bad
}

// partOfListed says whether name is contained in one of the entry's own
// document names ("to khai" inside "to khai thay doi thong tin cu tru").
func partOfListed(name string, docs map[string]bool) bool {
	for d := range docs {
		if strings.Contains(d, name) {
			return true
		}
	}
	return false
}

type amount struct {
	text  string
	value int64
}

// findAmounts returns the sums of money in folded text. A number counts as
// money only with a currency word or a nghìn/triệu multiplier, so phone
// numbers, dates and step numbers are left alone.
func findAmounts(folded string) []amount {
	var out []amount
	for _, m := range amountPattern.FindAllStringSubmatch(folded, -1) {
		number, mult, unit := m[1], m[2], m[3]
		if unit == "" && mult == "" {
			continue
		}
		value, ok := parseAmount(number, mult)
		if !ok {
			continue
		}
		out = append(out, amount{text: strings.TrimSpace(m[0]), value: value})
	}
	return out
}

func parseAmount(number, mult string) (int64, bool) {
	factor := int64(1)
	switch mult {
	case "nghin", "ngan":
		factor = 1000
	case "trieu":
		factor = 1_000_000
	}
	digits := strings.ReplaceAll(number, " ", "")
	// "50.000" and "50,000" group thousands; "1,5 triệu" is a decimal.
	if thousandsPattern.MatchString(digits) && factor == 1 {
		digits = strings.NewReplacer(".", "", ",", "").Replace(digits)
		v, err := strconv.ParseInt(digits, 10, 64)
		return v, err == nil
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(digits, ",", "."), 64)
	if err != nil {
		return 0, false
	}
	return int64(v*float64(factor) + 0.5), true
}

// String describes the index, for logs.
func (f *Facts) String() string {
	return fmt.Sprintf("%d entries, %d document names", len(f.entries), len(f.documents))
}

// serviceAmounts are the amounts the kiosk services put in the reply.
func (r Reply) serviceAmounts() []int64 {
	var out []int64
	if r.Payment != nil {
		out = append(out, r.Payment.Amount)
	}
	for _, b := range r.Bills {
		out = append(out, b.Amount)
	}
	return out
}

// withoutServiceCodes is text without the codes the services issued.
func (r Reply) withoutServiceCodes(text string) string {
	var codes []string
	if r.Dossier != nil {
		codes = append(codes, r.Dossier.TrackingCode)
	}
	if r.Report != nil {
		codes = append(codes, r.Report.Code)
	}
	if r.DossierStatus != nil {
		codes = append(codes, r.DossierStatus.TrackingCode)
	}
	if r.Payment != nil {
		codes = append(codes, r.Payment.Code)
	}
	for _, c := range codes {
		if c != "" {
			text = strings.ReplaceAll(text, c, "")
		}
	}
	return text
}
