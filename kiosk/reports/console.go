package reports

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
)

// What the duty console shows of a report is decided here, not in the page:
// the words for its category and status, whether it is an emergency,
// whether its acknowledgement deadline has passed, and the steps the
// officer may take next, with the reasons a closing step must give.

// CloseReason is why an officer closes a report, chosen from a list so
// that closings can be counted and compared.
type CloseReason struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// CloseReasons are the reasons an officer chooses from for each closing
// status.
var CloseReasons = map[Status][]CloseReason{
	Resolved: {
		{"handled_on_site", "Đã xử lý tại chỗ"},
		{"suspect_held", "Đã bắt giữ, bàn giao đối tượng"},
		{"settled", "Các bên đã hòa giải"},
		{"to_investigators", "Đã chuyển cơ quan điều tra"},
	},
	Unfounded: {
		{"nothing_found", "Đến nơi không phát hiện sự việc"},
		{"false_report", "Tin báo không đúng sự thật"},
		{"duplicate", "Trùng với phản ánh khác"},
		{"unverifiable", "Không liên hệ được người báo, không đủ căn cứ"},
	},
}

// checkCloseReason: a closing step names one of its status's reasons; any
// other step names none.
func checkCloseReason(to Status, reason string) error {
	reasons, closing := CloseReasons[to]
	switch {
	case !closing && reason != "":
		return apperr.New(apperr.Invalid, "reason_not_closing", "Chỉ khi đóng phản ánh mới chọn lý do.")
	case closing && !slices.ContainsFunc(reasons, func(r CloseReason) bool { return r.Code == reason }):
		return apperr.New(apperr.Invalid, "close_reason_required", "Xin chọn lý do đóng phản ánh trong danh sách.")
	}
	return nil
}

// CloseReasonLabel is the words of a closing reason's code.
func CloseReasonLabel(code string) string {
	for _, list := range CloseReasons {
		for _, r := range list {
			if r.Code == code {
				return r.Label
			}
		}
	}
	return code
}

// officerLabels are the statuses as the duty console shows them.
var officerLabels = map[Status]string{
	Received: "Mới nhận", Acknowledged: "Đã tiếp nhận", Verifying: "Đang xác minh", Dispatched: "Đã điều lực lượng",
	Resolved: "Đã giải quyết", Unfounded: "Không có cơ sở", Transferred: "Đã chuyển đơn vị khác",
}

// OfficerLabel is the status as the duty console shows it (Label is the
// resident's wording).
func (s Status) OfficerLabel() string {
	if l, ok := officerLabels[s]; ok {
		return l
	}
	return string(s)
}

// Step is a move the duty console offers on a report.
type Step struct {
	To    Status
	Label string
	// Style is "primary", "secondary" or "danger".
	Style string
	// Reasons, for a closing step, are the reasons to choose from.
	Reasons []CloseReason
}

// steps are the console's moves from each status. Transfers need a
// receiving unit and are made through the API.
var steps = map[Status][]Step{
	Received:     {{To: Acknowledged, Label: "Tiếp nhận", Style: "primary"}},
	Transferred:  {{To: Acknowledged, Label: "Tiếp nhận", Style: "primary"}},
	Acknowledged: {{To: Verifying, Label: "Xác minh", Style: "primary"}, closing(Unfounded, "Không có cơ sở")},
	Verifying:    {{To: Dispatched, Label: "Điều lực lượng", Style: "primary"}, closing(Unfounded, "Không có cơ sở")},
	Dispatched:   {closing(Resolved, "Đã giải quyết"), closing(Unfounded, "Không có cơ sở")},
}

func closing(to Status, label string) Step {
	style := "primary"
	if to == Unfounded {
		style = "secondary"
	}
	return Step{To: to, Label: label, Style: style, Reasons: CloseReasons[to]}
}

// Card is a report as the duty console shows it.
type Card struct {
	Report
	CategoryName string
	WardName     string
	StationName  string
	// Mapped: the ward's outline was imported and the place is known, so
	// the card shows a map of it.
	Mapped bool
	// Emergency: someone is hurt, the incident is critical, or its category
	// always calls an emergency number.
	Emergency bool
	// Late: the acknowledgement deadline has passed unacknowledged, or the
	// report is past its time to close.
	Late   bool
	Photos []Media
	Videos []Media
	Steps  []Step
	// Error is what went wrong with the officer's last step on this card.
	Error string
}

// cardsBatch bounds the reports of one console render.
const cardsBatch = 200

