// Package help is "Gọi cán bộ": a resident at a station asks for a person.
// The request appears at once, with a sound, on the staff console of the
// station's ward and on the duty console; one touch acknowledges it and the
// kiosk tells the resident who is coming. A request nobody acknowledges
// climbs after Config.EscalateAfter (duty officers alerted again, the kiosk
// shows and reads the ward's phone number) and again after as long (the
// command centre). The climb is a River job inserted with the request, so it
// happens once whichever replica or worker runs it.
//
// Consoles hear of requests through PostgreSQL NOTIFY on Channel, read by
// each replica's one listening connection (internal/live).
package help

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Channel is the PostgreSQL NOTIFY channel of help requests.
const Channel = "help_requests"

// Levels a request climbs through while nobody acknowledges it.
const (
	LevelWard          = 0 // the ward's staff and duty officers
	LevelDutyOfficer   = 1 // duty officers alerted again; the kiosk shows the phone
	LevelCommandCentre = 2 // the command centre
)

// Status of a request as the kiosk shows it.
const (
	StatusWaiting      = "waiting"
	StatusEscalated    = "escalated"
	StatusAcknowledged = "acknowledged"
	StatusCancelled    = "cancelled"
)

// Config holds the settings of help requests.
type Config struct {
	// EscalateAfter is how long a request waits for a person before it
	// climbs a level.
	EscalateAfter time.Duration
	// Hotline is the number shown where the station's ward has none.
	Hotline string
}

// RegisterFlags adds the settings to fs. The hotline is the screens'
// -hotline, which serve copies here.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.EscalateAfter, "help-escalate-after", 60*time.Second, "\"Gọi cán bộ\": time without acknowledgement before a request goes to the duty officer, and again to the command centre")
}

// Validate checks the settings.
func (c *Config) Validate() error {
	if c.EscalateAfter < time.Second {
		return config.Invalid("help-escalate-after", c.EscalateAfter, "must be at least 1s")
	}
	return nil
}

// Inserter adds the escalation job in the transaction that creates the
// request (internal/jobs.Queue).
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Service keeps help requests. Queue must be set before Create is called.
type Service struct {
	pool  *pgxpool.Pool
	cfg   Config
	Queue Inserter
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool, cfg Config) *Service {
	return &Service{pool: pool, cfg: cfg}
}

