package dossiers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/pii"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Field values: checked against the procedure's form, sealed when they are
// ID or phone numbers, kept with their history when replaced.

// fieldValue is a checked value ready to store.
type fieldValue struct {
	def        procedures.Field
	value      string
	provenance Provenance
	confidence float64
	box        []int
	conflicts  []Conflict
	document   string
}

// checkFields checks every offered value against the form, and reports all
// problems at once so the kiosk can show them together.
func checkFields(entry *procedures.Entry, in map[string]FieldInput) ([]fieldValue, error) {
	var (
		out      []fieldValue
		problems []*apperr.Error
	)
	names := make([]string, 0, len(in))
	for name := range in {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fi := in[name]
		def, ok := entry.Field(name)
		if !ok {
			problems = append(problems, apperr.Errorf(apperr.Invalid, "field_unknown", "Thủ tục này không có mục «%s».", name))
			continue
		}
		if fi.Provenance == FromStaff { // only a staff edit says so (review.go)
			problems = append(problems, apperr.Errorf(apperr.Invalid, "provenance_invalid", "Nguồn của mục «%s» không hợp lệ.", def.Label))
			continue
		}
		v, err := normalizeInput(def, fi)
		if err != nil {
			problems = append(problems, apperr.From(err))
			continue
		}
		if v.value != "" {
			out = append(out, v)
		}
	}
	switch len(problems) {
	case 0:
		return out, nil
	case 1:
		return nil, problems[0]
	}
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.Message
	}
	return nil, apperr.New(apperr.Invalid, "fields_invalid", strings.Join(msgs, " "))
}

// normalizeInput checks one value with the form's own rules. An empty
// value is allowed here (the draft may be incomplete); Submit checks that
// required fields are there.
func normalizeInput(def procedures.Field, fi FieldInput) (fieldValue, error) {
	v := fieldValue{def: def, provenance: fi.Provenance, confidence: 1}
	if v.provenance == "" {
		v.provenance = FromTyped
	}
	if !v.provenance.Valid() {
		return v, apperr.Errorf(apperr.Invalid, "provenance_invalid", "Nguồn của mục «%s» không hợp lệ.", def.Label)
	}
	if fi.Confidence != nil {
		v.confidence = *fi.Confidence
	}
	if math.IsNaN(v.confidence) || v.confidence < 0 || v.confidence > 1 {
		return v, apperr.Errorf(apperr.Invalid, "confidence_invalid", "Độ tin cậy của mục «%s» phải từ 0 đến 1.", def.Label)
	}
	if fi.Box != nil {
		for _, n := range fi.Box {
			if n < 0 {
				return v, apperr.Errorf(apperr.Invalid, "box_invalid", "Vùng ảnh của mục «%s» không hợp lệ.", def.Label)
			}
		}
		v.box = fi.Box[:]
	}
	conflicts, err := checkConflicts(def, fi.Conflicts)
	if err != nil {
		return v, err
	}
	v.conflicts = conflicts
	if len(fi.Document) > 40 {
		return v, apperr.Errorf(apperr.Invalid, "document_invalid", "Loại giấy tờ của mục «%s» không hợp lệ.", def.Label)
	}
	v.document = fi.Document
	if strings.TrimSpace(fi.Value) == "" {
		return v, nil
	}
	value, err := def.Normalize(fi.Value)
	if err != nil {
		var fe *procedures.FieldError
		if errors.As(err, &fe) {
			return v, apperr.Wrap(err, apperr.Invalid, "field_invalid", fe.Message)
		}
		return v, err
	}
	v.value = value
	return v, nil
}

// maxConflicts bounds the disagreeing readings kept with a field: a front,
// a back, a QR code and an MRZ.
const maxConflicts = 4

// checkConflicts checks the readings that disagree with a scanned value.
// They are kept as read (a misread date may not parse), only trimmed and
// bounded, since staff compare them with the scan.
func checkConflicts(def procedures.Field, in []Conflict) ([]Conflict, error) {
	bad := apperr.Errorf(apperr.Invalid, "conflicts_invalid", "Các giá trị khác nhau của mục «%s» không hợp lệ.", def.Label)
	if len(in) > maxConflicts {
		return nil, bad
	}
	var out []Conflict
	for _, c := range in {
		c.Value = vietnamese.NFC(strings.TrimSpace(c.Value))
		if c.Value == "" || len(c.Value) > 300 || !c.Provenance.Valid() || c.Provenance == FromStaff || len(c.Document) > 40 {
			return nil, bad
		}
		out = append(out, c)
	}
	return out, nil
}

// sealConflicts seals a field's disagreeing readings, or returns nil.
func (s *Service) sealConflicts(dossierID, name string, c []Conflict) ([]byte, error) {
	if len(c) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return s.seal.Seal(string(b), conflictsContext(dossierID, name)), nil
}

