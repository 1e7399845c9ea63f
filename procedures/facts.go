package procedures

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Since 1 July 2025 Vietnam has two levels of local government: the
// province or city, and the commune, ward or special zone. District-level
// units (quận, huyện, thị xã) no longer exist, so no entry may send a
// resident to one (Nghị quyết 202/2025/QH15; Luật Tổ chức chính quyền địa
// phương số 72/2025/QH15).
var abolishedLevels = [][]string{{"quận"}, {"huyện"}, {"thị", "xã"}}

// feeRuleGroups are the groups whose fees must carry their legal basis: the
// residence, identity, passport and civil-status procedures residents file
// at the ward.
var feeRuleGroups = map[string]bool{"residence": true, "idcard": true, "passport": true, "civil": true}

// MaxCheckedAge is how old an entry's or a fee's checked date may be.
const MaxCheckedAge = 365 * 24 * time.Hour

// AbolishedLevels returns the administrative levels abolished on 1 July
// 2025 that text names ("quận", "huyện", "thị xã"), whole words only: the
// catalogue's check and the model guard's.
func AbolishedLevels(text string) []string { return abolishedWords(text) }

// abolishedWords returns the abolished administrative levels text names,
// matching whole words so that "chuyện" is not "huyện".
func abolishedWords(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r)
	})
	var found []string
	for i := range words {
		for _, level := range abolishedLevels {
			if i+len(level) <= len(words) && equalWords(words[i:i+len(level)], level) {
				found = append(found, strings.Join(level, " "))
			}
		}
	}
	return found
}

func equalWords(a, b []string) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkFacts applies the rules about facts: no abolished level named
// anywhere in the entry, and fee lines of ward procedures that carry their
// basis and the date they were checked.
func checkFacts(e *Entry, add func(loc, format string, args ...any)) {
	doc, _ := json.Marshal(e)
	var tree any
	_ = json.Unmarshal(doc, &tree)
	walkText(tree, "", func(loc, text string) {
		if w := abolishedWords(text); len(w) > 0 {
			add(loc, "names %q, a level abolished on 1 July 2025: name the ward, commune or city authority that handles it now", w[0])
		}
	})
	if !feeRuleGroups[e.Group] {
		return
	}
	for i, f := range e.Fees {
		loc := fmt.Sprintf("/fees/%d", i)
		if !f.Unconfirmed && (f.Basis.Document == "" || f.Basis.Article == "") {
			add(loc+"/basis", "a confirmed fee needs its legal basis with the article")
		}
		if !f.Unconfirmed && f.Basis.Document != "" && f.Basis.Issued == "" && !listedUncertain(e, f.Basis.Document) {
			add(loc+"/basis/issued", "the basis needs the date it was issued, or the entry lists %q under uncertain", docNumber(f.Basis.Document))
		}
		if _, err := time.Parse(time.DateOnly, f.CheckedOn); err != nil {
			add(loc+"/checked_on", "the fee needs the date it was checked (YYYY-MM-DD)")
		}
	}
}

// docNumber is a legal document's number ("59/2024/TT-BTC" of "Thông tư
// 59/2024/TT-BTC về lệ phí…"): the word with two slashes.
func docNumber(doc string) string {
	for _, w := range strings.Fields(doc) {
		if strings.Count(w, "/") >= 2 {
			return w
		}
	}
	return doc
}

// listedUncertain reports whether the entry says it could not confirm
// the document (by its number) yet.
func listedUncertain(e *Entry, doc string) bool {
	n := docNumber(doc)
	for _, u := range e.Uncertain {
		if strings.Contains(u, n) {
			return true
		}
	}
	return false
}

func walkText(v any, loc string, visit func(loc, text string)) {
	switch v := v.(type) {
	case string:
		visit(loc, v)
	case []any:
		for i, x := range v {
			walkText(x, fmt.Sprintf("%s/%d", loc, i), visit)
		}
	case map[string]any:
		for k, x := range v {
			walkText(x, loc+"/"+k, visit)
		}
	}
}

// Stale lists, for each entry, the checked dates older than MaxCheckedAge
// on day: the entry's source and each fee line. The catalogue test fails
// on any, so that facts are looked at again at least once a year.
func Stale(entries []Entry, day time.Time) []string {
	var out []string
	old := func(slug, loc, date string) {
		t, err := time.Parse(time.DateOnly, date)
		if err != nil || day.Sub(t) > MaxCheckedAge {
			out = append(out, fmt.Sprintf("%s: %s: checked on %q, more than 12 months before %s", slug, loc, date, day.Format(time.DateOnly)))
		}
	}
	for _, e := range entries {
		old(e.Slug, "/source/checked_on", e.Source.CheckedOn)
		for i, f := range e.Fees {
			if f.CheckedOn != "" {
				old(e.Slug, fmt.Sprintf("/fees/%d/checked_on", i), f.CheckedOn)
			}
		}
	}
	return out
}
