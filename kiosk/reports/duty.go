package reports

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// errNotYours is what an officer gets for a report outside their wards: the
// same answer as for a report that does not exist.
var errNotYours = apperr.New(apperr.NotFound, "report_not_found", "Không tìm thấy phản ánh này.")

// overdue is true of a report past its SLA: not acknowledged in time, or
// not closed in time. Spam and reports waiting on another unit are not.
const overdue = `(r.closed_at IS NULL AND r.spam_at IS NULL AND r.status <> 'transferred' AND
	((r.acknowledged_at IS NULL AND now() > r.acknowledge_due) OR now() > r.resolve_due))`

// reportColumns is the column list scanned by scanReport.
const reportColumns = `r.id, r.code, r.category, r.urgency, r.injury, r.in_progress, r.description, r.occurred_at,
	ST_Y(r.location::geometry), ST_X(r.location::geometry), r.location_source, r.address,
	coalesce(r.station_id, ''), coalesce(r.ward_code, ''), r.ward_source, r.channel, r.contact_sealed,
	r.status, coalesce(r.duplicate_of::text, ''), r.spam_at IS NOT NULL, r.created_at, r.updated_at,
	r.acknowledged_at, r.closed_at, r.acknowledge_due, r.resolve_due, coalesce(r.close_reason, ''), ` + overdue

// scanReport reads a report for an officer who may see it, opening the
// reporter's sealed contact.
func (s *Service) scanReport(row pgx.Row) (*Report, error) {
	var r Report
	var contact []byte
	err := row.Scan(&r.ID, &r.Code, &r.Category, &r.Urgency, &r.Injury, &r.InProgress, &r.Description, &r.OccurredAt,
		&r.Lat, &r.Lng, &r.LocationSource, &r.Address,
		&r.StationID, &r.WardCode, &r.WardSource, &r.Channel, &contact,
		&r.Status, &r.DuplicateOf, &r.Spam, &r.CreatedAt, &r.UpdatedAt,
		&r.AcknowledgedAt, &r.ClosedAt, &r.AcknowledgeDue, &r.ResolveDue, &r.CloseReason, &r.Overdue)
	if err != nil || contact == nil {
		return &r, err
	}
	if r.Contact, err = s.sealer.Open(contact, contactContext(r.Code)); err != nil {
		return nil, fmt.Errorf("report %s contact: %w", r.Code, err)
	}
	return &r, nil
}

// Filter narrows an officer's list of reports.
type Filter struct {
	Ward     string // one of the officer's wards; "" for all they see
	Status   Status
	Category string
	Overdue  bool
	Open     bool // not resolved or unfounded
	WithSpam bool
	Limit    int
}

