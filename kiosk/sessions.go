package kiosk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// Session is a resident's visit at a station. It holds no personal data:
// only the services used, the last step reached and how the visit ended.
type Session struct {
	ID             string     `json:"id"`
	StationID      string     `json:"station_id"`
	StartedAt      time.Time  `json:"started_at"`
	LastActivityAt time.Time  `json:"last_activity_at"`
	EndedAt        *time.Time `json:"ended_at,omitempty"`
	EndReason      string     `json:"end_reason,omitempty"`
	Services       []string   `json:"services"`
	Outcomes       []string   `json:"outcomes"`
	Step           string     `json:"step"`
	AbandonedStep  *string    `json:"abandoned_step,omitempty"`
	IdleSeconds    int        `json:"idle_seconds"`
}

// Outcomes a visit can record; a visit with none ended abandoned.
const (
	OutcomeDossierFiled = "dossier_filed"
	OutcomePaymentMade  = "payment_made"
	OutcomeReportSent   = "report_sent"
	OutcomeAbandoned    = "abandoned"
)

// Reasons a visit ends.
const (
	EndFinish   = "finish"   // the resident pressed "Kết thúc"
	EndIdle     = "idle"     // nobody touched the screen for Config.Idle
	EndReplaced = "replaced" // the station started a new visit
)

var (
	errSessionNotFound = apperr.New(apperr.NotFound, "kiosk_session_not_found", "Không tìm thấy phiên làm việc.")
	errSessionEnded    = apperr.New(apperr.Conflict, "kiosk_session_ended", "Phiên làm việc đã kết thúc. Vui lòng bắt đầu lại.")
)

// StartSession opens a visit at a station. A visit still open there ends
// first, wiped like any other: a station serves one resident at a time.
func (s *Service) StartSession(ctx context.Context, stationID string) (*Session, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM kiosk_sessions WHERE station_id = $1 AND ended_at IS NULL`, stationID)
	if err != nil {
		return nil, err
	}
	open, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, id := range open {
		if _, err := s.EndSession(ctx, id, EndReplaced); err != nil && !errors.Is(err, errSessionEnded) {
			return nil, err
		}
	}
	var id string
	if err := s.pool.QueryRow(ctx, `INSERT INTO kiosk_sessions (station_id) VALUES ($1) RETURNING id`, stationID).Scan(&id); err != nil {
		return nil, fmt.Errorf("start kiosk session: %w", err)
	}
	return s.Session(ctx, stationID, id)
}

// Session returns a visit of the station.
func (s *Service) Session(ctx context.Context, stationID, id string) (*Session, error) {
	var k Session
	err := s.pool.QueryRow(ctx, `SELECT id, station_id, started_at, last_activity_at, ended_at, coalesce(end_reason, ''),
			services, outcomes, step, abandoned_step
		FROM kiosk_sessions WHERE id = $1 AND station_id = $2`, id, stationID).Scan(
		&k.ID, &k.StationID, &k.StartedAt, &k.LastActivityAt, &k.EndedAt, &k.EndReason,
		&k.Services, &k.Outcomes, &k.Step, &k.AbandonedStep)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errSessionNotFound
	}
	if err != nil {
		return nil, err
	}
	k.IdleSeconds = int(s.cfg.Idle / time.Second)
	return &k, nil
}

// Activity is what the kiosk reports as the resident moves on: any touch
// keeps the visit alive; a service or step names where the resident is.
type Activity struct {
	Service string `json:"service"`
	Step    string `json:"step"`
	Outcome string `json:"outcome"`
	// BirthYear is the year on a card the resident scanned; only its age
	// band is kept (AgeBand).
	BirthYear int `json:"birth_year,omitempty"`
	// WithHelper: someone came along to help the resident.
	WithHelper bool `json:"with_helper,omitempty"`
}

func (a Activity) validate() error {
	for _, v := range []string{a.Service, a.Step} {
		if v != "" && !identifier.MatchString(v) {
			return apperr.Errorf(apperr.Invalid, "activity_name_invalid", "Tên dịch vụ hoặc bước %q không hợp lệ (chữ thường, số, dấu gạch).", v)
		}
	}
	if a.Outcome != "" && !slices.Contains([]string{OutcomeDossierFiled, OutcomePaymentMade, OutcomeReportSent}, a.Outcome) {
		return apperr.Errorf(apperr.Invalid, "outcome_invalid", "Kết quả %q không hợp lệ.", a.Outcome)
	}
	if a.BirthYear != 0 && AgeBand(a.BirthYear, time.Now()) == "" {
		return apperr.New(apperr.Invalid, "birth_year_invalid", "Năm sinh không hợp lệ.")
	}
	return nil
}

// Touch records activity in an open visit of the station.
func (s *Service) Touch(ctx context.Context, stationID, id string, a Activity) (*Session, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE kiosk_sessions SET last_activity_at = now(),
			services = CASE WHEN $3 = '' OR $3 = ANY (services) THEN services ELSE services || $3 END,
			step = CASE WHEN $4 = '' THEN step ELSE $4 END,
			outcomes = CASE WHEN $5 = '' OR $5 = ANY (outcomes) THEN outcomes ELSE outcomes || $5 END,
			age_band = coalesce(nullif($6, ''), age_band),
			with_helper = with_helper OR $7
		WHERE id = $1 AND station_id = $2 AND ended_at IS NULL`, id, stationID, a.Service, a.Step, a.Outcome,
		ageBandOf(a.BirthYear), a.WithHelper)
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 0 {
		if _, err := s.Session(ctx, stationID, id); err != nil {
			return nil, err
		}
		return nil, errSessionEnded
	}
	return s.Session(ctx, stationID, id)
}

