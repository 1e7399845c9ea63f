package pii

import (
	"regexp"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Kind is the sort of personal data a placeholder stands for; it is the
// placeholder's name, so a model still knows what stands there.
type Kind string

const (
	KindName      Kind = "HO_TEN"
	KindBirthDate Kind = "NGAY_SINH"
	KindDate      Kind = "NGAY"
	KindID        Kind = "SO_DINH_DANH"
	KindPhone     Kind = "SO_DIEN_THOAI"
)

var (
	// Full dates: 12/03/1950, 12-3-1950, 12.03.1950, 1950-03-12.
	datePattern = regexp.MustCompile(`\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b`)
	// namePattern finds what looks like a person's name: two or more
	// capitalised words in a row ("Nguyễn Thị Lan"), or three or more
	// words in capitals, as a card prints them ("NGUYỄN VĂN AN").
	namePattern = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])(\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+)+|\p{Lu}{2,}(?:\s+\p{Lu}{2,}){2,})(?:$|[^\p{L}\p{N}])`)
	// A number already masked for a log ("******3456"): its last four
	// digits are still the resident's.
	maskedPattern = regexp.MustCompile(`\*{4,}[\s.\-]?\d{4}\b`)
	// A placeholder as written, and as a model may give it back without
	// its brackets.
	placeholderPattern = regexp.MustCompile(`\[?\b(HO_TEN|NGAY_SINH|NGAY|SO_DINH_DANH|SO_DIEN_THOAI)_([A-Z]+)\b\]?`)
)

// Placeholders stands in for the personal data of one conversation in text
// bound for a language model: names, dates of birth, ID and phone numbers
// become "[HO_TEN_A]", "[NGAY_SINH_A]", "[SO_DINH_DANH_A]",
// "[SO_DIEN_THOAI_A]", the same value always the same placeholder, and
// Restore puts the values back into what the model answers. The model
// never receives the values; the resident reads them as typed.
type Placeholders struct {
	known  []knownValue
	byText map[string]string // value as found → placeholder
	values map[string]string // placeholder → value
	count  map[Kind]int
}

type knownValue struct {
	kind  Kind
	value string // as the session holds it, what Restore gives back
	re    *regexp.Regexp
}

// NewPlaceholders returns an empty set; Know adds the values a session
// holds, and Hide finds others by their shape.
func NewPlaceholders() *Placeholders {
	return &Placeholders{byText: map[string]string{}, values: map[string]string{}, count: map[Kind]int{}}
}

// Know adds a value the conversation holds (a name typed in a form, a date
// of birth read from a card), so that it is hidden wherever it appears,
// whatever its case or marks. A date is given as YYYY-MM-DD and is found in
// the ways people write one.
func (p *Placeholders) Know(kind Kind, value string) {
	value = strings.TrimSpace(vietnamese.NFC(value))
	if len([]rune(value)) < 3 {
		return
	}
	var alts []string
	canonical := value
	if d, err := time.Parse(time.DateOnly, value); err == nil {
		canonical = d.Format("02/01/2006")
		alts = append(alts, d.Format("02/01/2006"), d.Format("2/1/2006"), d.Format("02-01-2006"), d.Format("02.01.2006"), value)
	} else {
		alts = append(alts, value)
		if plain := vietnamese.StripMarks(value); plain != value {
			alts = append(alts, plain)
		}
	}
	for i, a := range alts {
		alts[i] = strings.Join(strings.Fields(regexp.QuoteMeta(a)), `\s+`)
	}
	// Whole words only: Go's \b knows no Vietnamese letters.
	p.known = append(p.known, knownValue{kind: kind, value: canonical, re: regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(` + strings.Join(alts, "|") + `)(?:$|[^\p{L}\p{N}])`)})
}

// Hide replaces every personal datum of s by its placeholder: the known
// values first, then phone and ID numbers, full dates and names by their
// shape.
func (p *Placeholders) Hide(s string) string {
	if p == nil {
		return NewPlaceholders().Hide(s)
	}
	s = vietnamese.NFC(s)
	for _, k := range p.known {
		s = p.replaceGroup(k.re, func(string) string { return p.placeholder(k.kind, k.value) }, s)
	}
	s = replaceNumbers(s, p.placeholder)
	s = maskedPattern.ReplaceAllStringFunc(s, func(m string) string {
		if len(m) == 10 {
			return p.placeholder(KindPhone, m)
		}
		return p.placeholder(KindID, m)
	})
	s = datePattern.ReplaceAllStringFunc(s, func(m string) string { return p.placeholder(KindDate, m) })
	if m := namePattern.FindStringSubmatchIndex(s); m != nil && m[2] == 0 && len(strings.Fields(s[m[2]:m[3]])) == 2 {
		// A sentence's first word and one more: "Bác Cần" is no name.
		return s[:m[3]] + p.replaceGroup(namePattern, p.of(KindName), s[m[3]:])
	}
	return p.replaceGroup(namePattern, p.of(KindName), s)
}

// Restore puts the values back in place of the placeholders of s; a
// placeholder this set did not give stays as it is.
func (p *Placeholders) Restore(s string) string {
	if p == nil {
		return s
	}
	return placeholderPattern.ReplaceAllStringFunc(s, func(m string) string {
		key := "[" + strings.Trim(m, "[]") + "]"
		if v, ok := p.values[key]; ok {
			return v
		}
		return m
	})
}

// replaceGroup replaces the first group of each match of re in s (the
// value without the characters around it) by what with gives for it.
func (p *Placeholders) replaceGroup(re *regexp.Regexp, with func(string) string, s string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[2]])
		b.WriteString(with(s[m[2]:m[3]]))
		last = m[3]
	}
	b.WriteString(s[last:])
	return b.String()
}

// of returns the placeholder maker of kind.
func (p *Placeholders) of(kind Kind) func(string) string {
	return func(v string) string { return p.placeholder(kind, v) }
}

// placeholder returns the placeholder of value, giving a new one the first
// time it is seen.
func (p *Placeholders) placeholder(kind Kind, value string) string {
	key := string(kind) + "\x00" + strings.ToLower(strings.Join(strings.Fields(value), " "))
	if ph, ok := p.byText[key]; ok {
		return ph
	}
	p.count[kind]++
	ph := "[" + string(kind) + "_" + letters(p.count[kind]) + "]"
	p.byText[key], p.values[ph] = ph, value
	return ph
}

// letters numbers placeholders without digits, which a model's output
// checks would take for amounts: A … Z, AA, AB …
func letters(n int) string {
	s := ""
	for ; n > 0; n = (n - 1) / 26 {
		s = string(rune('A'+(n-1)%26)) + s
	}
	return s
}