// List returns the reports an officer sees, most urgent and oldest first.
func (s *Service) List(ctx context.Context, o Officer, f Filter) ([]Report, error) {
	if f.Ward != "" && !o.Sees(f.Ward) {
		return nil, errNotYours
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	where := []string{"($1 OR r.ward_code = ANY($2))"}
	args := []any{o.CommandCentre, o.Wards}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Ward != "" {
		add("r.ward_code = $%d", f.Ward)
	}
	if f.Status != "" {
		add("r.status = $%d", string(f.Status))
	}
	if f.Category != "" {
		add("r.category = $%d", f.Category)
	}
	if !f.WithSpam {
		where = append(where, "r.spam_at IS NULL")
	}
	if f.Open {
		where = append(where, "r.closed_at IS NULL")
	}
	args = append(args, f.Limit)
	if f.Overdue {
		where = append(where, overdue)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+reportColumns+` FROM reports r WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY CASE r.urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, r.created_at LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := s.scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// Get returns one report with its routes, media and history, if the officer
// sees it.
func (s *Service) Get(ctx context.Context, o Officer, id string) (*Report, error) {
	r, err := s.get(ctx, s.pool, id, false)
	if err != nil {
		return nil, err
	}
	if !o.Sees(r.WardCode) {
		return nil, errNotYours
	}
	// Reading a report shows the reporter's contact: it goes in the audit log.
	if o.ID != "" {
		if err := o.record(ctx, s.pool, "report.read", id, r.WardCode, nil); err != nil {
			return nil, err
		}
	}
	// Routes, media and history in one round trip.
	batch := &pgx.Batch{}
	batch.Queue(`SELECT kind, code FROM report_routes WHERE report_id = $1 ORDER BY created_at,
		CASE kind WHEN 'ward' THEN 0 WHEN 'department' THEN 1 ELSE 2 END, code`, id).Query(func(rows pgx.Rows) error {
		r.RoutedTo, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Target])
		return err
	})
	batch.Queue(`SELECT id, kind, content_type, size, sha256, duration_ms FROM report_media WHERE report_id = $1 ORDER BY position`, id).Query(func(rows pgx.Rows) error {
		r.Media, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Media])
		return err
	})
	batch.Queue(`SELECT action, coalesce(from_status, ''), coalesce(to_status, ''), note,
		coalesce(target_kind, ''), coalesce(target_code, ''), actor_id, actor_name, at
		FROM report_events WHERE report_id = $1 ORDER BY id`, id).Query(func(rows pgx.Rows) error {
		r.Events, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Event])
		return err
	})
	if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) get(ctx context.Context, q querier, id string, lock bool) (*Report, error) {
	if !database.IsUUID(id) {
		return nil, errNotYours
	}
	sql := `SELECT ` + reportColumns + ` FROM reports r WHERE r.id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	r, err := s.scanReport(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotYours
	}
	return r, err
}

// MediaFile returns a stored (metadata-free) photo or video of a report.
func (s *Service) MediaFile(ctx context.Context, o Officer, reportID, mediaID string) (contentType string, data []byte, err error) {
	r, err := s.get(ctx, s.pool, reportID, false)
	if err != nil {
		return "", nil, err
	}
	if !o.Sees(r.WardCode) || !database.IsUUID(mediaID) {
		return "", nil, errNotYours
	}
	err = s.pool.QueryRow(ctx, `SELECT content_type, data FROM report_media WHERE id = $1 AND report_id = $2`, mediaID, reportID).Scan(&contentType, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, errNotYours
	}
	return contentType, data, err
}

// Move is one step of the workflow an officer takes.
type Move struct {
	To   Status
	Note string
	// Target is where a transferred report goes: a ward or a department.
	Target *Target
	// Reason is why a report is closed: the code of one of CloseReasons
	// of the closing status. Closing requires one.
	Reason string
}

const maxNote = 2000

// Advance moves a report one step along the workflow, with a note, timed and
// attributed, and announces the step on the live feed. It returns the report
// as it now stands, without its routes, media and history (Get has them).
func (s *Service) Advance(ctx context.Context, o Officer, id string, m Move) (*Report, error) {
	if err := s.checkMove(&m); err != nil {
		return nil, err
	}
	var moved *Report
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := s.get(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := allowed(o, r, m); err != nil {
			return err
		}
		ward, err := transfer(ctx, tx, o, r, m.Target)
		if err != nil {
			return err
		}
		if moved, err = s.move(ctx, tx, id, m, ward); err != nil {
			return err
		}
		return recordMove(ctx, tx, o, r, moved, m)
	})
	if err != nil {
		return nil, err
	}
	return moved, nil
}

// checkMove checks what a move says by itself: its note, its status and,
// for a transfer, where to.
func (s *Service) checkMove(m *Move) error {
	m.Note = vietnamese.NFC(strings.TrimSpace(m.Note))
	if utf8.RuneCountInString(m.Note) > maxNote {
		return apperr.Errorf(apperr.Invalid, "note_too_long", "Ghi chú dài quá %d ký tự.", maxNote)
	}
	if _, known := next[m.To]; !known || m.To == Received {
		return apperr.New(apperr.Invalid, "unknown_status", "Trạng thái không hợp lệ.")
	}
	if m.To != Transferred {
		m.Target = nil
		return nil
	}
	if m.Target == nil || (m.Target.Kind != ToWard && m.Target.Kind != ToDepartment) || m.Target.Code == "" {
		return apperr.New(apperr.Invalid, "transfer_target_required", "Xin chọn phường hoặc đơn vị nhận chuyển.")
	}
	if _, ok := s.rules.Departments[m.Target.Code]; m.Target.Kind == ToDepartment && !ok {
		return apperr.New(apperr.Invalid, "unknown_department", "Không có đơn vị này.")
	}
	return nil
}

// allowed checks the move against the report as it stands: the officer
// sees it, the workflow allows the step, a closing gives its reason.
func allowed(o Officer, r *Report, m Move) error {
	if !o.Sees(r.WardCode) {
		return errNotYours
	}
	if !CanMove(r.Status, m.To) {
		return apperr.Errorf(apperr.Conflict, "transition_not_allowed",
			"Không thể chuyển phản ánh từ “%s” sang “%s”.", r.Status.Label(), m.To.Label())
	}
	return checkCloseReason(m.To, m.Reason)
}

// transfer routes the report to the target of a transfer and returns the
// ward handling it afterwards (another ward for a transfer to one).
func transfer(ctx context.Context, tx pgx.Tx, o Officer, r *Report, target *Target) (string, error) {
	if target == nil {
		return r.WardCode, nil
	}
	ward := r.WardCode
	if target.Kind == ToWard {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM wards WHERE code = $1)`, target.Code).Scan(&exists); err != nil {
			return "", err
		}
		if !exists || target.Code == r.WardCode {
			return "", apperr.New(apperr.Invalid, "unknown_ward", "Không có phường này, hoặc phản ánh đã thuộc phường này.")
		}
		ward = target.Code
	}
	_, err := tx.Exec(ctx, `INSERT INTO report_routes (report_id, kind, code, reason) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, r.ID, target.Kind, target.Code, "transfer:"+o.ID)
	return ward, err
}

