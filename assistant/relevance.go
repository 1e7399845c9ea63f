package assistant

import (
	"slices"
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// The catalogue's search ranks by reciprocal rank fusion: its scores order
// results but do not say whether the best one is relevant at all (a query
// about the weather still gets a "best" procedure). The relevance floor
// therefore has two parts: the score floor from the configuration, and a
// lexical check that a pair of the query's syllables (Vietnamese words are
// mostly two syllables) appears in the entry's name, aliases, summary or
// matched passages. Without diacritics the comparison folds both sides;
// with them it keeps the marks, so "vé số" does not match "về số".

var stopSyllables = map[string]bool{
	"toi": true, "muon": true, "cho": true, "cua": true, "the": true, "nao": true, "can": true, "gi": true,
	"bi": true, "hom": true, "nay": true, "o": true, "dau": true, "la": true, "co": true, "va": true,
	"thi": true, "ma": true, "duoc": true, "khong": true, "bac": true, "em": true, "chau": true, "a": true,
	"oi": true, "nhe": true, "voi": true, "di": true, "lam": true, "sao": true, "nhu": true, "mot": true,
	"cai": true, "nhung": true, "cac": true, "ve": true, "de": true, "giup": true, "xin": true, "hoi": true,
	"ai": true, "bao": true, "nhieu": true, "khi": true, "ne": true, "vay": true, "roi": true, "da": true,
}

// genericPairs name no procedure in particular: the country's name (in
// every citizenship clause, and in a football match), "con số" (a figure,
// in an entry's notes and on a lottery ticket) and "xin con" (asking for
// one: "xin con số đẹp"; adoption is "con nuôi") among them.
var genericPairs = map[string]bool{"dang ky": true, "dang ki": true, "thu tuc": true, "giay to": true, "ho so": true, "le phi": true, "bao nhieu": true,
	"viet nam": true, "con so": true, "xin con": true}

// relevantTo reports whether query is about entry, given the passages the
// search matched.
func relevantTo(query string, e *procedures.Entry, passages []procedures.Citation) bool {
	marked := hasMarks(query)
	norm := func(s string) []string {
		if marked {
			s = strings.ToLower(vietnamese.NFC(s))
			return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
		}
		return vietnamese.Words(s)
	}
	q := norm(query)
	var parts []string
	parts = append(parts, e.Name, e.Summary)
	parts = append(parts, e.Aliases...)
	for _, p := range passages {
		parts = append(parts, p.Text)
	}
	words := norm(strings.Join(parts, " \n "))
	text := " " + strings.Join(words, " ") + " "
	content := func(w string) bool { return !stopSyllables[vietnamese.Fold(w)] }
	var pairs, singles int
	for i, w := range q {
		if content(w) {
			singles++
		}
		if i+1 < len(q) && (content(w) || content(q[i+1])) && !genericPairs[vietnamese.Fold(w+" "+q[i+1])] {
			pairs++
			if strings.Contains(text, " "+w+" "+q[i+1]+" ") || nearPair(w, q[i+1], words) {
				return true
			}
		}
		// Two syllables typed as one: "hochieu", "cancuoc".
		if content(w) && len(w) > 4 && strings.Contains(joined(text), " "+w+" ") {
			return true
		}
	}
	if singles == 1 || (pairs == 0 && singles > 0) {
		// One meaningful word ("cccd", "passport"): it must appear as is.
		return slices.ContainsFunc(q, func(w string) bool { return content(w) && strings.Contains(text, " "+w+" ") })
	}
	return false
}

// hasMarks reports whether s carries Vietnamese diacritics.
func hasMarks(s string) bool { return vietnamese.StripMarks(s) != s }

// joined returns text with each pair of neighbouring words also written
// as one: " ho chieu " gives " ho chieu hochieu ".
func joined(text string) string {
	words := strings.Fields(text)
	var b strings.Builder
	b.WriteString(" ")
	for i := 0; i+1 < len(words); i++ {
		b.WriteString(words[i] + words[i+1] + " ")
	}
	return b.String()
}

// nearPair reports whether a and b appear next to each other in words,
// each allowing one typo when it has three letters or more ("chiu" for
// "chieu", "cuocc" for "cuoc").
func nearPair(a, b string, words []string) bool {
	for i := 0; i+1 < len(words); i++ {
		if near(a, words[i]) && near(b, words[i+1]) {
			return true
		}
	}
	return false
}

func near(a, b string) bool {
	if a == b || vietnamese.SameMarksMisplaced(a, b) {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) < 3 || len(rb) < 3 || len(ra)-len(rb) > 1 || len(rb)-len(ra) > 1 {
		return false
	}
	return vietnamese.EditDistance(ra, rb) <= 1
}
