package dossiers

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Staff see a dossier only once it is submitted, and only in their wards.
// A dossier they may not see answers exactly like one that does not exist.

// QueueFilter selects the review queue. Zero fields match everything,
// except Statuses, which defaults to the dossiers waiting for staff.
type QueueFilter struct {
	Statuses  []Status
	Procedure string
	// Search is a tracking code, the last four digits of the applicant's
	// ID, or part of the applicant's name (diacritics optional).
	Search string
	// OlderThan and NewerThan bound how long ago the dossier was submitted.
	OlderThan time.Duration
	NewerThan time.Duration
	// Limit is at most 200; 0 means 25, a screenful.
	Limit int
	// After is the Next of the previous page.
	After string
}

// DefaultQueue is the work waiting for staff.
var DefaultQueue = []Status{StatusSubmitted, StatusInReview}

// QueuePage is one page of the queue, oldest first.
type QueuePage struct {
	Dossiers []Dossier `json:"dossiers"`
	// Next fetches the following page; empty on the last.
	Next string `json:"next,omitempty"`
}

// Queue lists the dossiers u may see that match f, oldest submission first,
// with the applicant's ID masked. The listing is audited once.
func (s *Service) Queue(ctx context.Context, u *staff.User, from audit.Actor, f QueueFilter) (*QueuePage, error) {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = DefaultQueue
	}
	for _, st := range statuses {
		if !st.Valid() || st == StatusDraft {
			return nil, apperr.Errorf(apperr.Invalid, "status_invalid", "Trạng thái «%s» không hợp lệ.", st)
		}
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 25
	case limit > 200:
		limit = 200
	}
	where, args, err := queueConditions(u, f, statuses)
	if err != nil {
		return nil, err
	}
	args = append(args, limit+1)
	// The page and its audit entry go in one round trip and one implicit
	// transaction: no page is read without its entry.
	b := &pgx.Batch{}
	var list []Dossier
	b.Queue(`SELECT `+listColumns+` FROM dossiers WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY dossiers.submitted_at, dossiers.id LIMIT $%d`, len(args)), args...).Query(func(rows pgx.Rows) error {
		var err error
		list, err = pgx.CollectRows(rows, scanListed)
		return err
	})
	details := map[string]any{"statuses": statuses, "limit": limit}
	if f.Procedure != "" {
		details["procedure"] = f.Procedure
	}
	if err := audit.Queue(b, audit.Entry{Actor: from, Action: "dossier.list", SubjectKind: "dossier", Details: details}); err != nil {
		return nil, err
	}
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	page := &QueuePage{Dossiers: list}
	if len(list) > limit {
		page.Dossiers = list[:limit]
		last := page.Dossiers[limit-1]
		page.Next = encodeCursor(*last.SubmittedAt, last.ID)
	}
	return page, s.places(ctx, page.Dossiers)
}

// queueConditions turns the queue's filters into the conditions of its
// query and their arguments. The query is built from the filters given, so
// that each shape gets a plan that uses its index (a ward's queue is read in
// submission order).
func queueConditions(u *staff.User, f QueueFilter, statuses []Status) ([]string, []any, error) {
	var (
		where = []string{"status = ANY($1)"}
		args  = []any{statuses}
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if wards := u.WardFilter(); wards != nil {
		add("ward = ANY($?)", wards)
	}
	if p := strings.TrimSpace(f.Procedure); p != "" {
		add("procedure_slug = $?", p)
	}
	if strings.TrimSpace(f.Search) != "" {
		add(searchFilter(f.Search))
	}
	now := time.Now()
	if f.OlderThan > 0 {
		add("submitted_at <= $?", now.Add(-f.OlderThan))
	}
	if f.NewerThan > 0 {
		add("submitted_at >= $?", now.Add(-f.NewerThan))
	}
	if f.After != "" {
		t, id, err := decodeCursor(f.After)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, t, id)
		where = append(where, fmt.Sprintf("(submitted_at, id) > ($%d, $%d::uuid)", len(args)-1, len(args)))
	}
	return where, args, nil
}

const listColumns = `id::text, tracking_code, procedure_slug, procedure_name, ward, status, applicant_name, applicant_id_masked,
	fee_amount, fee_paid_at, submitted_at, expected_on, created_at, updated_at`

