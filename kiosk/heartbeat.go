package kiosk

import (
	"context"
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

// Beat records a heartbeat: the station is online and its state is what it
// says. A station coming back and a peripheral's change of condition are
// events, written in the same transaction.
func (s *Service) Beat(ctx context.Context, stationID string, h Heartbeat) (*HeartbeatReply, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	if h.Peripherals == nil {
		h.Peripherals = []Peripheral{}
	}
	reply := &HeartbeatReply{IntervalSeconds: int(s.cfg.HeartbeatInterval / time.Second), IdleSeconds: int(s.cfg.Idle / time.Second)}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// A heartbeat is telemetry that the next one repeats: its commit
		// need not wait for the disk. A crash loses at most the last
		// moment's beats, state and events together, and the next beat
		// finds the same changes again.
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit TO OFF`); err != nil {
			return err
		}
		var (
			wasOnline bool
			before    []Peripheral
		)
		err := tx.QueryRow(ctx, `
			UPDATE stations s SET online = true, last_seen_at = now(), app_version = $2,
				uptime_seconds = $3, network = $4, peripherals = $5
			FROM (SELECT id, online, peripherals FROM stations WHERE id = $1 AND revoked_at IS NULL FOR UPDATE) old
			WHERE s.id = old.id
			RETURNING old.online, old.peripherals, now()`,
			stationID, h.AppVersion, h.UptimeSeconds, h.Network, h.Peripherals).Scan(&wasOnline, &before, &reply.ServerTime)
		if err == pgx.ErrNoRows {
			return errBadToken
		}
		if err != nil {
			return err
		}
		if !wasOnline {
			if err := addEvent(ctx, tx, stationID, EventUp, "", map[string]any{"app_version": h.AppVersion}); err != nil {
				return err
			}
		}
		changed := peripheralEvents(before, h.Peripherals)
		for _, p := range h.Peripherals {
			kind, ok := changed[p.ID]
			if !ok {
				continue
			}
			detail := map[string]any{"class": p.Class, "status": p.Status}
			if p.Paper != "" {
				detail["paper"] = p.Paper
			}
			if p.ErrorCode != "" {
				detail["error_code"] = p.ErrorCode
			}
			if err := addEvent(ctx, tx, stationID, kind, p.ID, detail); err != nil {
				return err
			}
		}
		return nil
	})
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