// Request is one call for a person.
type Request struct {
	ID             string     `json:"id"`
	StationID      string     `json:"station_id"`
	StationName    string     `json:"station_name"`
	StationAddress string     `json:"station_address"`
	WardCode       string     `json:"ward_code"`
	WardName       string     `json:"ward_name"`
	Step           string     `json:"step"`
	Service        string     `json:"service,omitempty"` // the visit's last service
	ServiceEntry   string     `json:"-"`                 // the catalogue's name of Service, if an entry
	Reason         string     `json:"reason"`
	CreatedAt      time.Time  `json:"created_at"`
	Level          int        `json:"level"`
	EscalatedAt    *time.Time `json:"escalated_at,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	AcknowledgedBy string     `json:"acknowledged_by,omitempty"`
	CancelledAt    *time.Time `json:"cancelled_at,omitempty"`
	WaitedSeconds  float64    `json:"waited_seconds"`
	// ClimbsAt is when an open call nobody takes climbs next; nil at the
	// top level and once the call is closed.
	ClimbsAt *time.Time `json:"climbs_at,omitempty"`
}

// Status is the request's state as the kiosk shows it.
func (r *Request) Status() string {
	switch {
	case r.AcknowledgedAt != nil:
		return StatusAcknowledged
	case r.CancelledAt != nil:
		return StatusCancelled
	case r.Level > LevelWard:
		return StatusEscalated
	}
	return StatusWaiting
}

// NewRequest is what the kiosk sends.
type NewRequest struct {
	KioskSessionID string `json:"kiosk_session_id"`
	Step           string `json:"step"`
	Reason         string `json:"reason"`
}

var step = regexp.MustCompile(`^[a-z0-9][a-z0-9_.:-]{0,79}$`)

var (
	errNotFound   = apperr.New(apperr.NotFound, "help_request_not_found", "Không tìm thấy yêu cầu hỗ trợ.")
	errClosed     = apperr.New(apperr.Conflict, "help_request_closed", "Yêu cầu hỗ trợ này đã có người nhận hoặc đã đóng.")
	errBadRequest = apperr.New(apperr.Invalid, "help_request_invalid", "Yêu cầu hỗ trợ không hợp lệ.")
)

func (n NewRequest) validate() error {
	if (n.Step != "" && !step.MatchString(n.Step)) || (n.Reason != "" && reasons[n.Reason] == "") || len(n.KioskSessionID) > 64 {
		return errBadRequest
	}
	return nil
}

// event is the payload on Channel: enough for a console to decide whether
// it cares, never personal data.
type event struct {
	ID     string `json:"id"`
	Ward   string `json:"ward"`
	Level  int    `json:"level"`
	Action string `json:"action"` // created, escalated, acknowledged, cancelled
}

func notify(ctx context.Context, tx pgx.Tx, ev event) error {
	payload, _ := json.Marshal(ev) // plain strings and ints: cannot fail
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, string(payload)); err != nil {
		return fmt.Errorf("notify help request: %w", err)
	}
	return nil
}

// Create stores a request of the station in ward, announces it and
// schedules its first escalation, in one transaction. A station with a
// request still waiting gets that one back instead of a second.
func (s *Service) Create(ctx context.Context, stationID, ward string, n NewRequest) (*Request, error) {
	if err := n.validate(); err != nil {
		return nil, err
	}
	var id string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One waiting request per station: a second press in the same visit
		// is the same call; a call left by an earlier visit is closed.
		var visit string
		err := tx.QueryRow(ctx, `UPDATE help_requests h SET step = coalesce(nullif(k.step, ''), nullif($2, ''), h.step),
				service = coalesce(k.services[cardinality(k.services)], h.service)
			FROM (SELECT 1) one LEFT JOIN kiosk_sessions k ON k.id::text = $3 AND k.station_id = $1
			WHERE h.station_id = $1 AND h.acknowledged_at IS NULL AND h.cancelled_at IS NULL
			RETURNING h.id, coalesce(h.kiosk_session_id, '')`, stationID, n.Step, n.KioskSessionID).Scan(&id, &visit)
		switch {
		case err == nil && (visit == n.KioskSessionID || n.KioskSessionID == ""):
			return nil
		case err == nil:
			var level int
			if err := tx.QueryRow(ctx, `UPDATE help_requests SET cancelled_at = now() WHERE id::text = $1 RETURNING level`, id).Scan(&level); err != nil {
				return err
			}
			if err := notify(ctx, tx, event{ID: id, Ward: ward, Level: level, Action: "cancelled"}); err != nil {
				return err
			}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		// Where the resident is: the visit's last step and service as the
		// kiosk and the guide recorded them, else the screen sent.
		if err := tx.QueryRow(ctx, `INSERT INTO help_requests (station_id, ward_code, kiosk_session_id, step, service, reason)
			SELECT $1, $2, nullif($3, ''), coalesce(nullif(k.step, ''), $4), coalesce(k.services[cardinality(k.services)], ''), $5
			FROM (SELECT 1) one LEFT JOIN kiosk_sessions k ON k.id::text = $3 AND k.station_id = $1
			RETURNING id`,
			stationID, ward, n.KioskSessionID, n.Step, n.Reason).Scan(&id); err != nil {
			return err
		}
		if err := s.Queue.InsertTx(ctx, tx, EscalateArgs{ID: id, Level: LevelDutyOfficer},
			&river.InsertOpts{ScheduledAt: time.Now().Add(s.cfg.EscalateAfter)}); err != nil {
			return err
		}
		return notify(ctx, tx, event{ID: id, Ward: ward, Level: LevelWard, Action: "created"})
	})
	if err != nil {
		return nil, fmt.Errorf("create help request: %w", err)
	}
	return s.get(ctx, s.pool, id)
}

const columns = `h.id, h.station_id, st.name, st.address, h.ward_code,
	coalesce(ward_name(h.ward_code), ''), h.step, h.service,
	coalesce((SELECT e.name FROM procedure_entries e WHERE e.slug = h.service), ''), h.reason, h.created_at, h.level,
	h.escalated_at, h.acknowledged_at, h.acknowledged_name, h.cancelled_at,
	extract(epoch FROM coalesce(h.acknowledged_at, h.cancelled_at, now()) - h.created_at)::float8`

func scan(row pgx.Row) (*Request, error) {
	var r Request
	err := row.Scan(&r.ID, &r.StationID, &r.StationName, &r.StationAddress, &r.WardCode, &r.WardName, &r.Step, &r.Service, &r.ServiceEntry, &r.Reason,
		&r.CreatedAt, &r.Level, &r.EscalatedAt, &r.AcknowledgedAt, &r.AcknowledgedBy, &r.CancelledAt, &r.WaitedSeconds)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	return &r, err
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (s *Service) get(ctx context.Context, q querier, id string) (*Request, error) {
	return scan(q.QueryRow(ctx, `SELECT `+columns+` FROM help_requests h JOIN stations st ON st.id = h.station_id
		WHERE h.id::text = $1`, id))
}

// KioskView is what the kiosk shows of its request: the sentence to show
// (and read aloud), and the phone number once nobody came in time.
type KioskView struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Phone   string `json:"phone,omitempty"`
}

// ForStation returns the station's request as its kiosk shows it.
func (s *Service) ForStation(ctx context.Context, stationID, id string) (*KioskView, error) {
	r, err := s.get(ctx, s.pool, id)
	if err != nil {
		return nil, err
	}
	if r.StationID != stationID {
		return nil, errNotFound
	}
	v := &KioskView{ID: r.ID, Status: r.Status()}
	switch v.Status {
	case StatusAcknowledged:
		v.Message = fmt.Sprintf("Anh/Chị %s ở phường đã nhận, sẽ tới trong ít phút. Bác vui lòng chờ tại chỗ.", r.AcknowledgedBy)
	case StatusEscalated:
		if v.Phone, err = s.Phone(ctx, r.WardCode); err != nil {
			return nil, err
		}
		v.Message = fmt.Sprintf("Cán bộ chưa tới kịp. Bác gọi số %s để được giúp ngay. Yêu cầu của bác đã được chuyển lên trực ban.", vietnamese.SpacedPhone(v.Phone))
	case StatusCancelled:
		v.Message = "Bác đã đóng yêu cầu gọi cán bộ."
	default:
		v.Message = "Đã báo cán bộ phường. Bác vui lòng chờ tại chỗ, cán bộ sẽ tới ngay."
	}
	return v, nil
}

// Phone is the number a resident of ward is told to call.
func (s *Service) Phone(ctx context.Context, ward string) (string, error) {
	var phone string
	err := s.pool.QueryRow(ctx, `SELECT phone FROM ward_contacts WHERE ward_code = $1`, ward).Scan(&phone)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.cfg.Hotline, nil
	}
	return phone, err
}

var errPhoneNotYours = apperr.New(apperr.Forbidden, "ward_phone_forbidden", "Chỉ cán bộ của phường mới đặt được số điện thoại của phường.")

// SetPhone records the number residents of ward are told to call when
// nobody came in time. Only the ward's own staff may set it; the change is
// audit-logged with the number it replaces.
func (s *Service) SetPhone(ctx context.Context, u *staff.User, actor audit.Actor, ward, phone string) error {
	if u.Role != staff.RoleWardStaff || !slices.Contains(u.Wards, ward) {
		return errPhoneNotYours
	}
	number, ok := vietnamese.PhoneNumber(phone)
	if !ok {
		return apperr.New(apperr.Invalid, "ward_phone_invalid", "Số điện thoại không hợp lệ. Nhập số di động 10 chữ số, số bàn 11 chữ số (ví dụ 028 3812 3456) hoặc đường dây nóng như 1022.")
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var previous string
		err := tx.QueryRow(ctx, `SELECT phone FROM ward_contacts WHERE ward_code = $1 FOR UPDATE`, ward).Scan(&previous)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("ward phone: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ward_contacts (ward_code, phone) VALUES ($1, $2)
			ON CONFLICT (ward_code) DO UPDATE SET phone = excluded.phone, updated_at = now()`, ward, number); err != nil {
			return fmt.Errorf("ward phone: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "ward.phone_set", SubjectKind: "ward",
			SubjectID: ward, Ward: ward, Details: map[string]any{"phone": number, "previous": previous}})
	})
}

