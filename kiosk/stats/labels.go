package stats

import "github.com/citizenstation/citizenstation/kiosk"

// The words staff and the city read for the figures' keys; a key without
// one is shown as it is.
var labels = map[string]string{
	// services of the kiosk screen
	"procedures": "Thủ tục hành chính",
	"tracking":   "Tra cứu hồ sơ",
	"bills":      "Thanh toán hóa đơn",
	"reports":    "Phản ánh an ninh, trật tự",
	"health":     "Y tế",
	"partners":   "Dịch vụ đối tác",
	"tourism":    "Thông tin du lịch",
	"home":       "Màn hình chính",
	NoService:    "Chỉ xem, không dùng dịch vụ",
	// the partner services a visit is handed over to
	"health.insurance-purchase":      "Mua bảo hiểm y tế",
	"health.telemedicine":            "Khám bệnh từ xa",
	"social.insurance-lookup":        "Tra cứu bảo hiểm xã hội",
	"finance.bank-account":           "Mở tài khoản ngân hàng",
	"finance.consumer-loan":          "Vay tiêu dùng",
	"telecom.subscriber-identify":    "Định danh thuê bao (SIM chính chủ)",
	"signature.personal-certificate": "Chữ ký số cá nhân",
	"tourism.information":            "Thông tin du lịch (qua trợ lý)",
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
