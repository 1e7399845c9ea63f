package help

import (
	"strings"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// The words a console shows of a call: where the resident is and why they
// called. A step is what the kiosk sent: a screen of the kiosk page (the
// data-screen names of internal/web's kiosk.tmpl, "f-review"), a service
// ("bills") or a service's flow step ("bills:pay", "procedures.collect",
// the assistant's stages). A step without words is never shown as it is.

// services are the kiosk's services; a screen's name starts with the
// service's letter.
var services = map[string]string{
	"procedures": "thủ tục hành chính",
	"tracking":   "tra cứu hồ sơ",
	"bills":      "thanh toán hóa đơn",
	"reports":    "phản ánh an ninh, trật tự",
	"health":     "y tế",
	"partners":   "dịch vụ đối tác",
	"tourism":    "thông tin du lịch",
}

var serviceOfScreen = map[string]string{
	"f": "procedures", "t": "tracking", "b": "bills", "r": "reports", "h": "health", "p": "partners", "v": "tourism",
}

// screens are the kiosk page's screens, as the resident sees them.
var screens = map[string]string{
	"home":           "màn hình chính",
	"f-ask":          "tìm thủ tục",
	"f-chat":         "trò chuyện với trợ lý",
	"f-scan":         "quét căn cước",
	"f-scan-confirm": "xem thông tin đọc từ giấy tờ",
	"f-review":       "kiểm tra tờ khai",
	"f-pay":          "nộp lệ phí",
	"f-receipt":      "nhận biên nhận",
	"t-code":         "nhập mã tra cứu",
	"t-last4":        "nhập 4 số cuối căn cước",
	"t-result":       "xem tình trạng hồ sơ",
	"b-cat":          "chọn loại hóa đơn",
	"b-code":         "nhập mã khách hàng",
	"b-list":         "chọn hóa đơn cần trả",
	"b-pay":          "quét mã để trả tiền",
	"b-done":         "đã trả xong",
	"r-cat":          "chọn việc cần báo",
	"r-urgent":       "cho biết việc có khẩn cấp không",
	"r-where":        "chọn nơi xảy ra",
	"r-desc":         "kể lại việc xảy ra",
	"r-photo":        "gửi ảnh",
	"r-confirm":      "gửi phản ánh",
	"r-done":         "đã gửi phản ánh",
	"h-menu":         "chọn dịch vụ y tế",
	"h-emergency":    "gọi cấp cứu",
	"p-menu":         "chọn dịch vụ đối tác",
	"v-places":       "xem địa điểm du lịch",
}

// anyService are the screens every service may show: the home screen and
// the assistant's conversation, which several tiles enter.
var anyService = map[string]bool{"home": true, "f-chat": true}

// stages are the steps of the assistant's flows (assistant.Stage).
var stages = map[string]string{
	"identify": "tìm thủ tục",
	"confirm":  "xác nhận thủ tục",
	"explain":  "nghe hướng dẫn",
	"collect":  "khai thông tin",
	"review":   "kiểm tra tờ khai",
	"done":     "đã nộp",
	"handoff":  "cần gặp cán bộ",
	"bills":    "chọn hóa đơn",
	"pay":      "trả tiền",
}

// unknownStep is said of a step without words.
const unknownStep = "Chưa rõ người dân đang ở bước nào"

// stepText says where the resident was when they called: the step and its
// service in words, the service alone when only it is known, or a plain
// sentence.
func stepText(step string) string {
	if words, ok := screens[step]; ok {
		if svc, ok := services[serviceOfScreen[step[:1]]]; ok && !anyService[step] {
			return "Đang ở bước: " + words + " (" + svc + ")"
		}
		return "Đang ở: " + words
	}
	svc, rest, _ := strings.Cut(strings.ReplaceAll(step, ".", ":"), ":")
	if letter, _, ok := strings.Cut(step, "-"); ok && len(letter) == 1 {
		svc, rest = serviceOfScreen[letter], ""
	}
	words, ok := services[svc]
	switch {
	case !ok:
		return unknownStep
	case stages[rest] != "":
		return "Đang ở bước: " + stages[rest] + " (" + words + ")"
	}
	return "Đang dùng dịch vụ " + words
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
func (r Request) StepText() string { return stepText(r.Step) }

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
