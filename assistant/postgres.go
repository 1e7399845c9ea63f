package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/seal"
)

// Store keeps sessions, their fields and their turns in PostgreSQL. What a
// resident said and gave (the guide's state, field values, turns' inputs
// and replies, photos) is sealed at rest, bound to its session and place
// (sealing.go).
type Store struct {
	pool *pgxpool.Pool
	seal *seal.Sealer
}

// NewStore returns a store on pool sealing with sealer, which must be set.
func NewStore(pool *pgxpool.Pool, sealer *seal.Sealer) *Store {
	if sealer == nil {
		panic("assistant: NewStore without a sealer")
	}
	return &Store{pool: pool, seal: sealer}
}

var errSessionNotFound = apperr.New(apperr.NotFound, "session_not_found", "Không tìm thấy phiên trò chuyện này, hoặc phiên đã hết hạn. Xin bắt đầu lại.")

// Create stores a new session and its first turn (the welcome).
func (s *Store) Create(ctx context.Context, sess *Session, first Turn) error {
	// The id is made here: the sealed state is bound to it.
	id := uuid.NewString()
	state, err := s.sealState(id, &sess.State)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO assistant_sessions (id, station_id, kiosk_session_id, stage, state_sealed, prompt_version, expires_at)
			VALUES ($7, NULLIF($1, ''), NULLIF($2, ''), $3, $4, $5, $6)
			RETURNING id, created_at, updated_at`,
			sess.StationID, sess.KioskSessionID, sess.Stage, state, sess.PromptVersion, sess.ExpiresAt, id,
		).Scan(&sess.ID, &sess.CreatedAt, &sess.UpdatedAt)
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return s.insertTurn(ctx, tx, sess.ID, 1, first)
	})
}

// StationOf returns the station a session that has not expired was opened
// at ("" for an evaluator's session), for the check that a caller touches
// only its own station's sessions.
func (s *Store) StationOf(ctx context.Context, id string, now time.Time) (string, error) {
	if !validID(id) {
		return "", errSessionNotFound
	}
	var station *string
	err := s.pool.QueryRow(ctx, `SELECT station_id FROM assistant_sessions WHERE id = $1 AND expires_at > $2`, id, now).Scan(&station)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", errSessionNotFound
	}
	if err != nil {
		return "", fmt.Errorf("session's station: %w", err)
	}
	return deref(station), nil
}

// Get loads a session that has not expired.
func (s *Store) Get(ctx context.Context, id string, now time.Time) (*Session, error) {
	if !validID(id) {
		return nil, errSessionNotFound
	}
	sess := &Session{Fields: map[string]Value{}}
	var (
		state          []byte
		slug, name     *string
		station, kiosk *string
		dossier        *string
		saved          bool
	)
	var fields []byte
	err := s.pool.QueryRow(ctx, `
		SELECT id, station_id, kiosk_session_id, stage, procedure_slug, procedure_name, state_sealed, prompt_version,
		       dossier_id, slip_code_hash IS NOT NULL, version, created_at, updated_at, expires_at,
		       (SELECT coalesce(json_object_agg(name, json_build_object('sealed', translate(encode(value_sealed, 'base64'), E'\n', ''),
		                        'provenance', provenance, 'confidence', confidence, 'confirmed', confirmed)), '{}')
		        FROM assistant_fields WHERE session_id = s.id)
		FROM assistant_sessions s WHERE id = $1 AND expires_at > $2`, id, now,
	).Scan(&sess.ID, &station, &kiosk, &sess.Stage, &slug, &name, &state, &sess.PromptVersion,
		&dossier, &saved, &sess.version, &sess.CreatedAt, &sess.UpdatedAt, &sess.ExpiresAt, &fields)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errSessionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	sess.StationID, sess.KioskSessionID, sess.DossierID, sess.Saved = deref(station), deref(kiosk), deref(dossier), saved
	if slug != nil {
		sess.Procedure = &ProcedureRef{Slug: *slug, Name: deref(name)}
	}
	if err := s.openState(sess.ID, state, &sess.State); err != nil {
		return nil, err
	}
	if sess.Fields, err = s.openFields(sess.ID, fields); err != nil {
		return nil, err
	}
	return sess, nil
}

// SaveTurn stores the session's new state, its fields and the turn, in one
// transaction. A session changed meanwhile by another request is a
// conflict: the resident pressed twice; nothing is half-written.
func (s *Store) SaveTurn(ctx context.Context, sess *Session, t Turn) error {
	state, err := s.sealState(sess.ID, &sess.State)
	if err != nil {
		return err
	}
	var slug, name *string
	if sess.Procedure != nil {
		slug, name = &sess.Procedure.Slug, &sess.Procedure.Name
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var seq int
		err := tx.QueryRow(ctx, `
			UPDATE assistant_sessions
			SET stage = $3, procedure_slug = $4, procedure_name = $5, state_sealed = $6, prompt_version = $7,
			    dossier_id = NULLIF($8, ''), expires_at = $9, updated_at = now(), version = version + 1
			WHERE id = $1 AND version = $2
			RETURNING version, updated_at, (SELECT coalesce(max(seq), 0) + 1 FROM assistant_turns WHERE session_id = $1)`,
			sess.ID, sess.version, sess.Stage, slug, name, state, sess.PromptVersion, sess.DossierID, sess.ExpiresAt,
		).Scan(&sess.version, &sess.UpdatedAt, &seq)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.Conflict, "session_busy", "Tin nhắn trước của Bác đang được xử lý. Xin chờ một chút rồi thử lại.")
		}
		if err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		if err := s.saveFields(ctx, tx, sess); err != nil {
			return err
		}
		if err := s.insertTurn(ctx, tx, sess.ID, seq, t); err != nil {
			return err
		}
		if t.Status == StatusHandoff {
			return notifyHandoff(ctx, tx, sess, t)
		}
		return nil
	})
}

// saveFields replaces the session's fields with sess.Fields in two
// statements, whatever their number.
func (s *Store) saveFields(ctx context.Context, tx pgx.Tx, sess *Session) error {
	var (
		names, provs []string
		values       [][]byte
		confs        []float64
		confirmed    []bool
	)
	for name, v := range sess.Fields {
		names, provs = append(names, name), append(provs, string(v.Provenance))
		values = append(values, s.seal.Seal(v.Value, fieldContext(sess.ID, name)))
		confs, confirmed = append(confs, v.Confidence), append(confirmed, v.Confirmed)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM assistant_fields WHERE session_id = $1`, sess.ID); err != nil {
		return fmt.Errorf("save fields: %w", err)
	}
	if len(names) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO assistant_fields (session_id, name, value_sealed, provenance, confidence, confirmed)
		SELECT $1, * FROM unnest($2::text[], $3::bytea[], $4::text[], $5::float8[], $6::bool[])`,
		sess.ID, names, values, provs, confs, confirmed)
	if err != nil {
		return fmt.Errorf("save fields: %w", err)
	}
	return nil
}

// HandoffChannel is the PostgreSQL channel on which the assistant
// announces that a resident asked for a person (or is in danger), for the
// staff console and the station to LISTEN on. The payload holds no
// personal data.
const HandoffChannel = "assistant_handoff"

// Handoff is the payload of a notification on HandoffChannel.
type Handoff struct {
	SessionID      string `json:"session_id"`
	StationID      string `json:"station_id,omitempty"`
	KioskSessionID string `json:"kiosk_session_id,omitempty"`
	// Urgent is set for emergencies and crises: the resident was given
	// 113/114/115 and needs someone now.
	Urgent bool `json:"urgent"`
}

func notifyHandoff(ctx context.Context, tx pgx.Tx, sess *Session, t Turn) error {
	payload, err := json.Marshal(Handoff{SessionID: sess.ID, StationID: sess.StationID, KioskSessionID: sess.KioskSessionID, Urgent: t.Route == RouteGuarded})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, HandoffChannel, string(payload)); err != nil {
		return fmt.Errorf("notify handoff: %w", err)
	}
	return nil
}

func (s *Store) insertTurn(ctx context.Context, tx pgx.Tx, id string, seq int, t Turn) error {
	steps, err := json.Marshal(t.Steps)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO assistant_turns (session_id, seq, input_kind, input_sealed, reply_sealed, status, stage, route, steps, model, prompt_version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULLIF($10, ''), $11)`,
		id, seq, t.InputKind, s.seal.Seal(t.Input, turnContext(id, strconv.Itoa(seq), "input")), s.seal.Seal(t.Reply, turnContext(id, strconv.Itoa(seq), "reply")),
		t.Status, t.Stage, t.Route, steps, t.Model, t.PromptVersion)
	if err != nil {
		return fmt.Errorf("save turn: %w", err)
	}
	return nil
}

