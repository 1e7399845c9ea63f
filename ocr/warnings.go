package ocr

import "strings"

// fieldLabels name the fields in Vietnamese, for warnings shown to staff.
var fieldLabels = map[string]string{
	"id_number":           "số định danh cá nhân",
	"old_id_number":       "số CMND cũ",
	"document_number":     "số thẻ",
	"full_name":           "họ và tên",
	"date_of_birth":       "ngày sinh",
	"sex":                 "giới tính",
	"nationality":         "quốc tịch",
	"place_of_origin":     "quê quán",
	"place_of_residence":  "nơi thường trú",
	"issue_date":          "ngày cấp",
	"expiry_date":         "ngày hết hạn",
	checkComposite:        "số kiểm tra tổng hợp",
	checkDocumentIsID:     "số thẻ và số định danh",
	"phone":               "số điện thoại",
	"current_address":     "nơi ở hiện tại",
	"place_of_birth":      "nơi sinh",
	"passport_number":     "số hộ chiếu",
	"father_name":         "họ tên cha",
	"mother_name":         "họ tên mẹ",
	"registration_number": "số đăng ký khai sinh",
	"customer_code":       "mã khách hàng",
}

// fieldLabel is a field's name in words, or the field's code where it has none.
func fieldLabel(field string) string {
	if label := fieldLabels[field]; label != "" {
		return label
	}
	return field
}

// WarningMessage explains a warning code in Vietnamese for ward staff,
// e.g. "mrz_check_digit:date_of_birth".
func WarningMessage(code string) string {
	kind, field, _ := strings.Cut(code, ":")
	label := fieldLabel(field)
	switch kind {
	case "qr_unreadable":
		return "Không đọc được mã QR trên thẻ; các thông tin được đọc từ chữ in, cần đối chiếu với thẻ."
	case "qr_mismatch":
		return "Chữ in trên thẻ khác với mã QR ở mục " + label + "; đã dùng giá trị trong mã QR."
	case "conflict":
		return "Các nguồn trên giấy tờ (mã QR, vùng MRZ, chữ in) ghi khác nhau ở mục " + label +
			"; đã dùng giá trị của nguồn đáng tin hơn, cần đối chiếu với giấy tờ."
	case "mrz_unreadable":
		return "Không đọc được vùng mã MRZ ở mặt sau thẻ."
	case "mrz_check_digit":
		return "Số kiểm tra trong vùng MRZ không khớp ở mục " + label + "; cần đối chiếu với thẻ."
	case "mrz_corrected":
		return "Đã sửa một chữ số đọc nhầm ở mục " + label + " theo số kiểm tra MRZ; cần đối chiếu với thẻ."
	case "low_confidence":
		return "Máy đọc chưa chắc chắn ở mục " + label + "; cần kiểm tra lại."
	case "form_value_invalid":
		return "Giá trị đọc được ở mục " + label + " không đúng định dạng; cần nhập lại."
	}
	return code
}
