package assistant

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// collector fills the procedure's form: the answer to the field asked,
// scanned cards, photos (photos.go), the checks on dates and marks
// (validate.go) and the hand-over of the finished draft.
type collector struct{ *turn }

// collect takes the answer to the field being asked. It is one case per
// kind of answer (confirmation, choice, typed value, scan), kept together
// over 80 lines because each case depends on the order of the ones before.
func (t collector) collect(ctx context.Context, in Intent) error {
	st := &t.sess.State
	field, ok := t.currentField()
	if !ok {
		t.advance()
		return nil
	}
	if len(st.Confirming) > 0 {
		switch in.Action {
		case ChoiceYes:
			v := t.sess.Fields[field.Name]
			v.Confirmed = true
			t.sess.Fields[field.Name] = v
			st.Confirming = st.Confirming[1:]
			t.advance()
			return nil
		case ChoiceNo:
			delete(t.sess.Fields, field.Name)
			st.Confirming = st.Confirming[1:]
			st.Warned = append(st.Warned, field.Name) // the card's value was refused: no contradiction to point out
			st.Field = field.Name
			t.note(t.say("scan_rejected"))
			return nil
		case "value":
			st.Confirming = st.Confirming[1:]
			st.Warned = append(st.Warned, field.Name)
		default:
			t.clarify(t.say("unclear"))
			return nil
		}
	}
	if field.Name == PhotoField && (in.Action == "value" || in.Action == ChoiceNext || in.Action == ChoiceYes) {
		return t.takePhotos(ctx, field)
	}
	st.Offers = nil
	switch in.Action {
	case ChoiceNext:
		return nil // a second touch of "Bắt đầu khai": the same question again
	case "rewrite", "edit":
		// Another field of the form (a name again, with diacritics): asked
		// now, then the form carries on where it was.
		if _, ok := t.entry.Field(in.Arg); ok && len(st.Confirming) == 0 {
			t.push()
			st.Field = in.Arg
			if in.Action == "rewrite" {
				delete(t.sess.Fields, in.Arg)
				t.note(t.say("name_marks_again"))
			}
			return nil
		}
	case "dont_know":
		t.dontKnow(field)
		return nil
	case ChoiceSkip:
		if field.Required {
			t.clarify(t.say("unclear"))
			return nil
		}
		t.push()
		st.Skipped = append(st.Skipped, field.Name)
		t.advance()
		return nil
	case ChoiceYes, ChoiceNo:
		if field.Type != procedures.FieldBoolean {
			break
		}
		// The button's answer, in the words the parser reads.
		in = Intent{Action: "value", Arg: map[bool]string{true: "có", false: "không"}[in.Action == ChoiceYes], Provenance: procedures.FromTyped}
		fallthrough
	case "value":
		v, err := ParseValue(field, in.Arg)
		if err != nil {
			var fe *procedures.FieldError
			if !errors.As(err, &fe) {
				return err
			}
			t.clarify(t.say("field_invalid", "error", fe.Message))
			return nil
		}
		if msg := t.checkDate(field, v); msg != "" {
			t.clarify(msg)
			return nil
		}
		if t.contradictsScan(field, v) {
			return nil
		}
		prov := in.Provenance
		if prov == "" {
			prov = procedures.FromTyped
		}
		t.push()
		if prov == procedures.FromModel {
			// A value the model proposed is never certain: read back for
			// the resident to confirm, and kept marked for the reviewer.
			t.sess.Fields[field.Name] = Value{Value: v, Provenance: procedures.FromModel, Confidence: ModelConfidence}
			st.Skipped = slices.DeleteFunc(st.Skipped, func(s string) bool { return s == field.Name })
			st.Confirming = append(st.Confirming, field.Name)
			t.advance()
			return nil
		}
		t.sess.Fields[field.Name] = Value{Value: v, Provenance: prov, Confidence: 1, Confirmed: true}
		st.Skipped = slices.DeleteFunc(st.Skipped, func(s string) bool { return s == field.Name })
		t.note(t.savedNote(field, in.Arg, v))
		t.askMarks(field, v)
		t.advance()
		return nil
	}
	t.clarify(t.say("unclear"))
	return nil
}

// submit hands the draft over when nothing required is missing.
func (t collector) submit(ctx context.Context) error {
	if m := t.missing(); len(m) > 0 {
		t.status = StatusClarify
		t.push()
		t.sess.Stage, t.sess.State.Field = StageCollect, m[0]
		return nil
	}
	d := t.draft()
	t.sess.State.Draft = d
	if t.svc.dossiers != nil {
		ref, err := t.svc.dossiers.CreateDraft(ctx, *d)
		if err != nil {
			return err
		}
		t.sess.DossierID, t.sess.State.TrackingCode, t.sess.State.Ward = ref.ID, ref.TrackingCode, ref.Ward
		t.reply.Dossier = ref
		if err := (cashier{t.turn}).offerFee(ctx, ref.ID); err != nil {
			return err
		}
		t.visit("dossier_filed", "dossier_filed")
	}
	t.push()
	t.sess.Stage = StageDone
	return nil
}