func scanListed(r pgx.CollectableRow) (Dossier, error) {
	var d Dossier
	err := r.Scan(&d.ID, &d.TrackingCode, &d.Procedure, &d.ProcedureName, &d.Ward, &d.Status, &d.ApplicantName,
		&d.ApplicantIDMasked, &d.FeeAmount, &d.FeePaidAt, &d.SubmittedAt, &d.ExpectedOn, &d.CreatedAt, &d.UpdatedAt)
	d.StatusLabel = d.Status.Label()
	return d, err
}

func encodeCursor(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(t.UnixMicro(), 10) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	bad := apperr.New(apperr.Invalid, "cursor_invalid", "Trang tiếp theo không hợp lệ. Xin tải lại danh sách.")
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", bad
	}
	ts, id, ok := strings.Cut(string(b), "|")
	us, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || !uuidRe.MatchString(id) {
		return time.Time{}, "", bad
	}
	return time.UnixMicro(us), id, nil
}

// visibleTo returns errNotFound unless u may see d: it was submitted at
// least once and is in one of u's wards.
func (d *row) visibleTo(u *staff.User) error {
	if d.Status == StatusDraft || !u.CanSeeWard(d.Ward) {
		return errNotFound
	}
	return nil
}

// read returns dossier id if u may see it.
func (s *Service) read(ctx context.Context, u *staff.User, id string) (*row, error) {
	if !uuidRe.MatchString(id) {
		return nil, errNotFound
	}
	d, err := scanRow(s.pool.QueryRow(ctx, `SELECT `+rowColumns+` FROM dossiers WHERE id = $1`, id))
	if err != nil {
		return nil, err
	}
	return d, d.visibleTo(u)
}

// lockVisible locks dossier id in tx if u may see it.
func lockVisible(ctx context.Context, tx pgx.Tx, u *staff.User, id string) (*row, error) {
	d, err := lock(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return d, d.visibleTo(u)
}

// Get returns the whole dossier for review: fields with provenance,
// confidence and history, attachments, the document checklist and the
// status history. The read is audited.
func (s *Service) Get(ctx context.Context, u *staff.User, from audit.Actor, id string) (*Dossier, error) {
	if !uuidRe.MatchString(id) {
		return nil, errNotFound
	}
	// One round trip for the dossier, its parts and the audit entry. The
	// dossier is read only if u may see it, and the read is recorded in the
	// same statement: no read without its entry, no entry without a read.
	record, recordArgs, err := audit.InsertFor(audit.Entry{Actor: from, Action: "dossier.read", SubjectKind: "dossier", SubjectID: id}, "d", 3)
	if err != nil {
		return nil, err
	}
	b := &pgx.Batch{}
	var (
		d       *row
		fields  []Field
		history = map[string][]FieldVersion{}
		atts    []Attachment
		events  []Event
	)
	b.Queue(`WITH d AS (SELECT `+rowColumns+` FROM dossiers
			WHERE id = $1 AND status <> 'draft' AND ($2::text[] IS NULL OR ward = ANY($2))),
		logged AS (`+record+`)
		SELECT * FROM d`, append([]any{id, u.WardFilter()}, recordArgs...)...).QueryRow(func(r pgx.Row) error {
		var err error
		d, err = scanRow(r)
		if IsNotFound(err) {
			return nil // reported below, once the batch is drained
		}
		return err
	})
	s.queueFields(b, id, &fields)
	s.queueHistory(b, id, history)
	b.Queue(`SELECT id::text, document, sha256, content_type, size, filename, created_at
		FROM dossier_attachments WHERE dossier_id = $1 ORDER BY created_at, id`, id).Query(func(rows pgx.Rows) error {
		var err error
		atts, err = pgx.CollectRows(rows, scanAttachment)
		return err
	})
	b.Queue(`SELECT from_status, to_status, actor, role, reason, at FROM dossier_events WHERE dossier_id = $1 ORDER BY id`, id).
		Query(func(rows pgx.Rows) error {
			var err error
			events, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Event])
			return err
		})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("read dossier %s: %w", id, err)
	}
	if d == nil {
		return nil, errNotFound
	}
	return s.assemble(ctx, d, fields, history, atts, events)
}

