package kiosk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/tokens"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Station is a registered kiosk and its last known state.
type Station struct {
	ID string `json:"id"`
	NewStation
	CreatedAt   time.Time    `json:"created_at"`
	RevokedAt   *time.Time   `json:"revoked_at,omitempty"`
	Online      bool         `json:"online"`
	LastSeenAt  *time.Time   `json:"last_seen_at"`
	AppVersion  string       `json:"app_version"`
	Uptime      int64        `json:"uptime_seconds"`
	Network     Network      `json:"network"`
	Peripherals []Peripheral `json:"peripherals"`
}

// NewStation is what an admin registers: the station's name, where it
// stands and when it is open. Every Station carries it.
type NewStation struct {
	Name         string   `json:"name"`
	WardCode     string   `json:"ward_code"`
	Address      string   `json:"address"`
	Latitude     *float64 `json:"latitude"`
	Longitude    *float64 `json:"longitude"`
	OpeningHours string   `json:"opening_hours"`
}

func (n *NewStation) normalize() error {
	n.Name = strings.TrimSpace(vietnamese.NFC(n.Name))
	n.WardCode = strings.TrimSpace(n.WardCode)
	n.Address = strings.TrimSpace(vietnamese.NFC(n.Address))
	n.OpeningHours = strings.TrimSpace(vietnamese.NFC(n.OpeningHours))
	switch {
	case n.Name == "" || len(n.Name) > 200:
		return apperr.New(apperr.Invalid, "station_name_invalid", "Tên trạm phải có và không quá 200 ký tự.")
	case n.WardCode == "" || len(n.WardCode) > 32:
		return apperr.New(apperr.Invalid, "ward_code_invalid", "Mã phường/xã của trạm phải có.")
	case len(n.Address) > 500 || len(n.OpeningHours) > 500:
		return apperr.New(apperr.Invalid, "station_text_too_long", "Địa chỉ hoặc giờ mở cửa quá dài.")
	case (n.Latitude == nil) != (n.Longitude == nil):
		return apperr.New(apperr.Invalid, "coordinates_incomplete", "Cần cả vĩ độ và kinh độ, hoặc bỏ trống cả hai.")
	case n.Latitude != nil && (*n.Latitude < -90 || *n.Latitude > 90 || *n.Longitude < -180 || *n.Longitude > 180):
		return apperr.New(apperr.Invalid, "coordinates_invalid", "Tọa độ không hợp lệ.")
	}
	return nil
}

// Device is the station a request authenticated as.
type Device struct {
	StationID string
	Name      string
	WardCode  string
}

// newToken returns a device token and the hash stored for it: a bearer
// token with a prefix that says what it is.
func newToken() (token string, hash []byte) {
	token = "cst_" + tokens.New()
	return token, tokens.Hash(token)
}

var errStationNotFound = apperr.New(apperr.NotFound, "station_not_found", "Không tìm thấy trạm.")

