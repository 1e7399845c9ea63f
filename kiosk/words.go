package kiosk

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The words staff and the city read for what a visit records: the services
// it used and the step it stopped at. The fleet console and the demand
// statistics show these, never the keys.

// NoService is the service of visits that used none (looked, then left).
const NoService = "none"

// tileNames are the kiosk screen's own services, by the key the screen
// records a visit under. Every other service key is a catalogue entry (a
// procedure, or a partner service a visit is handed over to) and reads as
// the entry's name.
var tileNames = map[string]string{
	"procedures": "Thủ tục hành chính",
	"tracking":   "Tra cứu hồ sơ",
	"bills":      "Thanh toán hóa đơn",
	"reports":    "Phản ánh an ninh, trật tự",
	"health":     "Dịch vụ y tế",
	"partners":   "Ngân hàng, viễn thông, chữ ký số",
	"tourism":    "Thông tin du lịch",
	"home":       "Màn hình chính",
	NoService:    "Chỉ xem, không dùng dịch vụ",
}

// stepNames are the steps a visit can stop at, by the key recorded: the
// kiosk's screens, the assistant's stages, and what the assistant notes
// happened in a turn.
var stepNames = map[string]string{
	// The kiosk's screens.
	"start":          "ngay khi bắt đầu",
	"home":           "màn hình chính",
	"f-ask":          "hỏi trợ lý",
	"f-chat":         "trò chuyện với trợ lý",
	"f-scan":         "quét giấy tờ",
	"f-scan-confirm": "xác nhận thông tin quét",
	"f-review":       "xem lại tờ khai",
	"f-pay":          "trả lệ phí",
	"f-receipt":      "giấy biên nhận",
	"h-menu":         "chọn dịch vụ y tế",
	"h-emergency":    "số điện thoại khẩn cấp",
	"p-menu":         "chọn dịch vụ đối tác",
	// The assistant's stages.
	"identify": "chọn thủ tục",
	"confirm":  "xác nhận đúng thủ tục",
	"explain":  "nghe giải thích thủ tục",
	"collect":  "khai từng mục",
	"review":   "xem lại tờ khai",
	"done":     "đã xong",
	"handoff":  "chờ cán bộ",
	"bills":    "chọn hóa đơn",
	"pay":      "chờ tiền chuyển đến",
	"places":   "xem địa điểm",
	// What the assistant notes of a turn.
	"report_sent":           "đã gửi phản ánh",
	"tracked":               "đã tra cứu",
	"track_not_found":       "không tìm thấy hồ sơ",
	"handover":              "chuyển sang dịch vụ đối tác",
	"bill_code_unknown":     "mã khách hàng không có",
	"bill_kind_unsupported": "loại hóa đơn chưa nhận",
	"bill_none":             "không có hóa đơn cần trả",
	"biller_unavailable":    "nhà cung cấp không trả lời",
	"payment_unavailable":   "cổng thanh toán không trả lời",
	"payment_conflict":      "khoản đã có giao dịch khác",
	"payment_qr":            "mã QR thanh toán",
	"paid":                  "đã thanh toán",
	"payment_failed":        "thanh toán không thành công",
	"payment_expired":       "mã thanh toán hết hạn",
	"dossier_filed":         "đã nộp hồ sơ",
}

// StepName is a step of a visit in words; a key without words is shown as
// it is.
func StepName(key string) string {
	if n, ok := StepWords(key); ok {
		return n
	}
	return key
}

// StepWords is a step of a visit in words, and whether it has any.
func StepWords(key string) (string, bool) {
	n, ok := stepNames[key]
	return n, ok
}

// Names are the words for a visit's services: the kiosk's tiles and the
// catalogue's entries.
type Names struct {
	entries map[string]string // slug → name
}

// LoadNames reads the catalogue's names through a pool or a transaction.
func LoadNames(ctx context.Context, db interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}) (Names, error) {
	rows, err := db.Query(ctx, `SELECT slug, name FROM procedure_entries`)
	if err != nil {
		return Names{}, fmt.Errorf("load service names: %w", err)
	}
	n := Names{entries: map[string]string{}}
	var slug, name string
	_, err = pgx.ForEachRow(rows, []any{&slug, &name}, func() error {
		n.entries[slug] = name
		return nil
	})
	if err != nil {
		return Names{}, fmt.Errorf("load service names: %w", err)
	}
	return n, nil
}

// Service is a visit's service in words: the tile's, else the catalogue
// entry's name, else the key as it is.
func (n Names) Service(key string) string { return ServiceWords(key, n.entries[key]) }

// ServiceWords is a service in words: the tile's, else entryName (the
// catalogue entry's name of the key), else the key as it is.
func ServiceWords(key, entryName string) string {
	if name, ok := tileNames[key]; ok {
		return name
	}
	if entryName != "" {
		return entryName
	}
	return key
}
