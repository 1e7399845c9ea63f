package assistant

import (
	"slices"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// conversation is what the guide knows between turns: the session with
// its position, and the catalogue entry it is about. Its methods read and
// move the position; they say nothing to the resident (the turn does).
type conversation struct {
	sess   *Session
	entry  *procedures.Entry
	reload string // slug to load after going back (turn.reloadEntry)
}

func (c *conversation) position() Position {
	return Position{Stage: c.sess.Stage, Field: c.sess.State.Field, Candidates: c.sess.State.Candidates, Procedure: c.sess.Procedure}
}

// push remembers the current position for "go back".
func (c *conversation) push() {
	h := append(c.sess.State.History, c.position())
	if len(h) > 40 {
		h = h[len(h)-40:]
	}
	c.sess.State.History = h
}

// restore returns to position p. When p is about another procedure than
// the one loaded, its entry is loaded after the answer step (reloadEntry).
func (c *conversation) restore(p Position) {
	if p.Procedure != nil && (c.entry == nil || c.entry.Slug != p.Procedure.Slug) {
		c.reload = p.Procedure.Slug
	}
	c.sess.Stage = p.Stage
	c.sess.Procedure = p.Procedure
	if p.Procedure == nil {
		c.entry = nil
	}
	c.sess.State.Field = p.Field
	c.sess.State.Candidates = p.Candidates
	c.sess.State.Confirming = nil
	c.sess.State.Editing = false
	c.sess.State.Before = nil
	if p.Stage == StageReview && c.entry != nil {
		c.sess.State.Draft = c.draft()
	}
}

func (c *conversation) currentField() (procedures.Field, bool) {
	if c.entry == nil {
		return procedures.Field{}, false
	}
	if pending := c.sess.State.Confirming; len(pending) > 0 {
		return c.entry.Field(pending[0])
	}
	return c.entry.Field(c.sess.State.Field)
}

// advance moves to the next field to ask, or to the review.
func (c *conversation) advance() {
	st := &c.sess.State
	if st.Editing {
		st.Editing = false
		if len(st.Confirming) == 0 {
			c.toReview()
			return
		}
	}
	for _, f := range c.entry.Form.Fields {
		v, ok := c.sess.Fields[f.Name]
		if ok && v.Value != "" {
			continue
		}
		if slices.Contains(st.Skipped, f.Name) || (f.Name == procedures.FeeExemptField && c.exemptByAge()) {
			continue
		}
		st.Field = f.Name
		return
	}
	st.Field = ""
	if len(st.Confirming) == 0 {
		c.toReview()
	}
}

// exemptByAge reports whether the date of birth given already frees the
// filer from the entry's fee, so the question about other groups need not
// be asked.
func (c *conversation) exemptByAge() bool {
	d, err := time.Parse(time.DateOnly, c.sess.Fields["date_of_birth"].Value)
	if err != nil || len(c.entry.Fees) == 0 {
		return false
	}
	no := false
	return procedures.ChargeFor(c.entry.Fees[0], procedures.Filer{BirthDate: d, Declared: &no, Channel: procedures.ChannelOnline}, time.Now()).Exempt
}

func (c *conversation) toReview() {
	c.sess.Stage = StageReview
	c.sess.State.Field = ""
	c.sess.State.Draft = c.draft()
}

// draft builds the dossier draft from the collected fields.
func (c *conversation) draft() *Draft {
	d := &Draft{ProcedureSlug: c.entry.Slug, StationID: c.sess.StationID, KioskSessionID: c.sess.KioskSessionID}
	for _, f := range c.entry.Form.Fields {
		v, ok := c.sess.Fields[f.Name]
		if !ok || v.Value == "" {
			continue
		}
		df := DraftField{Name: f.Name, Label: f.Label, Value: v.Value, Provenance: v.Provenance, Confidence: v.Confidence}
		c.scannedFrom(f, &df)
		d.Fields = append(d.Fields, df)
	}
	return d
}

// scannedFrom adds to a draft's field, when its value is the one a scan
// gave, the scan's kind and the readings that disagreed with it.
func (c *conversation) scannedFrom(f procedures.Field, df *DraftField) {
	sf, ok := c.sess.State.Scanned[f.FromScan]
	if f.FromScan == "" || !ok || df.Provenance != scanProvenance(sf.Source) {
		return
	}
	if v, err := ParseValue(f, sf.Value); err != nil || v != df.Value {
		return
	}
	df.Document = sf.Kind
	for _, r := range sf.Conflicts {
		v, err := ParseValue(f, r.Value)
		if err != nil {
			v = r.Value // as read: staff compare it with the scan
		}
		df.Conflicts = append(df.Conflicts, DraftConflict{Value: v, Provenance: scanProvenance(r.Source), Document: r.Kind})
	}
}

// scanProvenance is the provenance of a value read from a scan's source.
func scanProvenance(source string) Provenance {
	switch source {
	case "qr":
		return procedures.FromQR
	case "mrz":
		return procedures.FromMRZ
	}
	return procedures.FromOCR
}

// missing lists required fields without a value.
func (c *conversation) missing() []string {
	out := []string{}
	if c.entry == nil {
		return out
	}
	for _, f := range c.entry.Form.Fields {
		if v, ok := c.sess.Fields[f.Name]; f.Required && (!ok || v.Value == "") {
			out = append(out, f.Name)
		}
	}
	return out
}

// fieldNamed reads "sửa số điện thoại" at the review as the field to edit.
func (c *conversation) fieldNamed(folded string) (string, bool) {
	rest, ok := "", false
	for _, verb := range []string{"sua lai ", "sua ", "doi lai ", "doi ", "chinh lai ", "chinh sua ", "nhap lai "} {
		if r, found := strings.CutPrefix(folded, verb); found {
			rest, ok = strings.TrimSpace(r), true
			break
		}
	}
	if !ok || rest == "" {
		return "", false
	}
	var match []string
	for _, f := range c.reviewFields() {
		label := strings.Join(vietnamese.Words(f.Label), " ")
		if strings.Contains(label, rest) || wordsWithin(rest, label) {
			match = append(match, f.Name)
		}
	}
	if len(match) != 1 {
		return "", false
	}
	return match[0], true
}

// ConfidenceFloor is the confidence under which a scanned value is read
// back to the resident before it counts.
const ConfidenceFloor = 0.85

// applyScanned fills the procedure's fields from scanned values by their
// FromScan names and returns how many it filled. Typed values win.
func (c *conversation) applyScanned() int {
	st := &c.sess.State
	n := 0
	for _, f := range c.entry.Form.Fields {
		if f.FromScan == "" {
			continue
		}
		sf, ok := st.Scanned[f.FromScan]
		if !ok {
			continue
		}
		if cur, ok := c.sess.Fields[f.Name]; ok && cur.Provenance == procedures.FromTyped {
			continue
		}
		v, err := ParseValue(f, sf.Value)
		if err != nil {
			continue
		}
		prov := scanProvenance(sf.Source)
		confirmed := sf.Confidence >= ConfidenceFloor
		c.sess.Fields[f.Name] = Value{Value: v, Provenance: prov, Confidence: sf.Confidence, Confirmed: confirmed}
		if !confirmed && !slices.Contains(st.Confirming, f.Name) {
			st.Confirming = append(st.Confirming, f.Name)
		}
		n++
	}
	return n
}

// reviewFields are the form fields shown at review, in form order.
func (c *conversation) reviewFields() []procedures.Field {
	if c.entry == nil {
		return nil
	}
	return c.entry.Form.Fields
}

// applyOpening fills what the resident's opening already said: the
// relationship in "nhập hộ khẩu cho mẹ tôi" (the person the procedure is
// for, as the resident's mother). A value the form has is kept.
func (c *conversation) applyOpening() {
	who := openingFor(c.sess.State.Opening)
	if who == "" {
		return
	}
	for _, f := range c.entry.Form.Fields {
		if _, ok := c.sess.Fields[f.Name]; ok || !isRelationship(f) {
			continue
		}
		if v, ok := optionByKin(f, who); ok {
			c.sess.Fields[f.Name] = Value{Value: v, Provenance: procedures.FromTyped, Confidence: 1, Confirmed: true}
		}
	}
}