// move stores the report's new status, ward and, for a closing, its time
// and reason.
func (s *Service) move(ctx context.Context, tx pgx.Tx, id string, m Move, ward string) (*Report, error) {
	var wardArg *string
	if ward != "" {
		wardArg = &ward
	}
	return s.scanReport(tx.QueryRow(ctx, `
		UPDATE reports r SET status = $2, ward_code = $3, updated_at = now(),
			acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN coalesce(acknowledged_at, now()) ELSE acknowledged_at END,
			closed_at = CASE WHEN $2 IN ('resolved', 'unfounded') THEN now() ELSE closed_at END,
			close_reason = CASE WHEN $2 IN ('resolved', 'unfounded') THEN $4 ELSE close_reason END
		WHERE id = $1 RETURNING `+reportColumns, id, string(m.To), wardArg, m.Reason))
}

// recordMove writes the move to the audit log and the report's history and
// announces it on the feed, all in the move's transaction.
func recordMove(ctx context.Context, tx pgx.Tx, o Officer, r, moved *Report, m Move) error {
	details := map[string]any{"from": r.Status, "to": m.To}
	if m.Reason != "" {
		details["reason"] = m.Reason
	}
	var tkind, tcode *string
	if m.Target != nil {
		details["target"] = m.Target
		tkind, tcode = &m.Target.Kind, &m.Target.Code
	}
	if err := o.record(ctx, tx, "report.transition", r.ID, r.WardCode, details); err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO report_events (report_id, action, from_status, to_status, note, target_kind, target_code, actor_id, actor_name)
		VALUES ($1, 'transition', $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, string(r.Status), string(m.To), m.Note, tkind, tcode, o.ID, o.Name)
	queueNotify(b, FeedEvent{ReportID: r.ID, Code: r.Code, Action: "transition", Ward: moved.WardCode, FromWard: r.WardCode,
		Category: r.Category, Urgency: r.Urgency, Status: m.To, At: moved.UpdatedAt})
	return tx.SendBatch(ctx, b).Close()
}

// AddNote records an officer's note on a report without changing its status.
func (s *Service) AddNote(ctx context.Context, o Officer, id, note string) error {
	note = vietnamese.NFC(strings.TrimSpace(note))
	if note == "" || utf8.RuneCountInString(note) > maxNote {
		return apperr.Errorf(apperr.Invalid, "bad_note", "Ghi chú phải có nội dung và dài không quá %d ký tự.", maxNote)
	}
	return s.mark(ctx, o, id, "note", note, "")
}

// MarkSpam marks a report as spam: it leaves the lists and statistics but
// stays stored, with who marked it and why, for audit.
func (s *Service) MarkSpam(ctx context.Context, o Officer, id, reason string) error {
	reason = vietnamese.NFC(strings.TrimSpace(reason))
	if reason == "" || utf8.RuneCountInString(reason) > maxNote {
		return apperr.New(apperr.Invalid, "reason_required", "Xin ghi lý do đánh dấu phản ánh là tin rác.")
	}
	return s.mark(ctx, o, id, "spam", reason, `UPDATE reports SET spam_at = now(), spam_by = $2, updated_at = now() WHERE id = $1 AND spam_at IS NULL`)
}

func (s *Service) mark(ctx context.Context, o Officer, id, action, note, update string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := s.get(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if !o.Sees(r.WardCode) {
			return errNotYours
		}
		if update != "" {
			tag, err := tx.Exec(ctx, update, id, o.ID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return apperr.New(apperr.Conflict, "already_marked", "Phản ánh đã được đánh dấu trước đó.")
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO report_events (report_id, action, note, actor_id, actor_name) VALUES ($1, $2, $3, $4, $5)`,
			id, action, note, o.ID, o.Name); err != nil {
			return err
		}
		if err := o.record(ctx, tx, "report."+action, id, r.WardCode, nil); err != nil {
			return err
		}
		return notify(ctx, tx, FeedEvent{ReportID: id, Code: r.Code, Action: action, Ward: r.WardCode,
			Category: r.Category, Urgency: r.Urgency, Status: r.Status, At: time.Now()})
	})
}

// record appends an officer's action on a report to the shared audit log,
// in the caller's transaction when db is one.
func (o Officer) record(ctx context.Context, db audit.Execer, action, reportID, ward string, details map[string]any) error {
	return audit.Record(ctx, db, audit.Entry{Actor: o.Actor, Action: action, SubjectKind: "report",
		SubjectID: reportID, Ward: ward, Details: details})
}