// Cards are the open reports officer o handles, as cards, emergencies first
// and then oldest first. Showing a reporter's phone is reading personal
// data: the render is recorded in the audit log for each report with one.
func (s *Service) Cards(ctx context.Context, o Officer, now time.Time) ([]Card, error) {
	list, err := s.List(ctx, o, Filter{Open: true, Limit: cardsBatch})
	if err != nil {
		return nil, err
	}
	cards, err := s.cards(ctx, o, list, now)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(cards, func(a, b Card) int {
		if a.Emergency != b.Emergency {
			if a.Emergency {
				return -1
			}
			return 1
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	return cards, nil
}

// Card is one report as a card, for the console's answer to a step.
func (s *Service) Card(ctx context.Context, o Officer, id string, now time.Time) (*Card, error) {
	r, err := s.get(ctx, s.pool, id, false)
	if err != nil {
		return nil, err
	}
	if !o.Sees(r.WardCode) {
		return nil, errNotYours
	}
	cards, err := s.cards(ctx, o, []Report{*r}, now)
	if err != nil {
		return nil, err
	}
	return &cards[0], nil
}

// cards fills in what the reports' rows do not say: names of the ward and
// station, the photos and videos, and the officer's steps.
func (s *Service) cards(ctx context.Context, o Officer, list []Report, now time.Time) ([]Card, error) {
	out := make([]Card, len(list))
	byID := make(map[string]*Card, len(list))
	ids := make([]string, len(list))
	for i, r := range list {
		out[i] = s.card(r, now)
		byID[r.ID], ids[i] = &out[i], r.ID
	}
	if len(list) == 0 {
		return out, nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT r.id::text, coalesce(ward_name(r.ward_code), ''), w.code IS NOT NULL, coalesce(st.name, '')
		FROM reports r LEFT JOIN wards w ON w.code = r.ward_code
		LEFT JOIN stations st ON st.id::text = r.station_id
		WHERE r.id = ANY($1::uuid[])`, ids).Query(func(rows pgx.Rows) error {
		var id, ward, station string
		var mapped bool
		_, err := pgx.ForEachRow(rows, []any{&id, &ward, &mapped, &station}, func() error {
			byID[id].WardName, byID[id].StationName = ward, station
			byID[id].Mapped = mapped && byID[id].Lat != nil
			return nil
		})
		return err
	})
	b.Queue(`SELECT report_id::text, id, kind, content_type, size, sha256, duration_ms FROM report_media
		WHERE report_id = ANY($1::uuid[]) ORDER BY report_id, position`, ids).Query(func(rows pgx.Rows) error {
		var id string
		var m Media
		_, err := pgx.ForEachRow(rows, []any{&id, &m.ID, &m.Kind, &m.ContentType, &m.Size, &m.SHA256, &m.DurationMS}, func() error {
			c := byID[id]
			if m.Kind == "video" {
				c.Videos = append(c.Videos, m)
			} else {
				c.Photos = append(c.Photos, m)
			}
			return nil
		})
		return err
	})
	if err := s.auditContacts(b, o, list); err != nil {
		return nil, err
	}
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("report cards: %w", err)
	}
	return out, nil
}

// card is what the report's own row decides.
func (s *Service) card(r Report, now time.Time) Card {
	c := Card{Report: r, CategoryName: r.Category, Steps: steps[r.Status]}
	cat := s.rules.byCode[r.Category]
	if cat != nil {
		c.CategoryName = cat.Name
	}
	c.Emergency = r.Urgency == Critical || r.Injury || (cat != nil && len(cat.Emergency) > 0)
	c.Late = r.Overdue || (r.AcknowledgedAt == nil && !r.Status.Closed() && now.After(r.AcknowledgeDue))
	return c
}

// auditContacts queues the audit entries of the reporters' phones shown.
func (s *Service) auditContacts(b *pgx.Batch, o Officer, list []Report) error {
	if o.ID == "" {
		return nil
	}
	for _, r := range list {
		if r.Contact == "" {
			continue
		}
		e := audit.Entry{Actor: o.Actor, Action: "report.read", SubjectKind: "report", SubjectID: r.ID, Ward: r.WardCode,
			Details: map[string]any{"via": "duty_console"}}
		if err := audit.Queue(b, e); err != nil {
			return err
		}
	}
	return nil
}

// NextChange is when the first of cards turns late, so the console can
// refresh then; zero when none will.
func NextChange(cards []Card, now time.Time) time.Time {
	var next time.Time
	for _, c := range cards {
		due := c.ResolveDue
		if c.AcknowledgedAt == nil && c.AcknowledgeDue.Before(due) {
			due = c.AcknowledgeDue
		}
		if c.Late || !due.After(now) {
			continue
		}
		if next.IsZero() || due.Before(next) {
			next = due
		}
	}
	return next
}

// Place is where the report happened, in words.
func (c Card) Place() string {
	var parts []string
	if c.Address != "" {
		parts = append(parts, c.Address)
	}
	if c.WardName != "" && !strings.Contains(c.Address, c.WardName) {
		parts = append(parts, c.WardName)
	}
	if len(parts) == 0 {
		return "Chưa rõ địa điểm"
	}
	return strings.Join(parts, ", ")
}

// LocationNote says where the position came from.
func (c Card) LocationNote() string {
	switch c.LocationSource {
	case "gps":
		return "định vị của người báo"
	case "exif":
		return "vị trí trong ảnh"
	case "station":
		return "vị trí của trạm"
	case "address":
		return "theo địa chỉ"
	}
	return ""
}
