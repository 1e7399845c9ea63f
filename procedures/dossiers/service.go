package dossiers

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/paper"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/tokens"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

// Service files, tracks and reviews dossiers.
type Service struct {
	pool      *pgxpool.Pool
	catalogue Catalogue
	cfg       Config
	seal      *seal.Sealer
	files     fileStore
	fonts     *paper.Fonts
	lookups   *ratelimit.Lookups
	createIP  *ratelimit.Limiter
}

// NewService returns a Service. It fails, naming STATION_DATA_KEY, when the
// key is malformed or is not the key the stored data was sealed with.
func NewService(ctx context.Context, pool *pgxpool.Pool, catalogue Catalogue, cfg Config) (*Service, error) {
	cfg = cfg.withDefaults()
	if cfg.Sealer == nil {
		return nil, config.Invalid("data-key", "", "not set: give a 32-byte key as base64 or hex (openssl rand -base64 32)")
	}
	if cfg.DataDir == "" {
		return nil, config.Invalid("data-dir", "", "must not be empty")
	}
	fonts, err := paper.LoadFonts(cfg.ReceiptFontDir)
	if err != nil {
		return nil, err
	}
	s := &Service{
		pool:      pool,
		catalogue: newEntryCache(catalogue, time.Minute),
		cfg:       cfg,
		seal:      cfg.Sealer,
		files:     fileStore{dir: cfg.DataDir},
		fonts:     fonts,
		lookups:   cmp.Or(cfg.Lookups, ratelimit.NewLookups(pool, cfg.Sealer, cfg.TrackPerCode, cfg.TrackPerIP)),
		createIP:  ratelimit.New(pool, cfg.CreatePerIP, createIPWindow),
	}
	if err := s.checkKey(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

const keyCheckText = "citizenstation data key check"

// checkKey seals a known text with the key the first time and, every time
// after, checks that the key opens it.
func (s *Service) checkKey(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO data_key_check (id, sealed) VALUES (1, $1) ON CONFLICT DO NOTHING`,
		s.seal.Seal(keyCheckText, "key-check")); err != nil {
		return fmt.Errorf("data key check: %w", err)
	}
	var sealed []byte
	if err := s.pool.QueryRow(ctx, `SELECT sealed FROM data_key_check WHERE id = 1`).Scan(&sealed); err != nil {
		return fmt.Errorf("data key check: %w", err)
	}
	if text, err := s.seal.Open(sealed, "key-check"); err != nil || text != keyCheckText {
		return config.Invalid("data-key", "(hidden)", "this is not the key the stored data was sealed with")
	}
	return nil
}

// NewDossier is what a resident's kiosk (or the assistant) files.
type NewDossier struct {
	Procedure      string                `json:"procedure"`
	Ward           string                `json:"ward"`
	Fields         map[string]FieldInput `json:"fields"`
	KioskSessionID string                `json:"kiosk_session_id,omitempty"`
	// Fee chooses, by index, which of the procedure's fees applies when
	// the catalogue lists several cases (first issue or reissue, kind of
	// vehicle...). Without a choice such a fee is left for staff to settle.
	Fee *int `json:"fee,omitempty"`
	// FeeExempt is the filer's answer to the fee's one question: whether
	// they belong to a group the law exempts that their age does not show
	// (people with meritorious service, poor households…). Staff check it.
	FeeExempt *bool `json:"fee_exempt,omitempty"`
}

// Created answers a new dossier. Secret is given only here: the kiosk needs
// it to attach scans, submit and print the receipt.
type Created struct {
	ID           string `json:"id"`
	TrackingCode string `json:"tracking_code"`
	Status       Status `json:"status"`
	Secret       string `json:"secret"`
	FeeAmount    int64  `json:"fee_amount"`
	// FeeUnconfirmed: the fee is settled by staff, not paid at the kiosk.
	FeeUnconfirmed bool            `json:"fee_unconfirmed,omitempty"`
	Checklist      []ChecklistItem `json:"checklist"`
}

var wardRe = regexp.MustCompile(`^[0-9A-Za-z_.-]{1,32}$`)

// Create files a draft dossier. Values are checked against the procedure's
// form; required fields may still be missing until Submit.
func (s *Service) Create(ctx context.Context, from audit.Actor, nd NewDossier) (*Created, error) {
	if err := s.createIP.Allow(ctx, "dossier-create:"+from.IP); err != nil {
		return nil, err
	}
	nd.Ward = strings.TrimSpace(nd.Ward)
	if !wardRe.MatchString(nd.Ward) {
		return nil, apperr.New(apperr.Invalid, "ward_invalid", "Xin chọn phường nơi nộp hồ sơ.")
	}
	entry, err := s.procedure(ctx, nd.Procedure)
	if err != nil {
		return nil, err
	}
	if entry.Kind == procedures.KindService {
		return nil, apperr.New(apperr.Invalid, "not_a_procedure", "Dịch vụ này không cần nộp hồ sơ.")
	}
	values, err := checkFields(entry, nd.Fields)
	if err != nil {
		return nil, err
	}
	ks := strings.TrimSpace(nd.KioskSessionID)
	var kioskSession *string
	if ks != "" {
		kioskSession = &ks
	}
	fee, err := feeOf(entry, nd.Fee, filerOf(values, nd.FeeExempt), time.Now())
	if err != nil {
		return nil, err
	}
	secret := tokens.New()
	c := &Created{Status: StatusDraft, Secret: secret, FeeAmount: fee.amount, FeeUnconfirmed: fee.unconfirmed}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// A fresh code almost never collides; when it does, draw again.
		for attempt := 0; ; attempt++ {
			c.TrackingCode = NewTrackingCode()
			err := tx.QueryRow(ctx, `
				INSERT INTO dossiers (tracking_code, procedure_slug, procedure_name, ward, secret_hash, kiosk_session_id,
				                      fees, fee_amount, fee_unconfirmed, processing_days, processing_text, after_filing)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
				ON CONFLICT (tracking_code) DO NOTHING
				RETURNING id::text`,
				c.TrackingCode, entry.Slug, entry.Name, nd.Ward, tokens.Hash(secret), kioskSession,
				fee.lines, fee.amount, fee.unconfirmed, entry.Processing.WorkingDays, entry.Processing.Text, entry.AfterFiling()).Scan(&c.ID)
			if err == nil {
				break
			}
			if !errors.Is(err, pgx.ErrNoRows) || attempt > 5 {
				return fmt.Errorf("insert dossier: %w", database.UnknownWard(err))
			}
		}
		for _, v := range values {
			if err := s.putField(ctx, tx, c.ID, v, "resident"); err != nil {
				return err
			}
		}
		if err := s.updateApplicant(ctx, tx, c.ID, entry); err != nil {
			return err
		}
		details := map[string]any{"procedure": entry.Slug, "fields": len(values)}
		if kioskSession != nil {
			details["kiosk_session_id"] = ks
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: resident(from), Action: "dossier.created",
			SubjectKind: "dossier", SubjectID: c.ID, Ward: nd.Ward, Details: details})
	})
	if err != nil {
		return nil, err
	}
	c.Checklist = checklist(entry, nil)
	return c, nil
}

// procedure returns the catalogue entry of slug; an unknown slug is the
// caller's mistake.
func (s *Service) procedure(ctx context.Context, slug string) (*procedures.Entry, error) {
	slug = strings.TrimSpace(slug)
	if slug == "" {
		return nil, apperr.New(apperr.Invalid, "procedure_required", "Xin chọn thủ tục cần làm.")
	}
	e, err := s.catalogue.Get(ctx, slug)
	if apperr.IsKind(err, apperr.NotFound) {
		return nil, apperr.Wrap(err, apperr.Invalid, "unknown_procedure", "Không có thủ tục này trong danh mục.")
	}
	if err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", slug, err)
	}
	return e, nil
}

// checklist pairs the procedure's documents with the files attached.
func checklist(entry *procedures.Entry, atts []Attachment) []ChecklistItem {
	out := make([]ChecklistItem, len(entry.Documents))
	for i, d := range entry.Documents {
		out[i] = ChecklistItem{Index: i, Name: d.Name, Optional: d.Optional, Quantity: d.Quantity, Note: d.Note}
		for _, a := range atts {
			if a.Document != nil && *a.Document == i {
				out[i].Attached++
			}
		}
	}
	return out
}

// resident is the audit actor for a request without a staff account.
func resident(from audit.Actor) audit.Actor {
	if from.Role == "" {
		from.Role = "resident"
	}
	return from
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// row is a dossier as locked or read for a decision.
type row struct {
	Dossier
	secretHash     []byte
	digests        [][]byte
	processingDays int
	feePaymentID   *string
}

const rowColumns = `id::text, tracking_code, procedure_slug, procedure_name, ward, status, applicant_name, applicant_id_masked,
	kiosk_session_id, fees, fee_amount, fee_unconfirmed, fee_paid_at, processing_text, after_filing, submitted_at, expected_on, decided_at,
	resident_message, created_at, updated_at, submit_requested_at IS NOT NULL, secret_hash, verify_digests, processing_days, fee_payment_id`

func scanRow(r pgx.Row) (*row, error) {
	d := &row{}
	err := r.Scan(&d.ID, &d.TrackingCode, &d.Procedure, &d.ProcedureName, &d.Ward, &d.Status, &d.ApplicantName,
		&d.ApplicantIDMasked, &d.KioskSessionID, &d.Fees, &d.FeeAmount, &d.FeeUnconfirmed, &d.FeePaidAt, &d.ProcessingText, &d.AfterFiling,
		&d.SubmittedAt, &d.ExpectedOn, &d.DecidedAt, &d.ResidentMessage, &d.CreatedAt, &d.UpdatedAt,
		&d.submitRequested, &d.secretHash, &d.digests, &d.processingDays, &d.feePaymentID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read dossier: %w", err)
	}
	d.StatusLabel = d.Status.Label()
	return d, nil
}

// lock reads dossier id for update inside tx.
func lock(ctx context.Context, tx pgx.Tx, id string) (*row, error) {
	if !uuidRe.MatchString(id) {
		return nil, errNotFound
	}
	return scanRow(tx.QueryRow(ctx, `SELECT `+rowColumns+` FROM dossiers WHERE id = $1 FOR UPDATE`, id))
}

// lockOwn locks dossier id for the resident who holds its secret.
func lockOwn(ctx context.Context, tx pgx.Tx, id, secret string) (*row, error) {
	d, err := lock(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return d, d.checkSecret(secret)
}

// lockEditable locks dossier id for the resident who holds its secret,
// while it may still change: a draft, or one staff sent back for a
// supplement. refused says what could not be done ("sửa được thông tin").
func lockEditable(ctx context.Context, tx pgx.Tx, id, secret, refused string) (*row, error) {
	d, err := lockOwn(ctx, tx, id, secret)
	if err == nil && d.Status != StatusDraft && d.Status != StatusNeedsSupplement {
		err = apperr.Errorf(apperr.Conflict, "dossier_closed", "Hồ sơ đang ở trạng thái «%s», không %s.", d.Status.Label(), refused)
	}
	return d, err
}

var errSecret = apperr.New(apperr.Forbidden, "dossier_secret_invalid", "Phiên nộp hồ sơ không hợp lệ. Xin bắt đầu lại tại trạm.")

// feeDue reports whether the dossier has a fee to pay before it goes to
// the ward. A fee staff must settle is paid there instead.
func (d *row) feeDue() bool { return d.FeeAmount > 0 && !d.FeeUnconfirmed && d.FeePaidAt == nil }

// checkSecret accepts the secret handed out at creation.
func (d *row) checkSecret(secret string) error {
	if secret == "" || subtle.ConstantTimeCompare(tokens.Hash(secret), d.secretHash) != 1 {
		return errSecret
	}
	return nil
}

// AttachmentInput is a file a resident attaches.
type AttachmentInput struct {
	// Document is the index of the procedure document the file is for; nil
	// for another paper.
	Document *int
	Filename string
	Content  io.Reader
}

// FieldsUpdate answers UpdateFields: what changed and which required
// fields are still empty.
type FieldsUpdate struct {
	Updated []string `json:"updated"`
	Missing []string `json:"missing"`
}

// UpdateFields sets values of a draft, or of a dossier staff sent back for a
// supplement, as the resident (kiosk or assistant) gives them. Replaced
// values are kept in the field's history, so staff see what changed.
func (s *Service) UpdateFields(ctx context.Context, from audit.Actor, id, secret string, in map[string]FieldInput) (*FieldsUpdate, error) {
	var out *FieldsUpdate
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		d, err := lockEditable(ctx, tx, id, secret, "sửa được thông tin")
		if err != nil {
			return err
		}
		entry, err := s.procedure(ctx, d.Procedure)
		if err != nil {
			return err
		}
		values, err := checkFields(entry, in)
		if err != nil {
			return err
		}
		out = &FieldsUpdate{Updated: []string{}, Missing: []string{}}
		for _, v := range values {
			if err := keepOld(ctx, tx, id, v.def.Name, "resident", ""); err != nil {
				return err
			}
			if err := s.putField(ctx, tx, id, v, "resident"); err != nil {
				return err
			}
			out.Updated = append(out.Updated, v.def.Name)
		}
		if err := s.updateApplicant(ctx, tx, id, entry); err != nil {
			return err
		}
		current, err := s.currentValues(ctx, tx, id)
		if err != nil {
			return err
		}
		out.Missing = missingFields(entry, current)
		return audit.Record(ctx, tx, audit.Entry{Actor: resident(from), Action: "dossier.fields_updated",
			SubjectKind: "dossier", SubjectID: id, Ward: d.Ward, Details: map[string]any{"fields": out.Updated}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// missingFields lists the labels of required fields without a value.
func missingFields(entry *procedures.Entry, values map[string]string) []string {
	missing := []string{}
	for _, f := range entry.Form.Fields {
		if f.Required && values[f.Name] == "" {
			missing = append(missing, f.Label)
		}
	}
	return missing
}

// maxAttachments bounds the files of one dossier.
const maxAttachments = 30

// Attach stores a scan or document for a draft dossier or one that needs a
// supplement.
func (s *Service) Attach(ctx context.Context, from audit.Actor, id, secret string, in AttachmentInput) (*Attachment, error) {
	up, err := s.files.receive(in.Content, s.cfg.MaxAttachment)
	if err != nil {
		return nil, err
	}
	defer os.Remove(up.tmp) // a no-op once placed
	a := &Attachment{Document: in.Document, SHA256: up.sha, ContentType: up.contentType, Size: up.size,
		Filename: cleanFilename(in.Filename)}
	placed := ""
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		d, err := lockEditable(ctx, tx, id, secret, "thể thêm giấy tờ")
		if err != nil {
			return err
		}
		if in.Document != nil {
			entry, err := s.procedure(ctx, d.Procedure)
			if err != nil {
				return err
			}
			if *in.Document < 0 || *in.Document >= len(entry.Documents) {
				return apperr.New(apperr.Invalid, "document_invalid", "Giấy tờ này không có trong danh sách của thủ tục.")
			}
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM dossier_attachments WHERE dossier_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n >= maxAttachments {
			return apperr.Errorf(apperr.Conflict, "too_many_attachments", "Hồ sơ đã có đủ %d tệp.", maxAttachments)
		}
		if placed, err = s.files.place(up); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO dossier_attachments (dossier_id, document, sha256, content_type, size, filename, kiosk_session_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text, created_at`,
			id, in.Document, a.SHA256, a.ContentType, a.Size, a.Filename, d.KioskSessionID).Scan(&a.ID, &a.CreatedAt)
		if err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		_, err = tx.Exec(ctx, `UPDATE dossiers SET updated_at = now() WHERE id = $1`, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: resident(from), Action: "dossier.attachment_added",
			SubjectKind: "dossier", SubjectID: id, Ward: d.Ward,
			Details: map[string]any{"attachment_id": a.ID, "content_type": a.ContentType, "size": a.Size}})
	})
	if err != nil {
		if placed != "" {
			s.removeIfUnused(context.WithoutCancel(ctx), up.sha)
		}
		return nil, err
	}
	return a, nil
}

