package help

import (
	"github.com/citizenstation/citizenstation/kiosk"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// The words a console shows of a call: where the resident is and why they
// called. Where is the visit's last step and service as the kiosk and the
// guide recorded them (kiosk.StepWords, kiosk.ServiceWords), else the
// screen the kiosk sent. A step without words is never shown as it is.

// unknownStep is said of a step without words.
const unknownStep = "Chưa rõ người dân đang ở bước nào"

// stepText says where the resident was when they called: the step and its
// service in words, either alone when only it is known, or a plain
// sentence.
func stepText(step, service string) string {
	words, ok := kiosk.StepWords(step)
	switch {
	case ok && service != "":
		return "Đang ở: " + words + " (" + service + ")"
	case ok:
		return "Đang ở: " + words
	case service != "":
		return "Đang dùng: " + service
	}
	return unknownStep
}

// reasons are the reasons a resident may give (a code, or none), in words.
var reasons = map[string]string{
	"cannot_find": "Không tìm được việc cần làm",
	"form_help":   "Cần giúp khai tờ khai",
	"scanner":     "Máy quét giấy tờ gặp sự cố",
	"printer":     "Máy in gặp sự cố",
	"payment":     "Vướng khi trả tiền",
	"emergency":   "Việc khẩn cấp",
	"other":       "Việc khác",
}

// StepText says in words where the resident was when they called.
func (r Request) StepText() string {
	service := ""
	if r.Service != "" {
		service = kiosk.ServiceWords(r.Service, r.ServiceEntry)
	}
	return stepText(r.Step, service)
}

// ReasonText is the reason the resident gave, in words; "" when none.
func (r Request) ReasonText() string { return reasons[r.Reason] }

// LevelText says how far a call nobody took has climbed; "" at the start.
func (r Request) LevelText() string {
	switch r.Level {
	case LevelDutyOfficer:
		return "Chưa ai nhận · đã báo trực ban"
	case LevelCommandCentre:
		return "Chưa ai nhận · đã chuyển trung tâm chỉ huy"
	}
	return ""
}

// ClimbText says when a call nobody takes climbs next; "" at the top.
func (r Request) ClimbText() string {
	if r.ClimbsAt == nil {
		return ""
	}
	to := "trực ban"
	if r.Level == LevelDutyOfficer {
		to = "trung tâm chỉ huy"
	}
	return "Nếu chưa ai nhận, chuyển " + to + " lúc " + r.ClimbsAt.In(vietnamese.Zone).Format("15:04")
}

// Place is the station and where it stands, with its ward.
func (r Request) Place() string {
	out := r.StationName
	if r.StationAddress != "" {
		out += " (" + r.StationAddress + ")"
	}
	return out + " · " + vietnamese.WardLabel(r.WardCode, r.WardName)
}
