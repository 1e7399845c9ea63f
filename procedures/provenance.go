package procedures

import "slices"

// Provenance says where a form field's value came from. The assistant
// records it as the form is filled and the dossier keeps it for the staff
// reviewer.
type Provenance string

// The provenances: typed by the resident, read from a scan (text, QR code
// or the machine-readable zone), proposed by the assistant's model (read
// back, never certain), or set by staff.
const (
	FromTyped Provenance = "typed"
	FromOCR   Provenance = "ocr"
	FromQR    Provenance = "qr"
	FromMRZ   Provenance = "mrz"
	FromModel Provenance = "model"
	FromStaff Provenance = "staff"
)

// Valid reports whether p is a provenance.
func (p Provenance) Valid() bool {
	return slices.Contains([]Provenance{FromTyped, FromOCR, FromQR, FromMRZ, FromModel, FromStaff}, p)
}

// Label is p in staff's words.
func (p Provenance) Label() string {
	switch p {
	case FromTyped:
		return "Người dân nhập"
	case FromOCR:
		return "Đọc từ ảnh (OCR)"
	case FromQR:
		return "Mã QR trên căn cước"
	case FromMRZ:
		return "Dòng MRZ trên căn cước"
	case FromModel:
		return "Trợ lý ghi lại"
	case FromStaff:
		return "Cán bộ sửa"
	}
	return string(p)
}