// openConflicts opens what sealConflicts sealed.
func (s *Service) openConflicts(dossierID, name string, sealed []byte) ([]Conflict, error) {
	if sealed == nil {
		return nil, nil
	}
	plain, err := s.seal.Open(sealed, conflictsContext(dossierID, name))
	if err != nil {
		return nil, fmt.Errorf("conflicts of field %s of dossier %s: %w", name, dossierID, err)
	}
	var c []Conflict
	return c, json.Unmarshal([]byte(plain), &c)
}

func conflictsContext(dossierID, name string) string { return dossierID + "/" + name + "/conflicts" }

// sensitive fields are sealed at rest and shown masked in lists.
func sensitive(f procedures.Field) bool {
	return f.Type == procedures.FieldIDNumber || f.Type == procedures.FieldPhone
}

func fieldContext(dossierID, name string) string { return dossierID + "/" + name }

// putField stores v as the field's current value.
func (s *Service) putField(ctx context.Context, tx pgx.Tx, dossierID string, v fieldValue, by string) error {
	var plain *string
	var sealed []byte
	if sensitive(v.def) {
		sealed = s.seal.Seal(v.value, fieldContext(dossierID, v.def.Name))
	} else {
		plain = &v.value
	}
	conflicts, err := s.sealConflicts(dossierID, v.def.Name, v.conflicts)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO dossier_fields (dossier_id, name, value, value_sealed, provenance, confidence, box, updated_by, conflicts_sealed, document)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (dossier_id, name) DO UPDATE SET value = $3, value_sealed = $4, provenance = $5,
			confidence = $6, box = $7, updated_by = $8, conflicts_sealed = $9, document = $10, updated_at = now()`,
		dossierID, v.def.Name, plain, sealed, v.provenance, v.confidence, v.box, by, conflicts, v.document)
	if err != nil {
		return fmt.Errorf("store field %s: %w", v.def.Name, err)
	}
	return nil
}

// keepOld copies a field's current value, as stored (sealed or not), to its
// history before it is replaced.
func keepOld(ctx context.Context, tx pgx.Tx, dossierID, name, by, reason string) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO dossier_field_history (dossier_id, name, value, value_sealed, provenance, confidence, box, replaced_by, reason)
		SELECT dossier_id, name, value, value_sealed, provenance, confidence, box, $3, $4
		FROM dossier_fields WHERE dossier_id = $1 AND name = $2`, dossierID, name, by, reason)
	if err != nil {
		return fmt.Errorf("keep old value of %s: %w", name, err)
	}
	return nil
}

// currentValues reads a dossier's field values, opening sealed ones.
func (s *Service) currentValues(ctx context.Context, q querier, dossierID string) (map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT name, value, value_sealed FROM dossier_fields WHERE dossier_id = $1`, dossierID)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var (
		name   string
		value  *string
		sealed []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&name, &value, &sealed}, func() error {
		v, err := s.openValue(dossierID, name, value, sealed)
		out[name] = v
		return err
	})
	return out, err
}

func (s *Service) openValue(dossierID, name string, value *string, sealed []byte) (string, error) {
	if value != nil {
		return *value, nil
	}
	v, err := s.seal.Open(sealed, fieldContext(dossierID, name))
	if err != nil {
		return "", fmt.Errorf("field %s of dossier %s: %w", name, dossierID, err)
	}
	return v, nil
}

// applicantFields finds the form fields that name the applicant and hold the
// numbers a resident verifies with.
func applicantFields(entry *procedures.Entry) (name, id, phone string) {
	// The field a scan of the ID card fills is the applicant's; other ID
	// numbers on the form (the household head's, say) are not.
	for _, f := range entry.Form.Fields {
		switch {
		case f.FromScan == "full_name" || (name == "" && f.Name == "full_name"):
			name = f.Name
		case f.FromScan == "id_number" || (id == "" && f.Type == procedures.FieldIDNumber):
			id = f.Name
		case phone == "" && f.Type == procedures.FieldPhone:
			phone = f.Name
		}
	}
	return name, id, phone
}

// updateApplicant refreshes the list columns (name, masked ID) and the
// verification digests from the current field values.
func (s *Service) updateApplicant(ctx context.Context, tx pgx.Tx, dossierID string, entry *procedures.Entry) error {
	values, err := s.currentValues(ctx, tx, dossierID)
	if err != nil {
		return err
	}
	nameField, idField, phoneField := applicantFields(entry)
	var masked string
	digests := [][]byte{}
	for _, f := range []string{idField, phoneField} {
		v := values[f]
		if len(v) < 4 {
			continue
		}
		digests = append(digests, s.seal.Digest(dossierID, v[len(v)-4:]))
		if f == idField {
			masked = pii.MaskNumber(v)
		}
	}
	_, err = tx.Exec(ctx, `UPDATE dossiers SET applicant_name = $2, applicant_id_masked = $3, verify_digests = $4, updated_at = now() WHERE id = $1`,
		dossierID, values[nameField], masked, digests)
	return err
}