// ownsScan says whether the conversation may use a scan: one made in its
// own kiosk visit. A conversation with no visit (an evaluator's) uses
// scans made in no visit, which only evaluators can store. Another
// visit's scan is as good as not there.
func (t collector) ownsScan(sc *Scan) bool {
	return sc.KioskSessionID == t.sess.KioskSessionID
}

// scan fills fields from a stored OCR result. Values are data: they go
// through the same parsers and checks as typed ones, and a value that holds
// instructions is dropped.
func (t collector) scan(ctx context.Context, id string) error {
	if t.svc.scans == nil {
		t.clarify(t.say("scan_unreadable"))
		return nil
	}
	sc, err := t.svc.scans.Scan(ctx, id)
	if err == nil && !t.ownsScan(sc) {
		err = apperr.New(apperr.NotFound, "ocr_result_not_found", "scan of another visit")
	}
	if err != nil {
		if apperr.IsKind(err, apperr.NotFound) {
			t.clarify(t.say("scan_unreadable"))
			return nil
		}
		return err
	}
	st := &t.sess.State
	if st.Scanned == nil {
		st.Scanned = map[string]ScanField{}
	}
	kept := 0
	for name, f := range sc.Fields {
		if CheckInput(f.Value) != VerdictClean {
			t.flags = append(t.flags, "scan_field_dropped:"+name)
			continue
		}
		f.Conflicts = slices.DeleteFunc(f.Conflicts, func(r ScanReading) bool { return CheckInput(r.Value) != VerdictClean })
		if prev, ok := st.Scanned[name]; ok {
			f = mergeScanned(name, prev, f)
		}
		st.Scanned[name] = f
		kept++
	}
	if CheckInput(sc.Text) == VerdictInjection {
		t.flags = append(t.flags, "scan_text_injection")
	}
	if t.entry == nil || (t.sess.Stage != StageCollect && t.sess.Stage != StageReview) {
		if kept == 0 {
			t.note(t.say("scan_nothing"))
		} else {
			t.note(t.say("scan_filled", "count", strconv.Itoa(kept)))
		}
		return nil
	}
	n := t.applyScanned() + t.scannedCode(sc)
	if n == 0 {
		t.note(t.say("scan_nothing"))
		return nil
	}
	t.note(t.say("scan_filled", "count", strconv.Itoa(n)))
	if t.sess.Stage == StageReview && len(st.Confirming) > 0 {
		t.push()
		t.sess.Stage = StageCollect
	}
	if t.sess.Stage == StageCollect {
		t.advance()
	} else {
		st.Draft = t.draft()
	}
	return nil
}

// startCollect begins the form, with what scans already filled.
func (t collector) startCollect() {
	t.sess.Stage = StageCollect
	t.applyOpening()
	t.applyScanned()
	t.note(t.intro())
	t.advance()
}

// intro is what the form starts with: a report's says what it will ask
// and that the reporter's name and number may be left out; a
// procedure's, that its ID card can fill it. A tile's other services ask
// their first question at once: they take no card.
func (t collector) intro() string {
	switch {
	case t.entry.Slug == SlugReport:
		return t.say("report_intro")
	case t.sess.State.Tile:
		return ""
	}
	return t.say("collect_intro")
}

// dontKnow finds a way forward when the resident does not know or remember
// the answer: an optional field is skipped; a date that may be a year
// alone asks for the year; an ID number can be scanned; any other required
// field is left for last, to be filled at the review or with staff.
func (t collector) dontKnow(field procedures.Field) {
	st := &t.sess.State
	switch {
	case !field.Required:
		t.note(t.say("dont_know_skip"))
	case field.Type == procedures.FieldDate && field.YearOnly:
		t.clarify(t.say("dont_know_year"))
		return
	case field.Type == procedures.FieldIDNumber:
		t.note(t.say("dont_know_id"))
	default:
		t.note(t.say("dont_know_later", "label", strings.ToLower(field.Label)))
	}
	t.push()
	st.Skipped = append(st.Skipped, field.Name)
	t.advance()
}

// savedNote reads the value saved back; a day said as "hôm qua" or "tuần
// trước" is read back as the date it was taken for. The four characters
// that prove a look-up are a secret: never read back.
func (t collector) savedNote(field procedures.Field, said, v string) string {
	if t.isProof(field) {
		return ""
	}
	if field.Type == procedures.FieldDate {
		if _, ok := relativeDate(vietnamese.Fold(said), t.svc.now()); ok {
			return t.say("date_read_back", "said", strings.Trim(strings.ToLower(said), " .!?"), "value", displayValue(field, v))
		}
	}
	return t.say("field_saved", "value", displayValue(field, v))
}
