package procedures

import "strings"

// AfterFiling says what happens to a dossier once it is filed: who checks
// it, how a missing paper is asked for, and the time limit. The guide's
// done message, the printed receipt and the tracking screen all say these
// same words, so a resident never reads two versions of what comes next.
func (e *Entry) AfterFiling() string {
	var b strings.Builder
	if a := strings.TrimSpace(e.Agency); a != "" {
		b.WriteString("Hồ sơ được chuyển đến " + strings.TrimRight(a, ". ") + " để kiểm tra và giải quyết. ")
	} else {
		b.WriteString("Cán bộ phường kiểm tra và giải quyết hồ sơ. ")
	}
	b.WriteString("Nếu cần bổ sung giấy tờ, cán bộ sẽ báo qua số điện thoại đã khai.")
	if p := strings.TrimSpace(e.Processing.Text); p != "" {
		p = strings.TrimRight(p, ". ")
		b.WriteString(" Thời hạn giải quyết: " + p + ".")
	}
	return b.String()
}