// removeIfUnused deletes the file of sha when no attachment refers to it.
func (s *Service) removeIfUnused(ctx context.Context, sha string) {
	var used bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dossier_attachments WHERE sha256 = $1)`, sha).Scan(&used); err == nil && !used {
		os.Remove(s.files.path(sha))
	}
}

func cleanFilename(name string) string {
	name = vietnamese.NFC(strings.TrimSpace(name))
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if len(name) > 200 {
		name = strings.ToValidUTF8(name[:200], "")
	}
	return name
}

// SubmitResult says what became of a submission.
type SubmitResult struct {
	ID           string          `json:"id"`
	TrackingCode string          `json:"tracking_code"`
	Status       Status          `json:"status"`
	StatusLabel  string          `json:"status_label"`
	ExpectedOn   *time.Time      `json:"expected_on,omitempty"`
	Checklist    []ChecklistItem `json:"checklist"`
	// PaymentRequired is set when the fee must be paid first; the payment
	// then submits the dossier.
	PaymentRequired bool  `json:"payment_required,omitempty"`
	FeeAmount       int64 `json:"fee_amount"`
	// AfterFiling is what happens once the dossier is filed: the words of
	// the receipt and the tracking screen.
	AfterFiling string `json:"after_filing"`
}

// Submit hands a draft (or a supplemented dossier) to the ward. Required
// fields must be filled. A draft whose fee is unpaid waits for the payment,
// which then submits it (see MarkFeePaid). Missing documents do not stop
// a submission: the checklist shows them, and staff may ask for them.
func (s *Service) Submit(ctx context.Context, from audit.Actor, id, secret string) (*SubmitResult, error) {
	var res *SubmitResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		d, err := lockOwn(ctx, tx, id, secret)
		if err != nil {
			return err
		}
		if !CanMove(d.Status, StatusSubmitted) {
			return errTransition(d.Status, StatusSubmitted)
		}
		entry, err := s.procedure(ctx, d.Procedure)
		if err != nil {
			return err
		}
		values, err := s.currentValues(ctx, tx, id)
		if err != nil {
			return err
		}
		if missing := missingFields(entry, values); len(missing) > 0 {
			return apperr.Errorf(apperr.Invalid, "fields_missing", "Hồ sơ còn thiếu: %s.", strings.Join(missing, ", "))
		}
		atts, err := attachments(ctx, tx, id)
		if err != nil {
			return err
		}
		res = &SubmitResult{ID: id, TrackingCode: d.TrackingCode, FeeAmount: d.FeeAmount, Checklist: checklist(entry, atts), AfterFiling: d.AfterFiling}
		if d.Status == StatusDraft && d.feeDue() {
			if _, err := tx.Exec(ctx, `UPDATE dossiers SET submit_requested_at = now(), updated_at = now() WHERE id = $1`, id); err != nil {
				return err
			}
			res.Status, res.StatusLabel, res.PaymentRequired = StatusDraft, StatusDraft.Label(), true
			return audit.Record(ctx, tx, audit.Entry{Actor: resident(from), Action: "dossier.submit_requested",
				SubjectKind: "dossier", SubjectID: id, Ward: d.Ward, Details: map[string]any{"fee_amount": d.FeeAmount}})
		}
		if err := s.move(ctx, tx, d, StatusSubmitted, resident(from), ""); err != nil {
			return err
		}
		res.Status, res.StatusLabel, res.ExpectedOn = d.Status, d.StatusLabel, d.ExpectedOn
		return nil
	})
	return res, err
}

// move changes a locked dossier's status, recording the event and an audit
// entry in tx. reason is the message to the resident when supplementing or
// rejecting, and a note otherwise.
func (s *Service) move(ctx context.Context, tx pgx.Tx, d *row, to Status, by audit.Actor, reason string) error {
	from := d.Status
	if !CanMove(from, to) {
		return errTransition(from, to)
	}
	now := time.Now()
	switch to {
	case StatusSubmitted:
		d.SubmittedAt = &now
		d.ExpectedOn = nil
		if d.processingDays > 0 {
			e := addWorkingDays(now, d.processingDays)
			d.ExpectedOn = &e
		}
		d.ResidentMessage = ""
	case StatusNeedsSupplement, StatusRejected:
		d.ResidentMessage = reason
	}
	if to == StatusApproved || to == StatusRejected {
		d.DecidedAt = &now
	}
	_, err := tx.Exec(ctx, `
		UPDATE dossiers SET status = $2, submitted_at = $3, expected_on = $4, decided_at = $5, resident_message = $6,
			submit_requested_at = NULL, updated_at = now()
		WHERE id = $1`, d.ID, to, d.SubmittedAt, d.ExpectedOn, d.DecidedAt, d.ResidentMessage)
	if err != nil {
		return fmt.Errorf("move dossier to %s: %w", to, err)
	}
	var userID *int64
	if by.UserID != 0 {
		userID = &by.UserID
	}
	actor := by.Username
	if actor == "" {
		actor = by.Role
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO dossier_events (dossier_id, from_status, to_status, user_id, actor, role, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.ID, from, to, userID, actor, by.Role, reason); err != nil {
		return fmt.Errorf("record transition: %w", err)
	}
	d.Status, d.StatusLabel = to, to.Label()
	return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "dossier.transition", SubjectKind: "dossier",
		SubjectID: d.ID, Ward: d.Ward, Details: map[string]any{"from": from, "to": to, "reason": reason}})
}

func attachments(ctx context.Context, q querier, id string) ([]Attachment, error) {
	rows, err := q.Query(ctx, `SELECT id::text, document, sha256, content_type, size, filename, created_at
		FROM dossier_attachments WHERE dossier_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanAttachment)
}

func scanAttachment(r pgx.CollectableRow) (Attachment, error) {
	var a Attachment
	err := r.Scan(&a.ID, &a.Document, &a.SHA256, &a.ContentType, &a.Size, &a.Filename, &a.CreatedAt)
	return a, err
}