// WardPhone is a ward's number as the staff who may change it see it.
type WardPhone struct {
	Code, Name string
	// Phone is the ward's own number; "" when it has none and residents
	// are told the hotline.
	Phone   string
	Hotline string
}

// Spaced is the number as residents hear it.
func (w WardPhone) Spaced() string { return vietnamese.SpacedPhone(w.Phone) }

// WardPhones are the numbers of the wards whose number u may set: a ward
// staff member's own wards; none for anyone else.
func (s *Service) WardPhones(ctx context.Context, u *staff.User) ([]WardPhone, error) {
	if u.Role != staff.RoleWardStaff || len(u.Wards) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT w.code, coalesce(ward_name(w.code), ''), coalesce(c.phone, '')
		FROM unnest($1::text[]) WITH ORDINALITY AS w (code, n)
		LEFT JOIN ward_contacts c ON c.ward_code = w.code
		ORDER BY w.n`, u.Wards)
	if err != nil {
		return nil, fmt.Errorf("ward phones: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WardPhone, error) {
		w := WardPhone{Hotline: s.cfg.Hotline}
		return w, r.Scan(&w.Code, &w.Name, &w.Phone)
	})
	if err != nil {
		return nil, fmt.Errorf("ward phones: %w", err)
	}
	return out, nil
}

// EraseKioskSession closes the calls still waiting that were made in a
// visit that ended (kiosk.Eraser): the resident is gone, and the consoles
// stop showing the call. It stores nothing personal, so it removes no files.
func (s *Service) EraseKioskSession(ctx context.Context, tx pgx.Tx, kioskSessionID string) ([]string, error) {
	rows, err := tx.Query(ctx, `UPDATE help_requests SET cancelled_at = now()
		WHERE kiosk_session_id = $1 AND acknowledged_at IS NULL AND cancelled_at IS NULL
		RETURNING id::text, ward_code, level::int, 'cancelled'`, kioskSessionID)
	if err != nil {
		return nil, err
	}
	closed, err := pgx.CollectRows(rows, pgx.RowToStructByPos[event])
	if err != nil {
		return nil, fmt.Errorf("close help requests of visit: %w", err)
	}
	for _, ev := range closed {
		if err := notify(ctx, tx, ev); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// Cancel closes the station's waiting request: the resident no longer
// needs anyone.
func (s *Service) Cancel(ctx context.Context, stationID, id string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var ward string
		var level int
		err := tx.QueryRow(ctx, `UPDATE help_requests SET cancelled_at = now()
			WHERE id::text = $1 AND station_id = $2 AND acknowledged_at IS NULL AND cancelled_at IS NULL
			RETURNING ward_code, level`, id, stationID).Scan(&ward, &level)
		if errors.Is(err, pgx.ErrNoRows) {
			return errClosed
		}
		if err != nil {
			return err
		}
		return notify(ctx, tx, event{ID: id, Ward: ward, Level: level, Action: "cancelled"})
	})
}

// Sees reports whether u is shown a request of ward at level: the ward's
// staff and duty officers from the start, the command centre once it
// climbed to it, administrators always.
func Sees(u *staff.User, ward string, level int) bool {
	switch u.Role {
	case staff.RoleAdmin:
		return true
	case staff.RoleCommandCentre:
		return level >= LevelCommandCentre
	case staff.RoleWardStaff, staff.RoleDutyOfficer:
		return slices.Contains(u.Wards, ward)
	}
	return false
}

// Open lists the requests waiting for a person that u is shown, oldest
// first.
func (s *Service) Open(ctx context.Context, u *staff.User) ([]Request, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM help_requests h JOIN stations st ON st.id = h.station_id
		WHERE h.acknowledged_at IS NULL AND h.cancelled_at IS NULL ORDER BY h.created_at LIMIT 200`)
	if err != nil {
		return nil, err
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Request, error) {
		req, err := scan(r)
		if err != nil {
			return Request{}, err
		}
		return *req, nil
	})
	if err != nil {
		return nil, fmt.Errorf("open help requests: %w", err)
	}
	all = slices.DeleteFunc(all, func(r Request) bool { return !Sees(u, r.WardCode, r.Level) })
	for i, r := range all {
		if r.Level < LevelCommandCentre {
			since := r.CreatedAt
			if r.EscalatedAt != nil {
				since = *r.EscalatedAt
			}
			at := since.Add(s.cfg.EscalateAfter)
			all[i].ClimbsAt = &at
		}
	}
	return all, nil
}

