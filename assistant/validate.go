package assistant

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// The desk officer's checks: what a ward officer would point out before
// taking a form, beyond each value being well written. A date must be
// plausible for what it is (the catalogue's DateCheck with its legal
// basis; any birth date within a human life); a name typed without
// diacritics gets one gentle question; a typed value that contradicts the
// scanned card is pointed out once, with both values to choose from.

// maxAge bounds any birth date: older than this is a typing slip.
const maxAge = 120

// checkDate returns what is wrong with date value v of field f, or "".
func (t collector) checkDate(f procedures.Field, v string) string {
	if f.Type != procedures.FieldDate {
		return ""
	}
	d, ok := dateOf(v)
	if !ok {
		return ""
	}
	now := t.svc.now().In(vietnamese.Zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	shown := displayValue(f, v)
	if strings.Contains(f.Name, "birth") && ageOn(d, today) > maxAge {
		return t.say("check_too_old", "value", shown, "max", strconv.Itoa(maxAge))
	}
	c := f.Check
	if c == nil {
		return ""
	}
	basis := func() string {
		if c.Basis == "" {
			return ""
		}
		return strings.TrimSuffix(c.Basis, ".") + "."
	}
	switch {
	case c.NotPast && d.Before(today):
		return t.say("check_not_past", "label", f.Label, "value", shown)
	case c.NotFuture && d.After(today):
		return t.say("check_not_future", "label", f.Label, "value", shown)
	}
	if c.AgeMin > 0 && ageOn(d, today) < c.AgeMin {
		return t.say("check_age_min", "value", shown, "age", strconv.Itoa(ageOn(d, today)), "basis", basis())
	}
	if c.AgeMax > 0 && ageOn(d, today) > c.AgeMax {
		return t.say("check_age_max", "value", shown, "age", strconv.Itoa(ageOn(d, today)), "basis", basis())
	}
	if c.After == "" {
		return ""
	}
	other, ok := t.entry.Field(c.After)
	if !ok {
		return ""
	}
	ov := t.sess.Fields[c.After].Value
	od, ok := dateOf(ov)
	if !ok {
		return ""
	}
	if d.Before(od) {
		return t.say("check_after", "label", f.Label, "value", shown, "other", strings.ToLower(other.Label), "other_value", displayValue(other, ov))
	}
	if days := int(d.Sub(od).Hours() / 24); c.WithinDays > 0 && days > c.WithinDays {
		return t.say("check_within", "from", displayValue(other, ov), "value", shown, "days", strconv.Itoa(days),
			"max", strconv.Itoa(c.WithinDays), "basis", basis())
	}
	return ""
}

// dateOf reads a stored date value; a year alone is its first day.
func dateOf(v string) (time.Time, bool) {
	if len(v) == 4 {
		y, err := strconv.Atoi(v)
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), err == nil
	}
	d, err := time.Parse(time.DateOnly, v)
	return d, err == nil
}

// ageOn is the age in whole years on day of someone born on birth.
func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.YearDay() < birth.YearDay() {
		age--
	}
	return age
}

// contradictsScan points out a typed value that differs from what the
// scanned card says for the same field, once per field; it returns false
// when there is nothing to point out (or it was pointed out before, and
// the resident kept their value).
func (t collector) contradictsScan(f procedures.Field, v string) bool {
	st := &t.sess.State
	sf, ok := st.Scanned[f.FromScan]
	if f.FromScan == "" || !ok || slices.Contains(st.Warned, f.Name) {
		return false
	}
	card, err := ParseValue(f, sf.Value)
	if err != nil || vietnamese.Fold(card) == vietnamese.Fold(v) {
		return false
	}
	st.Warned = append(st.Warned, f.Name)
	t.clarify(t.say("scan_differs", "label", strings.ToLower(f.Label), "card", displayValue(f, card), "typed", displayValue(f, v)))
	st.Offers = []Choice{
		{ID: "opt:" + card, Label: t.say("choice_use_card", "value", displayValue(f, card))},
		{ID: "opt:" + v, Label: t.say("choice_keep_typed", "value", displayValue(f, v))},
	}
	return true
}

// askMarks asks once, gently, whether a name typed without diacritics
// should be written with them; the resident may answer the next question
// instead.
func (t collector) askMarks(f procedures.Field, v string) {
	st := &t.sess.State
	if f.Type != procedures.FieldText || !strings.HasSuffix(f.Name, "name") || strings.HasPrefix(f.Name, "guest") ||
		hasMarks(v) || slices.Contains(st.AskedMarks, f.Name) || len(vietnamese.Words(v)) < 2 {
		return
	}
	st.AskedMarks = append(st.AskedMarks, f.Name)
	t.note(t.say("name_marks"))
	st.Offers = []Choice{{ID: "rewrite:" + f.Name, Label: t.say("choice_rewrite_marks")}}
}
