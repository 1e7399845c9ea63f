package kiosk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// What the fleet console shows of the stations is decided here: the words
// for services, peripherals and their states, and how bad a state is.

// FleetChannel is the PostgreSQL NOTIFY channel on which a station's event
// (up, down, a peripheral's fault or recovery) is announced, by a trigger
// on station_events, for the fleet console's live updates.
const FleetChannel = "kiosk_fleet"

var peripheralNames = map[string]string{
	"document_scanner": "Máy quét giấy tờ", "camera": "Camera", "receipt_printer": "Máy in biên nhận", "card_reader": "Đầu đọc thẻ",
	"barcode_reader": "Đầu đọc mã vạch", "nfc_reader": "Đầu đọc NFC", "blood_pressure_monitor": "Máy đo huyết áp", "scale": "Cân",
	"thermometer": "Nhiệt kế", "pulse_oximeter": "Máy đo SpO2", "ups": "Bộ lưu điện",
}

var deviceStates = map[string]string{
	"online": "hoạt động", "offline": "mất kết nối", "powerOff": "tắt nguồn", "noDevice": "không có",
	"hardwareError": "lỗi phần cứng", "userError": "lỗi thao tác", "deviceBusy": "đang bận",
}

var paperStates = map[string]string{"full": "đầy", "low": "sắp hết", "out": "hết", "jammed": "kẹt"}

// Label is the peripheral and its state in words: "Máy in biên nhận:
// hoạt động · giấy sắp hết".
func (p Peripheral) Label() string {
	name := peripheralNames[p.Class]
	if name == "" {
		name = p.ID
	}
	state := deviceStates[p.Status]
	if state == "" {
		state = p.Status
	}
	out := name + ": " + state
	if p.Paper != "" {
		out += " · giấy " + paperStates[p.Paper]
	}
	return out
}

// Level is how the console colours the peripheral: "red" for a fault
// (not online, paper out or jammed), "amber" for paper running low,
// "green" otherwise.
func (p Peripheral) Level() string {
	switch {
	case p.Status != "online" || slices.Contains([]string{"out", "jammed"}, p.Paper):
		return "red"
	case p.Paper == "low":
		return "amber"
	}
	return "green"
}

// FleetStation is a station as the fleet console shows it.
type FleetStation struct {
	Station
	// WardName is the ward's name, "" when no table names its code.
	WardName string
}

// Fleet lists every station with its ward's name, by ward and name.
func (s *Service) Fleet(ctx context.Context) ([]FleetStation, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+stationColumns+`, coalesce(ward_name(ward_code), '')
		FROM stations ORDER BY ward_code, name`)
	if err != nil {
		return nil, fmt.Errorf("fleet: %w", err)
	}
	defer rows.Close()
	var out []FleetStation
	for rows.Next() {
		var f FleetStation
		st := &f.Station
		if err := rows.Scan(&st.ID, &st.Name, &st.WardCode, &st.Address, &st.Latitude, &st.Longitude, &st.OpeningHours,
			&st.CreatedAt, &st.RevokedAt, &st.Online, &st.LastSeenAt, &st.AppVersion, &st.Uptime, &st.Network, &st.Peripherals,
			&f.WardName); err != nil {
			return nil, fmt.Errorf("fleet: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// HourBar is one hour of the day in the usage chart.
type HourBar struct {
	Hour  int
	Count int64
	// Height is the bar's height out of 100; X and Y place it in a chart
	// 240 wide and 100 high.
	Height, X, Y int
}

// Hours spreads the visits by hour over the 24 hours of the day.
func (u *Usage) Hours() []HourBar {
	out := make([]HourBar, 24)
	var most int64 = 1
	for i := range out {
		out[i].Hour = i
	}
	for _, c := range u.ByHour {
		var h int
		if _, err := fmt.Sscanf(c.Key, "%d", &h); err == nil && h >= 0 && h < 24 {
			out[h].Count = c.Count
			most = max(most, c.Count)
		}
	}
	for i := range out {
		out[i].Height = int(out[i].Count * 100 / most)
		out[i].X, out[i].Y = i*10, 100-out[i].Height
	}
	return out
}

// HoursText is the chart in words: "8 giờ: 3 lượt · 9 giờ: 1 lượt".
func (u *Usage) HoursText() string {
	var parts []string
	for _, h := range u.Hours() {
		if h.Count > 0 {
			parts = append(parts, fmt.Sprintf("%d giờ: %d lượt", h.Hour, h.Count))
		}
	}
	return strings.Join(parts, " · ")
}

// Services are the visits by service, each named in words.
func (u *Usage) Services() []Count {
	out := make([]Count, len(u.ByService))
	for i, c := range u.ByService {
		out[i] = Count{Key: u.names.Service(c.Key), Count: c.Count}
	}
	return out
}

// Abandoned are the steps where visits were given up, most first, each
// named in words.
func (u *Usage) Abandoned() []Count {
	out := make([]Count, len(u.AbandonedAt))
	for i, c := range u.AbandonedAt {
		out[i] = Count{Key: StepName(c.Key), Count: c.Count}
	}
	return out
}

// MedianVisit is the median visit's length in words.
func (u *Usage) MedianVisit() string { return seconds(u.MedianSessionSeconds) }

// Text says what became of the calls for a person in words: "3 lần gọi
// cán bộ: 2 có người nhận (chờ trung vị 40 giây, lâu nhất 1 phút 5 giây),
// 1 phải báo trực ban".
func (h HelpUsage) Text() string {
	if h.Requests == 0 {
		return "Chưa có lần gọi cán bộ nào."
	}
	out := fmt.Sprintf("%d lần gọi cán bộ: %d có người nhận", h.Requests, h.Acknowledged)
	if h.Acknowledged > 0 {
		out += fmt.Sprintf(" (chờ trung vị %s, lâu nhất %s)", seconds(h.MedianWaitSeconds), seconds(h.MaxWaitSeconds))
	}
	for _, part := range []struct {
		n     int64
		words string
	}{{h.Escalated, "phải báo lên trên"}, {h.Cancelled, "người dân tự hủy"}, {h.Waiting, "đang chờ"}} {
		if part.n > 0 {
			out += fmt.Sprintf(", %d %s", part.n, part.words)
		}
	}
	return out + "."
}

// seconds is a length of time in words: "40 giây", "2 phút 5 giây".
func seconds(s float64) string {
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%d giây", int(d.Seconds()))
	}
	return fmt.Sprintf("%d phút %d giây", int(d.Minutes()), int(d.Seconds())%60)
}