// assemble puts a dossier's parts in the form's order, with its checklist
// and the names of its ward and station.
func (s *Service) assemble(ctx context.Context, d *row, fields []Field, history map[string][]FieldVersion, atts []Attachment, events []Event) (*Dossier, error) {
	entry, err := s.procedure(ctx, d.Procedure)
	if err != nil {
		return nil, err
	}
	out := d.Dossier
	out.Fields = orderFields(entry, fields, history)
	for i := range atts {
		atts[i].Width, atts[i].Height = s.files.imageSize(atts[i])
	}
	out.Attachments = atts
	out.Checklist = checklist(entry, atts)
	out.Events = events
	one := []Dossier{out}
	if err := s.places(ctx, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// queueFields adds the read of a dossier's fields, opened, to b.
func (s *Service) queueFields(b *pgx.Batch, id string, fields *[]Field) {
	b.Queue(`SELECT name, value, value_sealed, provenance, confidence, box, updated_by, updated_at, conflicts_sealed, document
		FROM dossier_fields WHERE dossier_id = $1`, id).Query(func(rows pgx.Rows) error {
		var (
			f         Field
			st        stored
			conflicts []byte
		)
		_, err := pgx.ForEachRow(rows, []any{&f.Name, &st.value, &st.sealed, &f.Provenance, &f.Confidence, &st.box, &f.UpdatedBy, &f.UpdatedAt, &conflicts, &f.Document}, func() error {
			g := f
			err := s.open(id, f.Name, st, &g.Reading)
			if err == nil {
				g.Conflicts, err = s.openConflicts(id, f.Name, conflicts)
			}
			if err != nil {
				return err
			}
			*fields = append(*fields, g)
			return nil
		})
		return err
	})
}

// stored is a value as a row holds it: plain or sealed, and its box.
type stored struct {
	value  *string
	sealed []byte
	box    []int
}

// open puts the value of field name of dossier id, opened, and its box in r.
func (s *Service) open(id, name string, st stored, r *Reading) error {
	v, err := s.openValue(id, name, st.value, st.sealed)
	r.Value, r.Box = v, boxOf(st.box)
	return err
}

// queueHistory adds the read of a dossier's earlier field values, opened,
// to b.
func (s *Service) queueHistory(b *pgx.Batch, id string, history map[string][]FieldVersion) {
	b.Queue(`SELECT name, value, value_sealed, provenance, confidence, box, replaced_by, reason, replaced_at
		FROM dossier_field_history WHERE dossier_id = $1 ORDER BY id`, id).Query(func(rows pgx.Rows) error {
		var (
			name string
			h    FieldVersion
			st   stored
		)
		_, err := pgx.ForEachRow(rows, []any{&name, &st.value, &st.sealed, &h.Provenance, &h.Confidence, &st.box, &h.ReplacedBy, &h.Reason, &h.ReplacedAt}, func() error {
			g := h
			if err := s.open(id, name, st, &g.Reading); err != nil {
				return err
			}
			history[name] = append(history[name], g)
			return nil
		})
		return err
	})
}

// orderFields puts fields in the form's order with their labels and types.
func orderFields(entry *procedures.Entry, fields []Field, history map[string][]FieldVersion) []Field {
	byName := map[string]Field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	out := []Field{}
	for _, def := range entry.Form.Fields {
		f, ok := byName[def.Name]
		if !ok {
			continue
		}
		f.Label, f.Type, f.History = def.Label, def.Type, history[def.Name]
		f.Text = ValueText(def, f.Value)
		for i, c := range f.Conflicts {
			f.Conflicts[i].Text = ValueText(def, c.Value)
		}
		out = append(out, f)
		delete(byName, def.Name)
	}
	for _, f := range fields { // fields the catalogue has since dropped
		if _, left := byName[f.Name]; left {
			f.Label, f.Text, f.History = f.Name, f.Value, history[f.Name]
			out = append(out, f)
		}
	}
	return out
}

func boxOf(b []int) *[4]int {
	if len(b) != 4 {
		return nil
	}
	return (*[4]int)(b)
}

// AttachmentFile returns where an attachment's file is and its content
// type, for staff to check a scan. The read is audited.
func (s *Service) AttachmentFile(ctx context.Context, u *staff.User, from audit.Actor, id, attachmentID string) (path, contentType string, err error) {
	d, err := s.read(ctx, u, id)
	if err != nil {
		return "", "", err
	}
	if !uuidRe.MatchString(attachmentID) {
		return "", "", apperr.New(apperr.NotFound, "attachment_not_found", "Không tìm thấy tệp này.")
	}
	var sha string
	err = s.pool.QueryRow(ctx, `SELECT sha256, content_type FROM dossier_attachments WHERE id = $1 AND dossier_id = $2`,
		attachmentID, id).Scan(&sha, &contentType)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", apperr.New(apperr.NotFound, "attachment_not_found", "Không tìm thấy tệp này.")
	}
	if err != nil {
		return "", "", err
	}
	err = audit.Record(ctx, s.pool, audit.Entry{Actor: from, Action: "dossier.attachment_read", SubjectKind: "dossier",
		SubjectID: id, Ward: d.Ward, Details: map[string]any{"attachment_id": attachmentID}})
	return s.files.path(sha), contentType, err
}

// editable are the statuses in which staff may correct a field.
var editable = []Status{StatusSubmitted, StatusInReview, StatusNeedsSupplement}

// EditField sets a field's value as staff, keeping the value it replaces.
func (s *Service) EditField(ctx context.Context, u *staff.User, from audit.Actor, id, name, value, reason string) (*Field, error) {
	var out *Field
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		d, err := lockVisible(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if !slices.Contains(editable, d.Status) {
			return apperr.Errorf(apperr.Conflict, "dossier_locked", "Hồ sơ đang ở trạng thái «%s», không sửa được thông tin.", d.Status.Label())
		}
		entry, err := s.procedure(ctx, d.Procedure)
		if err != nil {
			return err
		}
		def, ok := entry.Field(name)
		if !ok {
			return apperr.New(apperr.NotFound, "field_not_found", "Thủ tục này không có mục thông tin đó.")
		}
		v, err := normalizeInput(def, FieldInput{Value: value, Provenance: FromStaff})
		if err != nil {
			return err
		}
		if v.value == "" && def.Required {
			_, err := def.Normalize("")
			return apperr.Wrap(err, apperr.Invalid, "field_invalid", apperr.From(err).Message)
		}
		if err := keepOld(ctx, tx, id, name, u.Username, reason); err != nil {
			return err
		}
		if err := s.putField(ctx, tx, id, v, u.Username); err != nil {
			return err
		}
		if err := s.updateApplicant(ctx, tx, id, entry); err != nil {
			return err
		}
		out = &Field{Name: name, Label: def.Label, Type: def.Type, Reading: Reading{Value: v.value, Provenance: FromStaff, Confidence: 1},
			Text: ValueText(def, v.value), UpdatedBy: u.Username, UpdatedAt: time.Now()}
		// The audit names the field, never its values.
		return audit.Record(ctx, tx, audit.Entry{Actor: from, Action: "dossier.field_edited", SubjectKind: "dossier",
			SubjectID: id, Ward: d.Ward, Details: map[string]any{"field": name, "reason": reason}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TransitionRequest is a staff decision on a dossier.
type TransitionRequest struct {
	To Status `json:"to"`
	// Reason is required to ask for a supplement (what to bring) and to
	// reject (why); residents read it when they track the dossier.
	Reason string `json:"reason"`
	// From, when set, is the status the staff member saw; if the dossier
	// has moved since, the request is refused rather than applied twice.
	From Status `json:"from,omitempty"`
}

// Transition moves a dossier as staff decide. Submitting is the resident's
// move and is refused here.
func (s *Service) Transition(ctx context.Context, u *staff.User, from audit.Actor, id string, req TransitionRequest) (*Dossier, error) {
	if !req.To.Valid() {
		return nil, apperr.Errorf(apperr.Invalid, "status_invalid", "Trạng thái «%s» không hợp lệ.", req.To)
	}
	req.Reason = strings.TrimSpace(vietnamese.NFC(req.Reason))
	if len([]rune(req.Reason)) > 2000 {
		return nil, apperr.New(apperr.Invalid, "reason_too_long", "Nội dung dài quá 2000 ký tự.")
	}
	var out *Dossier
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		d, err := lockVisible(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if req.From != "" && req.From != d.Status {
			return apperr.Errorf(apperr.Conflict, "status_changed",
				"Hồ sơ vừa được chuyển sang «%s». Xin tải lại để xem.", d.Status.Label())
		}
		if req.To == StatusSubmitted {
			if CanMove(d.Status, req.To) {
				return apperr.New(apperr.Conflict, "resident_move", "Chỉ người nộp mới nộp (lại) hồ sơ được.")
			}
			return errTransition(d.Status, req.To)
		}
		if !CanMove(d.Status, req.To) {
			return errTransition(d.Status, req.To)
		}
		if err := reasonRequired(req.To, req.Reason); err != nil {
			return err
		}
		if err := s.move(ctx, tx, d, req.To, from, req.Reason); err != nil {
			return err
		}
		out = &d.Dossier
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
