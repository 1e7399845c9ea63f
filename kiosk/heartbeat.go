package kiosk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
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

// condition sorts a peripheral's state into ok, warning (paper low) and
// fault (not online, or paper out or jammed).
func (p Peripheral) condition() string {
	switch {
	case p.Status != "online" || p.Paper == "out" || p.Paper == "jammed":
		return "fault"
	case p.Paper == "low":
		return "warning"
	}
	return "ok"
}

// peripheralEvents compares a station's peripherals before and after a
// heartbeat and returns the event kind for each one whose condition moved.
func peripheralEvents(before, after []Peripheral) map[string]string {
	old := map[string]Peripheral{}
	for _, p := range before {
		old[p.ID] = p
	}
	events := map[string]string{}
	for _, p := range after {
		o, known := old[p.ID]
		if !known {
			o = Peripheral{Status: "online"}
		}
		if o.Status == p.Status && o.Paper == p.Paper {
			continue
		}
		switch c := p.condition(); {
		case c == "fault":
			events[p.ID] = EventPeripheralFault
		case c == "warning":
			events[p.ID] = EventPeripheralWarning
		case o.condition() != "ok":
			events[p.ID] = EventPeripheralRecovered
		}
	}
	return events
}

// HeartbeatReply tells the station what the server expects of it.
type HeartbeatReply struct {
	ServerTime      time.Time `json:"server_time"`
	IntervalSeconds int       `json:"interval_seconds"`
	IdleSeconds     int       `json:"idle_seconds"`
}

// Beat records the heartbeat of the station whose device token is token:
// the station is online and its state is what it says. A station coming
// back and a peripheral's change of condition are events, written by the
// same statement. A beat costs two statements: one reads the station by its
// token, one writes the new state and the events, on the condition that
// nothing changed in between (otherwise it reads again).
func (s *Service) Beat(ctx context.Context, token string, h Heartbeat) (*HeartbeatReply, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	if h.Peripherals == nil {
		h.Peripherals = []Peripheral{}
	}
	reply := &HeartbeatReply{IntervalSeconds: int(s.cfg.HeartbeatInterval / time.Second), IdleSeconds: int(s.cfg.Idle / time.Second)}
	for range 5 {
		var (
			id        string
			wasOnline bool
			before    []Peripheral
			seq       int64
		)
		err := s.pool.QueryRow(ctx, `SELECT id, online, peripherals, beat_seq FROM stations
			WHERE token_hash = $1 AND revoked_at IS NULL`, hashToken(token)).Scan(&id, &wasOnline, &before, &seq)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, errBadToken
		}
		if err != nil {
			return nil, fmt.Errorf("heartbeat: %w", err)
		}
		events := []newEvent{}
		if !wasOnline {
			events = append(events, newEvent{Kind: EventUp, Detail: map[string]any{"app_version": h.AppVersion}})
		}
		changed := peripheralEvents(before, h.Peripherals)
		for _, p := range h.Peripherals {
			if kind, ok := changed[p.ID]; ok {
				events = append(events, newEvent{Kind: kind, Peripheral: p.ID, Detail: p.detail()})
			}
		}
		// A heartbeat is telemetry that the next one repeats, so its commit
		// does not wait for the disk (set_config is local to this
		// statement's transaction). A crash loses at most the last moment's
		// beats, state and events together, and the next beat finds the
		// same changes again.
		err = s.pool.QueryRow(ctx, `
			WITH durability AS (SELECT set_config('synchronous_commit', 'off', true)),
			beat AS (
				UPDATE stations SET online = true, last_seen_at = now(), app_version = $3, uptime_seconds = $4,
					network = $5, peripherals = $6, beat_seq = beat_seq + 1
				WHERE id = $1 AND beat_seq = $2 AND revoked_at IS NULL AND EXISTS (SELECT FROM durability)
				RETURNING id
			),
			logged AS (
				INSERT INTO station_events (station_id, kind, peripheral, detail)
				SELECT beat.id, e.kind, e.peripheral, e.detail
				FROM beat, jsonb_to_recordset($7::jsonb) AS e(kind text, peripheral text, detail jsonb)
			)
			SELECT now() FROM beat`,
			id, seq, h.AppVersion, h.UptimeSeconds, h.Network, h.Peripherals, events).Scan(&reply.ServerTime)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // the station changed since we read it: read again
		}
		if err != nil {
			return nil, fmt.Errorf("heartbeat: %w", err)
		}
		return reply, nil
	}
	return nil, apperr.New(apperr.Unavailable, "heartbeat_busy", "Máy chủ đang bận, trạm sẽ gửi lại trạng thái sau.")
}

// newEvent is an event a heartbeat writes.
type newEvent struct {
	Kind       string         `json:"kind"`
	Peripheral string         `json:"peripheral"`
	Detail     map[string]any `json:"detail"`
}

func (p Peripheral) detail() map[string]any {
	d := map[string]any{"class": p.Class, "status": p.Status}
	if p.Paper != "" {
		d["paper"] = p.Paper
	}
	if p.ErrorCode != "" {
		d["error_code"] = p.ErrorCode
	}
	return d
}

// SweepOffline marks stations silent for longer than OfflineAfter as
// offline, each with a down event, in one statement; it returns how many.
func (s *Service) SweepOffline(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		WITH down AS (
			UPDATE stations SET online = false, beat_seq = beat_seq + 1
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
