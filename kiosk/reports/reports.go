// Package reports takes residents' security and public-order reports (a
// theft, a fight, smoke in the basement) with photos, video and where it
// happened, routes each one in the transaction that stores it to the ward
// police of that place, the departments the rules name and the city command
// centre, and carries the duty officers' workflow, live feed, statistics and
// an Open311 GeoReport v2 face.
//
// It sits beside kiosk/ rather than inside it because reports arrive from
// every channel (kiosk, app, web, Open311 clients) and are handled by police
// officers, not by the kiosk: the kiosk is one of its callers, and reaches a
// station's ward through the small Stations interface.
package reports

import (
	"context"
	"slices"
	"time"

	"github.com/citizenstation/citizenstation/internal/audit"
)

// Status is where a report stands in the duty officers' workflow.
type Status string

// The workflow: received → acknowledged → verifying → dispatched →
// resolved | unfounded | transferred. A transferred report waits for the
// ward or department it went to to acknowledge it.
const (
	Received     Status = "received"
	Acknowledged Status = "acknowledged"
	Verifying    Status = "verifying"
	Dispatched   Status = "dispatched"
	Resolved     Status = "resolved"
	Unfounded    Status = "unfounded"
	Transferred  Status = "transferred"
)

// next lists the steps allowed from each status.
var next = map[Status][]Status{
	Received:     {Acknowledged, Transferred},
	Acknowledged: {Verifying, Unfounded, Transferred},
	Verifying:    {Dispatched, Unfounded, Transferred},
	Dispatched:   {Resolved, Unfounded, Transferred},
	Transferred:  {Acknowledged},
	Resolved:     nil,
	Unfounded:    nil,
}

// CanMove reports whether the workflow allows the step from → to.
func CanMove(from, to Status) bool { return slices.Contains(next[from], to) }

// Closed reports whether s ends the report's handling.
func (s Status) Closed() bool { return s == Resolved || s == Unfounded }

// Label is the status as residents and officers read it.
func (s Status) Label() string {
	switch s {
	case Received:
		return "Đã tiếp nhận"
	case Acknowledged:
		return "Cán bộ trực ban đã nhận xử lý"
	case Verifying:
		return "Đang xác minh"
	case Dispatched:
		return "Đã điều lực lượng đến hiện trường"
	case Resolved:
		return "Đã xử lý xong"
	case Unfounded:
		return "Đã xác minh, không có căn cứ"
	case Transferred:
		return "Đã chuyển đơn vị có thẩm quyền"
	}
	return string(s)
}

// Channel is how a report arrived.
type Channel string

// The channels.
const (
	Kiosk Channel = "kiosk"
	App   Channel = "app"
	Web   Channel = "web"
)

// Submission is a report as a resident sends it.
type Submission struct {
	Category    string
	Description string
	OccurredAt  *time.Time
	Injury      bool
	InProgress  bool
	Lat, Lng    *float64
	Address     string
	StationID   string
	Contact     string // phone or e-mail; empty for an anonymous report
	DeviceID    string
	// ClientIP is the sender's address, for the rate limit of reports that
	// come from no kiosk.
	ClientIP string
	Channel  Channel
	// UsePhotoLocation allows the location in a photo's EXIF to stand in
	// when no other location is given.
	UsePhotoLocation bool
	Files            []Upload
}

// Upload is one file as received.
type Upload struct {
	Name string
	Data []byte
}

// Receipt is the answer to the reporter.
type Receipt struct {
	ID        string     `json:"id"`
	Code      string     `json:"code"`
	Status    Status     `json:"status"`
	RoutedTo  []Target   `json:"routed_to"`
	Emergency *Emergency `json:"emergency,omitempty"`
	// DuplicateOf is set when an earlier report seems to be the same incident.
	DuplicateOf string `json:"-"`
}

// Target is one recipient of a report.
type Target struct {
	Kind string `json:"kind"` // ward, department, command_centre
	Code string `json:"code"`
}

// The kinds of Target.
const (
	ToWard          = "ward"
	ToDepartment    = "department"
	ToCommandCentre = "command_centre"
)

// Tracking is what the reporter may see: the status, never officers' notes.
type Tracking struct {
	Code      string    `json:"code"`
	Status    Status    `json:"status"`
	Label     string    `json:"status_label"`
	Category  string    `json:"category"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Report is a report as duty officers see it.
type Report struct {
	ID             string     `json:"id"`
	Code           string     `json:"code"`
	Category       string     `json:"category"`
	Urgency        Urgency    `json:"urgency"`
	Injury         bool       `json:"injury"`
	InProgress     bool       `json:"in_progress"`
	Description    string     `json:"description"`
	OccurredAt     *time.Time `json:"occurred_at,omitempty"`
	Lat            *float64   `json:"lat,omitempty"`
	Lng            *float64   `json:"lng,omitempty"`
	LocationSource string     `json:"location_source"`
	Address        string     `json:"address"`
	StationID      string     `json:"station_id,omitempty"`
	WardCode       string     `json:"ward_code,omitempty"`
	WardSource     string     `json:"ward_source"`
	Channel        Channel    `json:"channel"`
	Contact        string     `json:"contact,omitempty"`
	Status         Status     `json:"status"`
	DuplicateOf    string     `json:"duplicate_of,omitempty"`
	Spam           bool       `json:"spam"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	AcknowledgeDue time.Time  `json:"acknowledge_due"`
	ResolveDue     time.Time  `json:"resolve_due"`
	CloseReason    string     `json:"close_reason,omitempty"`
	Overdue        bool       `json:"overdue"`
	RoutedTo       []Target   `json:"routed_to"`
	Media          []Media    `json:"media,omitempty"`
	Events         []Event    `json:"events,omitempty"`
}

// Media describes one stored photo or video.
type Media struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
	DurationMS  *int   `json:"duration_ms,omitempty"`
}

// Event is one step of a report's handling.
type Event struct {
	Action     string    `json:"action"`
	From       Status    `json:"from,omitempty"`
	To         Status    `json:"to,omitempty"`
	Note       string    `json:"note,omitempty"`
	TargetKind string    `json:"target_kind,omitempty"`
	TargetCode string    `json:"target_code,omitempty"`
	ActorID    string    `json:"actor_id"`
	ActorName  string    `json:"actor_name"`
	At         time.Time `json:"at"`
}

// Officer is the signed-in person handling reports: a duty officer sees the
// reports of their wards; the command centre sees every ward.
type Officer struct {
	ID            string
	Name          string
	CommandCentre bool
	Wards         []string
	// Actor is who the officer is for the audit log, with their address.
	Actor audit.Actor
}

// Sees reports whether o may see a report of ward (ward is "" when the
// report could not be placed in any ward; only the command centre sees it).
func (o Officer) Sees(ward string) bool {
	return o.CommandCentre || (ward != "" && slices.Contains(o.Wards, ward))
}

// Station is a kiosk's place: its ward and, when known, its position.
type Station struct {
	ID       string
	WardCode string
	Lat, Lng *float64
}

// Stations finds the station a kiosk report was sent from. The kiosk
// package owns stations; this is all reports needs of them.
type Stations interface {
	Station(ctx context.Context, id string) (Station, error)
}