// ageBandOf is the band of a birth year sent with an activity, "" for none.
func ageBandOf(birthYear int) string {
	if birthYear == 0 {
		return ""
	}
	return AgeBand(birthYear, time.Now())
}

// RecordOutcome adds an outcome to a visit inside another part's
// transaction (a payment made, a dossier filed), whether or not the visit
// is still open.
func RecordOutcome(ctx context.Context, tx pgx.Tx, kioskSessionID, outcome string) error {
	_, err := tx.Exec(ctx, `UPDATE kiosk_sessions SET
			outcomes = CASE WHEN $2 = ANY (outcomes) THEN outcomes ELSE outcomes || $2 END,
			abandoned_step = NULL
		WHERE id = $1`, kioskSessionID, outcome)
	return err
}

// Finish ends a visit at the resident's request.
func (s *Service) Finish(ctx context.Context, stationID, id string) (*Session, error) {
	if _, err := s.Session(ctx, stationID, id); err != nil {
		return nil, err
	}
	if _, err := s.EndSession(ctx, id, EndFinish); err != nil {
		return nil, err
	}
	return s.Session(ctx, stationID, id)
}

// EndSession ends an open visit and erases what it left: in one
// transaction the session is closed and every Eraser deletes its rows; the
// files they name are removed after the commit. It returns the files
// removed.
func (s *Service) EndSession(ctx context.Context, id, reason string) ([]string, error) {
	var files []string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE kiosk_sessions SET ended_at = now(), end_reason = $2,
				abandoned_step = CASE WHEN cardinality(outcomes) = 0 THEN coalesce(nullif(step, ''), 'start') END
			WHERE id = $1 AND ended_at IS NULL
				AND ($2 <> 'idle' OR last_activity_at < now() - make_interval(secs => $3))`, id, reason, s.cfg.Idle.Seconds())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errSessionEnded
		}
		for _, e := range s.erasers {
			f, err := e.EraseKioskSession(ctx, tx, id)
			if err != nil {
				return fmt.Errorf("erase kiosk session %s: %w", id, err)
			}
			files = append(files, f...)
		}
		return nil
	})
	if err != nil {
		files = nil
		return nil, err
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			// The rows are gone; a file left behind is logged for the operator.
			s.log.Error("kiosk session file not removed", "kiosk_session_id", id, "err", err)
		}
	}
	return files, nil
}

// SweepIdle ends every visit idle for longer than Config.Idle and returns
// how many it ended. Replicas may sweep at once: each visit ends once.
func (s *Service) SweepIdle(ctx context.Context) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM kiosk_sessions
		WHERE ended_at IS NULL AND last_activity_at < now() - make_interval(secs => $1)
		ORDER BY last_activity_at LIMIT 500`, s.cfg.Idle.Seconds())
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		switch _, err := s.EndSession(ctx, id, EndIdle); {
		case err == nil:
			n++
		case errors.Is(err, errSessionEnded):
		default:
			return n, err
		}
	}
	return n, nil
}

var errVisitInvalid = apperr.New(apperr.Invalid, "kiosk_session_invalid", "Phiên làm việc không thuộc trạm này.")

// Querier is what CheckOpenSession reads through: a pool or a transaction.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CheckOpenSession is for the parts that tie what they create to a visit
// (a payment, a scan): it fails unless id is an open visit of the station.
func CheckOpenSession(ctx context.Context, db Querier, stationID, id string) error {
	var open bool
	err := db.QueryRow(ctx, `SELECT ended_at IS NULL FROM kiosk_sessions WHERE id = $1 AND station_id::text = $2`, id, stationID).Scan(&open)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return errVisitInvalid
	case err != nil:
		return err
	case !open:
		return errSessionEnded
	}
	return nil
}