// AddStation registers a station and returns it with its device token,
// which is shown this once and stored only as a hash.
func (s *Service) AddStation(ctx context.Context, by audit.Actor, n NewStation) (*Station, string, error) {
	if err := n.normalize(); err != nil {
		return nil, "", err
	}
	token, hash := newToken()
	var id string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `
			INSERT INTO stations (name, ward_code, address, latitude, longitude, opening_hours, token_hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			n.Name, n.WardCode, n.Address, n.Latitude, n.Longitude, n.OpeningHours, hash).Scan(&id); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, "registered", "", nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "station.add", SubjectKind: "station", SubjectID: id,
			Ward: n.WardCode, Details: map[string]any{"name": n.Name}})
	})
	if err != nil {
		return nil, "", fmt.Errorf("add station: %w", database.UnknownWard(err))
	}
	st, err := s.Station(ctx, id)
	return st, token, err
}

const stationColumns = `id, name, ward_code, address, latitude, longitude, opening_hours, created_at,
	revoked_at, online, last_seen_at, app_version, uptime_seconds, network, peripherals`

func scanStation(row pgx.Row) (*Station, error) {
	var st Station
	err := row.Scan(&st.ID, &st.Name, &st.WardCode, &st.Address, &st.Latitude, &st.Longitude, &st.OpeningHours,
		&st.CreatedAt, &st.RevokedAt, &st.Online, &st.LastSeenAt, &st.AppVersion, &st.Uptime, &st.Network, &st.Peripherals)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errStationNotFound
	}
	return &st, err
}

// Station returns one station.
func (s *Service) Station(ctx context.Context, id string) (*Station, error) {
	if !database.IsUUID(id) {
		return nil, errStationNotFound
	}
	return scanStation(s.pool.QueryRow(ctx, `SELECT `+stationColumns+` FROM stations WHERE id = $1`, id))
}

// Stations lists the stations, of one ward when ward is not empty.
func (s *Service) Stations(ctx context.Context, ward string) ([]Station, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+stationColumns+` FROM stations
		WHERE $1 = '' OR ward_code = $1 ORDER BY ward_code, name`, ward)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []Station{}
	for rows.Next() {
		st, err := scanStation(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *st)
	}
	return list, rows.Err()
}

// RotateToken gives a station a new device token; the old one stops working
// at once.
func (s *Service) RotateToken(ctx context.Context, by audit.Actor, id string) (string, error) {
	token, hash := newToken()
	err := s.change(ctx, by, id, "token_rotated", "station.rotate_token",
		`UPDATE stations SET token_hash = $2, token_rotated_at = now() WHERE id = $1 AND revoked_at IS NULL`, hash)
	if err != nil {
		return "", err
	}
	return token, nil
}

// Revoke stops a station's token for good; the station goes offline.
func (s *Service) Revoke(ctx context.Context, by audit.Actor, id string) error {
	return s.change(ctx, by, id, "revoked", "station.revoke",
		`UPDATE stations SET revoked_at = now(), online = false WHERE id = $1 AND revoked_at IS NULL`)
}

// change runs an admin's update of a station that is not revoked ($1 is the
// station's id) and records it as an event and in the audit log, in one
// transaction.
func (s *Service) change(ctx context.Context, by audit.Actor, id, event, action, update string, args ...any) error {
	if !database.IsUUID(id) {
		return errStationNotFound
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, update, append([]any{id}, args...)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return s.revokedOrMissing(ctx, tx, id)
		}
		if err := addEvent(ctx, tx, id, event, "", nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: action, SubjectKind: "station", SubjectID: id})
	})
}

func (s *Service) revokedOrMissing(ctx context.Context, tx pgx.Tx, id string) error {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stations WHERE id = $1)`, id).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return errStationNotFound
	}
	return apperr.New(apperr.Conflict, "station_revoked", "Trạm đã bị thu hồi quyền truy cập.")
}

// Authenticate returns the station a device token belongs to. Wrong,
// rotated-out and revoked tokens all get the same answer.
func (s *Service) Authenticate(ctx context.Context, token string) (*Device, error) {
	if !strings.HasPrefix(token, "cst_") || len(token) > 100 {
		return nil, httpserver.ErrNotStation
	}
	var d Device
	err := s.pool.QueryRow(ctx, `SELECT id, name, ward_code FROM stations
		WHERE token_hash = $1 AND revoked_at IS NULL`, tokens.Hash(token)).Scan(&d.StationID, &d.Name, &d.WardCode)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, httpserver.ErrNotStation
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Event is something that happened to a station.
type Event struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	Kind       string         `json:"kind"`
	Peripheral string         `json:"peripheral,omitempty"`
	Detail     map[string]any `json:"detail,omitempty"`
}

// Event kinds.
const (
	EventUp                  = "up"
	EventDown                = "down"
	EventPeripheralFault     = "peripheral_fault"
	EventPeripheralWarning   = "peripheral_warning"
	EventPeripheralRecovered = "peripheral_recovered"
)

func addEvent(ctx context.Context, tx pgx.Tx, stationID, kind, peripheral string, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO station_events (station_id, kind, peripheral, detail) VALUES ($1, $2, $3, $4)`,
		stationID, kind, peripheral, detail)
	return err
}

// Events lists a station's events, newest first.
func (s *Service) Events(ctx context.Context, stationID string, limit int) ([]Event, error) {
	if _, err := s.Station(ctx, stationID); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := s.pool.Query(ctx, `SELECT id, at, kind, peripheral, detail FROM station_events
		WHERE station_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, stationID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		err := r.Scan(&e.ID, &e.At, &e.Kind, &e.Peripheral, &e.Detail)
		return e, err
	})
}
