package kiosk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/tokens"
)

// Heartbeat is what a station sends every interval.
type Heartbeat struct {
	AppVersion    string       `json:"app_version"`
	UptimeSeconds int64        `json:"uptime_seconds"`
	Network       Network      `json:"network"`
	Peripherals   []Peripheral `json:"peripherals"`
}

// Network describes the station's connection.
type Network struct {
	Type      string `json:"type"` // ethernet, wifi, cellular, other
	IP        string `json:"ip,omitempty"`
	SignalDBm *int   `json:"signal_dbm,omitempty"`
	LatencyMS *int   `json:"latency_ms,omitempty"`
}

// Peripheral is one device of the station, its state named as XFS4IoT's
// Common.Status.device and, for printers, the paper supply as
// Printer.Status.paper.
type Peripheral struct {
	ID        string `json:"id"`
	Class     string `json:"class"`
	Status    string `json:"status"`
	Paper     string `json:"paper,omitempty"`
	Model     string `json:"model,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
}

// XFS4IoT vocabulary.
var (
	DeviceStatuses    = []string{"online", "offline", "powerOff", "noDevice", "hardwareError", "userError", "deviceBusy"}
	PaperStates       = []string{"full", "low", "out", "jammed"}
	PeripheralClasses = []string{"document_scanner", "camera", "receipt_printer", "card_reader",
		"barcode_reader", "nfc_reader", "blood_pressure_monitor", "scale", "thermometer", "pulse_oximeter", "ups"}
	NetworkTypes = []string{"ethernet", "wifi", "cellular", "other"}
)

func (h *Heartbeat) validate() error {
	if len(h.AppVersion) > 64 || h.UptimeSeconds < 0 || len(h.Peripherals) > 32 {
		return apperr.New(apperr.Invalid, "heartbeat_invalid", "Bản tin trạng thái không hợp lệ.")
	}
	if h.Network.Type == "" {
		h.Network.Type = "other"
	}
	if !slices.Contains(NetworkTypes, h.Network.Type) || len(h.Network.IP) > 45 {
		return apperr.Errorf(apperr.Invalid, "network_invalid", "Loại mạng %q không hợp lệ.", h.Network.Type)
	}
	seen := map[string]bool{}
	for _, p := range h.Peripherals {
		switch {
		case !identifier.MatchString(p.ID) || seen[p.ID]:
			return apperr.Errorf(apperr.Invalid, "peripheral_id_invalid", "Mã thiết bị ngoại vi %q không hợp lệ hoặc bị trùng.", p.ID)
		case !slices.Contains(PeripheralClasses, p.Class):
			return apperr.Errorf(apperr.Invalid, "peripheral_class_invalid", "Loại thiết bị ngoại vi %q không hợp lệ.", p.Class)
		case !slices.Contains(DeviceStatuses, p.Status):
			return apperr.Errorf(apperr.Invalid, "peripheral_status_invalid", "Trạng thái %q của thiết bị %s không hợp lệ.", p.Status, p.ID)
		case p.Paper != "" && !slices.Contains(PaperStates, p.Paper):
			return apperr.Errorf(apperr.Invalid, "paper_state_invalid", "Trạng thái giấy %q của thiết bị %s không hợp lệ.", p.Paper, p.ID)
		case len(p.Model) > 100 || len(p.ErrorCode) > 64:
			return apperr.New(apperr.Invalid, "heartbeat_invalid", "Bản tin trạng thái không hợp lệ.")
		}
		seen[p.ID] = true
	}
	return nil
}

// HeartbeatReply tells the station what the server expects of it.
type HeartbeatReply struct {
	ServerTime      time.Time `json:"server_time"`
	IntervalSeconds int       `json:"interval_seconds"`
	IdleSeconds     int       `json:"idle_seconds"`
}

// Beat records the heartbeat of the station whose device token is token:
// the station is online and its state is what it says. A station coming
// back is an `up` event; a peripheral whose status or paper changed is an
// event by its new condition: `peripheral_fault` when it is not online or
// its paper is out or jammed, `peripheral_warning` when its paper is low,
// `peripheral_recovered` when it is fine again after either. (A peripheral
// reported for the first time is compared with one online and full.)
//
// The whole beat is one statement, so a station costs one round trip to
// PostgreSQL: it finds and locks the station by its token hash, writes the
// new state, and writes the events it derives from the state it replaces.
func (s *Service) Beat(ctx context.Context, token string, h Heartbeat) (*HeartbeatReply, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	if h.Peripherals == nil {
		h.Peripherals = []Peripheral{}
	}
	reply := &HeartbeatReply{IntervalSeconds: int(s.cfg.HeartbeatInterval / time.Second), IdleSeconds: int(s.cfg.Idle / time.Second)}
	// A heartbeat is telemetry that the next one repeats, so its commit
	// does not wait for the disk (set_config is local to this statement's
	// transaction). A crash loses at most the last moment's beats, state and
	// events together, and the next beat finds the same changes again.
	err := s.pool.QueryRow(ctx, `
		WITH durability AS (SELECT set_config('synchronous_commit', 'off', true)),
		old AS (
			SELECT id, online, peripherals FROM stations
			WHERE token_hash = $1 AND revoked_at IS NULL AND EXISTS (SELECT FROM durability)
			FOR UPDATE
		),
		beat AS (
			UPDATE stations s SET online = true, last_seen_at = now(), app_version = $2, uptime_seconds = $3,
				network = $4, peripherals = $5
			FROM old WHERE s.id = old.id
			RETURNING s.id, old.online AS was_online, old.peripherals AS before
		),
		compared AS (
			SELECT beat.id, p.id AS peripheral, p.class, p.status, coalesce(p.paper, '') AS paper, p.error_code,
				coalesce(o.status, 'online') AS old_status, coalesce(o.paper, '') AS old_paper
			FROM beat
			CROSS JOIN jsonb_to_recordset($5::jsonb) AS p(id text, class text, status text, paper text, error_code text)
			LEFT JOIN jsonb_to_recordset(beat.before) AS o(id text, status text, paper text) ON o.id = p.id
		),
		changed AS (
			SELECT *,
				CASE WHEN status <> 'online' OR paper IN ('out', 'jammed') THEN 'fault'
					WHEN paper = 'low' THEN 'warning' ELSE 'ok' END AS condition,
				CASE WHEN old_status <> 'online' OR old_paper IN ('out', 'jammed') THEN 'fault'
					WHEN old_paper = 'low' THEN 'warning' ELSE 'ok' END AS old_condition
			FROM compared WHERE (status, paper) IS DISTINCT FROM (old_status, old_paper)
		),
		logged AS (
			INSERT INTO station_events (station_id, kind, peripheral, detail)
			SELECT id, 'up', '', jsonb_build_object('app_version', $2::text) FROM beat WHERE NOT was_online
			UNION ALL
			SELECT id, CASE condition WHEN 'fault' THEN 'peripheral_fault' WHEN 'warning' THEN 'peripheral_warning'
					ELSE 'peripheral_recovered' END,
				peripheral, jsonb_strip_nulls(jsonb_build_object('class', class, 'status', status,
					'paper', nullif(paper, ''), 'error_code', nullif(error_code, '')))
			FROM changed WHERE condition <> 'ok' OR old_condition <> 'ok'
		)
		SELECT now() FROM beat`,
		tokens.Hash(token), h.AppVersion, h.UptimeSeconds, h.Network, h.Peripherals).Scan(&reply.ServerTime)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, httpserver.ErrNotStation
	}
	if err != nil {
		return nil, fmt.Errorf("heartbeat: %w", err)
	}
	return reply, nil
}

// SweepOffline marks stations silent for longer than OfflineAfter as
// offline, each with a down event, in one statement; it returns how many.
func (s *Service) SweepOffline(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		WITH down AS (
			UPDATE stations SET online = false
			WHERE online AND last_seen_at < now() - make_interval(secs => $1)
			RETURNING id, last_seen_at
		)
		INSERT INTO station_events (station_id, kind, detail)
		SELECT id, 'down', jsonb_build_object('last_seen_at', last_seen_at) FROM down`,
		s.cfg.OfflineAfter.Seconds())
	if err != nil {
		return 0, fmt.Errorf("offline sweep: %w", err)
	}
	return tag.RowsAffected(), nil
}
