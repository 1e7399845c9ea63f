package dossiers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/pii"
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
		sealed = s.seal.seal(v.value, fieldContext(dossierID, v.def.Name))
	} else {
		plain = &v.value
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO dossier_fields (dossier_id, name, value, value_sealed, provenance, confidence, box, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (dossier_id, name) DO UPDATE SET value = $3, value_sealed = $4, provenance = $5,
			confidence = $6, box = $7, updated_by = $8, updated_at = now()`,
		dossierID, v.def.Name, plain, sealed, v.provenance, v.confidence, v.box, by)
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
	v, err := s.seal.open(sealed, fieldContext(dossierID, name))
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
		digests = append(digests, s.seal.digest(dossierID, v[len(v)-4:]))
		if f == idField {
			masked = pii.MaskNumber(v)
		}
	}
	_, err = tx.Exec(ctx, `UPDATE dossiers SET applicant_name = $2, applicant_id_masked = $3, verify_digests = $4, updated_at = now() WHERE id = $1`,
		dossierID, values[nameField], masked, digests)
	return err
}
