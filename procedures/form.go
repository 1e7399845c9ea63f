package procedures

import (
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

var (
	idNumberRe = regexp.MustCompile(`^\d{12}$`)
	phoneRe    = regexp.MustCompile(`^(0|\+84)\d{9}$`)
	yearRe     = regexp.MustCompile(`^(19|20)\d\d$`)
)

// FieldError explains in Vietnamese why a value does not fit its field.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Normalize returns value in the field's canonical form (NFC, trimmed; dates
// as YYYY-MM-DD, phones and ID numbers as bare digits) or a *FieldError.
// It expects values already parsed from speech-like input: the assistant's
// parsers turn "12/3/1950" into a date before it gets here.
func (f Field) Normalize(value string) (string, error) {
	v := strings.TrimSpace(vietnamese.NFC(value))
	fail := func(format string, args ...any) (string, error) {
		return "", &FieldError{Field: f.Name, Message: fmt.Sprintf(format, args...)}
	}
	if v == "" {
		if f.Required {
			return fail("Xin cho biết %s.", strings.ToLower(f.Label))
		}
		return "", nil
	}
	if f.MaxLength > 0 && utf8.RuneCountInString(v) > f.MaxLength {
		return fail("%s dài quá %d ký tự.", f.Label, f.MaxLength)
	}
	switch f.Type {
	case FieldDate:
		if f.YearOnly && yearRe.MatchString(v) {
			break
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return fail("%s phải là một ngày hợp lệ (năm-tháng-ngày).", f.Label)
		}
		v = d.Format(time.DateOnly)
	case FieldIDNumber:
		v = digitsOnly(v)
		if !idNumberRe.MatchString(v) {
			return fail("Số định danh cá nhân (căn cước) gồm đúng 12 chữ số.")
		}
	case FieldPhone:
		v = strings.NewReplacer(" ", "", ".", "", "-", "").Replace(v)
		if !phoneRe.MatchString(v) {
			return fail("Số điện thoại gồm 10 chữ số, bắt đầu bằng số 0.")
		}
	case FieldEmail:
		if _, err := mail.ParseAddress(v); err != nil {
			return fail("Địa chỉ thư điện tử chưa đúng.")
		}
	case FieldNumber:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return fail("%s phải là một số.", f.Label)
		}
	case FieldBoolean:
		switch vietnamese.Fold(v) {
		case "true", "co", "yes", "1":
			v = "true"
		case "false", "khong", "no", "0":
			v = "false"
		default:
			return fail("Xin trả lời có hoặc không.")
		}
	case FieldSelect:
		for _, o := range f.Options {
			if o.Value == v || vietnamese.Fold(o.Label) == vietnamese.Fold(v) {
				return o.Value, nil
			}
		}
		return fail("Xin chọn một trong các lựa chọn của mục %s.", strings.ToLower(f.Label))
	}
	if f.Upper {
		v = strings.ToUpper(v)
	}
	if f.Pattern != "" {
		re, err := regexp.Compile("^(?:" + f.Pattern + ")$")
		if err == nil && !re.MatchString(v) {
			return fail("%s chưa đúng định dạng.", f.Label)
		}
	}
	return v, nil
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if r != ' ' && r != '.' && r != '-' {
			return s // not a number with separators; let the check fail
		}
	}
	return b.String()
}