// Turns returns a session's turns in order.
func (s *Store) Turns(ctx context.Context, id string) ([]Turn, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT session_id::text, seq, input_kind, input_sealed, reply_sealed, status, stage, route, steps, coalesce(model, ''), prompt_version, created_at
		FROM assistant_turns WHERE session_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("turns: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Turn, error) {
		var (
			t             Turn
			sid           string
			steps         []byte
			input, answer []byte
		)
		err := row.Scan(&sid, &t.Seq, &t.InputKind, &input, &answer, &t.Status, &t.Stage, &t.Route, &steps, &t.Model, &t.PromptVersion, &t.CreatedAt)
		if err == nil {
			err = json.Unmarshal(steps, &t.Steps)
		}
		if err == nil {
			t.Input, t.Reply, err = s.openTurn(sid, t.Seq, input, answer)
		}
		return t, err
	})
}

// recentInputs returns the resident's last n text inputs (masked), oldest
// first, for the model's view of the conversation. Errors give none: the
// history only helps.
func (s *Store) recentInputs(ctx context.Context, id string, n int) []string {
	rows, err := s.pool.Query(ctx, `
		SELECT session_id::text, seq, input_sealed FROM (SELECT session_id, seq, input_sealed FROM assistant_turns
		WHERE session_id = $1 AND input_kind = 'text' ORDER BY seq DESC LIMIT $2) t ORDER BY seq`, id, n)
	if err != nil {
		return nil
	}
	out, _ := pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		var (
			sid    string
			seq    int
			sealed []byte
		)
		if err := row.Scan(&sid, &seq, &sealed); err != nil {
			return "", err
		}
		return s.seal.Open(sealed, turnContext(sid, strconv.Itoa(seq), "input"))
	})
	return out
}