// Acknowledge records that u is going to the station; the kiosk tells the
// resident u's name.
func (s *Service) Acknowledge(ctx context.Context, u *staff.User, id string) (*Request, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if !Sees(u, r.WardCode, r.Level) {
			return errNotFound
		}
		var level int
		err = tx.QueryRow(ctx, `UPDATE help_requests h SET acknowledged_at = now(), acknowledged_by = u.id,
				acknowledged_name = coalesce(nullif(u.display_name, ''), u.username)
			FROM staff_users u WHERE u.id = $2 AND h.id = $1 AND h.acknowledged_at IS NULL AND h.cancelled_at IS NULL
			RETURNING h.level`, r.ID, u.ID).Scan(&level)
		if errors.Is(err, pgx.ErrNoRows) {
			return errClosed
		}
		if err != nil {
			return err
		}
		return notify(ctx, tx, event{ID: r.ID, Ward: r.WardCode, Level: level, Action: "acknowledged"})
	})
	if err != nil {
		return nil, err
	}
	return s.get(ctx, s.pool, id)
}

// Name is the name residents are told when u acknowledges a call.
func (s *Service) Name(ctx context.Context, u *staff.User) (string, error) {
	var name string
	if err := s.pool.QueryRow(ctx, `SELECT display_name FROM staff_users WHERE id = $1`, u.ID).Scan(&name); err != nil {
		return "", fmt.Errorf("display name: %w", err)
	}
	return name, nil
}

// SetName records the name residents are told when u acknowledges a call
// ("Anh/Chị Nam ở phường đã nhận…"): letters and spaces, at most 40.
func (s *Service) SetName(ctx context.Context, u *staff.User, name string) error {
	name = strings.Join(strings.Fields(vietnamese.NFC(name)), " ")
	if name == "" || utf8.RuneCountInString(name) > 40 || strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && r != ' ' }) {
		return apperr.New(apperr.Invalid, "display_name_invalid", "Tên gọi chỉ gồm chữ cái và dấu cách, tối đa 40 ký tự.")
	}
	_, err := s.pool.Exec(ctx, `UPDATE staff_users SET display_name = $2 WHERE id = $1`, u.ID, name)
	return err
}
