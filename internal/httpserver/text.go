package httpserver

import (
	"errors"
	"mime/multipart"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// ErrTextInvalid is a request's text that is not UTF-8 or holds a NUL
// byte, which no field of the service takes (PostgreSQL refuses both).
var ErrTextInvalid = apperr.New(apperr.Invalid, "text_invalid",
	"Nội dung gửi lên có ký tự không hợp lệ. Xin nhập lại.")

// FormText checks a parsed form's text: every field name and value, and
// every uploaded file's name, must be UTF-8 without a NUL byte. A
// multipart or URL-encoded handler calls it before using the form.
func FormText(form *multipart.Form) error {
	if form == nil {
		return nil
	}
	for k, vs := range form.Value {
		if !cleanText(k) {
			return ErrTextInvalid
		}
		for _, v := range vs {
			if !cleanText(v) {
				return ErrTextInvalid
			}
		}
	}
	for k, fs := range form.File {
		if !cleanText(k) {
			return ErrTextInvalid
		}
		for _, f := range fs {
			if !cleanText(f.Filename) {
				return ErrTextInvalid
			}
		}
	}
	return nil
}

func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// textRefused says whether err is PostgreSQL refusing a request's text (a
// NUL byte, bytes that are not UTF-8): the request's fault, not ours.
func textRefused(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "22021" || pg.Code == "22P05")
}