// SaveSlip marks a session as saved with a slip until expires.
func (s *Store) SaveSlip(ctx context.Context, id string, codeHash, secretHash []byte, expires time.Time) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE assistant_sessions SET slip_code_hash = $2, slip_secret_hash = $3, slip_failures = 0, expires_at = $4, updated_at = now()
		WHERE id = $1`, id, codeHash, secretHash, expires)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return apperr.Wrap(err, apperr.Conflict, "slip_code_taken", "Xin thử lại.")
	}
	if err != nil {
		return fmt.Errorf("save slip: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return errSessionNotFound
	}
	return nil
}

// FindSlip returns the session id and secret hash of a slip code that has
// not expired nor been voided by wrong attempts.
func (s *Store) FindSlip(ctx context.Context, codeHash []byte, now time.Time) (id string, secretHash []byte, err error) {
	err = s.pool.QueryRow(ctx, `
		SELECT id, slip_secret_hash FROM assistant_sessions
		WHERE slip_code_hash = $1 AND expires_at > $2 AND slip_failures < $3`, codeHash, now, slipMaxFailures,
	).Scan(&id, &secretHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, errSessionNotFound
	}
	return id, secretHash, err
}

// EraseKioskSession deletes, in tx, the sessions of a kiosk visit that
// ended unsubmitted, with their fields and turns. Sessions the resident
// saved with a slip stay until the slip expires (they asked to come back),
// and sessions whose draft became a dossier belong to the dossier now. It
// implements the kiosk package's Eraser; the assistant keeps no files.
func (s *Store) EraseKioskSession(ctx context.Context, tx pgx.Tx, kioskSessionID string) ([]string, error) {
	// Photos for a report never sent go even from a session kept by a slip.
	_, err := tx.Exec(ctx, `
		DELETE FROM assistant_photos
		WHERE session_id IN (SELECT id FROM assistant_sessions WHERE kiosk_session_id = $1)`, kioskSessionID)
	if err != nil {
		return nil, fmt.Errorf("erase assistant photos: %w", err)
	}
	rows, err := tx.Query(ctx, `
		DELETE FROM assistant_sessions
		WHERE kiosk_session_id = $1 AND slip_code_hash IS NULL AND dossier_id IS NULL
		RETURNING id::text, stage, coalesce(station_id, ''), state_sealed`, kioskSessionID)
	if err != nil {
		return nil, fmt.Errorf("erase assistant sessions: %w", err)
	}
	if err := s.keepAbandoned(ctx, tx, rows); err != nil {
		return nil, fmt.Errorf("erase assistant sessions: %w", err)
	}
	return nil, nil
}

// keepAbandoned records, through tx, the openings of the sessions just
// deleted (rows of id, stage, station and state) that were left at the list
// of candidates: misses for staff to look at, masked.
func (s *Store) keepAbandoned(ctx context.Context, tx pgx.Tx, rows pgx.Rows) error {
	type gone struct {
		station string
		state   State
	}
	var left []gone
	for rows.Next() {
		var id string
		var stage Stage
		var g gone
		var sealed []byte
		if err := rows.Scan(&id, &stage, &g.station, &sealed); err != nil {
			rows.Close()
			return err
		}
		if stage != StageConfirm {
			continue
		}
		if err := s.openState(id, sealed, &g.state); err == nil && g.state.Opening != "" {
			left = append(left, g)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range left {
		if err := s.addMiss(ctx, tx, MissAbandoned, g.state.Opening, g.station, g.state.Candidates); err != nil {
			return err
		}
	}
	return nil
}

// Purge deletes up to limit expired sessions with their fields and turns.
// The service calls it as sessions start, so personal data does not
// outlive its session on any replica without a separate job.
func (s *Store) Purge(ctx context.Context, now time.Time, limit int) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			DELETE FROM assistant_sessions WHERE id IN (
				SELECT id FROM assistant_sessions WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
			RETURNING id::text, stage, coalesce(station_id, ''), state_sealed`, now, limit)
		if err != nil {
			return err
		}
		err = s.keepAbandoned(ctx, tx, rows)
		n = rows.CommandTag().RowsAffected()
		return err
	})
	return n, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// validID checks a session id's shape before it reaches SQL, so a
// malformed id is "not found" rather than a database error.
func validID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, r := range id {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
				return false
			}
		}
	}
	return true
}

// slipMaxFailures wrong last-four-digit attempts void a slip: someone who
// found it has a one in a thousand chance, and the resident asks staff.
const slipMaxFailures = 10

// SlipFailed counts a wrong attempt on the slip of session id.
func (s *Store) SlipFailed(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `UPDATE assistant_sessions SET slip_failures = slip_failures + 1 WHERE id = $1`, id)
	return err
}

// MoveTo records the station and visit where a saved session was resumed.
func (s *Store) MoveTo(ctx context.Context, id, stationID, kioskSessionID string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE assistant_sessions
		SET station_id = coalesce(NULLIF($2, ''), station_id), kiosk_session_id = coalesce(NULLIF($3, ''), kiosk_session_id),
		    updated_at = now(), version = version + 1
		WHERE id = $1`, id, stationID, kioskSessionID)
	return err
}
