package stats

import "github.com/citizenstation/citizenstation/kiosk"

// The words staff and the city read for the figures' keys other than
// services and steps (kiosk.Names, kiosk.StepName); a key without one is
// shown as it is.
var labels = map[string]string{
	// beneficiary groups
	kiosk.AgeUnder18: "Dưới 18 tuổi",
	kiosk.Age18to29:  "18–29 tuổi",
	kiosk.Age30to44:  "30–44 tuổi",
	kiosk.Age45to59:  "45–59 tuổi",
	kiosk.Age60to74:  "60–74 tuổi (cao tuổi)",
	kiosk.Age75Plus:  "Từ 75 tuổi (cao tuổi)",
	kiosk.Anonymous:  "Không quét giấy tờ (ẩn danh)",
	"with_helper":    "Có người giúp",
	"alone":          "Tự sử dụng",
	// payments
	"fee":  "Lệ phí hồ sơ",
	"bill": "Hóa đơn dịch vụ",
}

// Label is the Vietnamese words for a key.
func Label(key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

// Weekdays are the days of the week, Monday first (ISO), as Vietnamese
// write them.
var Weekdays = []string{"Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"}

// WeekdayShort are the same, short, for a chart's axis.
var WeekdayShort = []string{"T2", "T3", "T4", "T5", "T6", "T7", "CN"}

// Label is the kind's Vietnamese words.
func (p Payments) Label() string { return Label(p.Kind) }
