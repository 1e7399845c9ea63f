package httpserver

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// BindJSON reads the request's JSON body into v. When it cannot, it
// answers with BodyError's error and returns false.
func BindJSON(c *gin.Context, v any) bool {
	return bind(c, v, false)
}

// BindOptionalJSON is BindJSON for a body the caller may leave out:
// without one, v stays as it is.
func BindOptionalJSON(c *gin.Context, v any) bool {
	return c.Request.ContentLength == 0 || bind(c, v, true)
}

func bind(c *gin.Context, v any, optional bool) bool {
	err := c.ShouldBindJSON(v)
	if err == nil || optional && errors.Is(err, io.EOF) { // an empty body sent without a length
		return true
	}
	Error(c, BodyError(err))
	return false
}

// BodyError is the answer to a request body that could not be read as
// the JSON a route takes: body_too_large when it ran past the route's
// LimitBody, body_invalid otherwise.
func BodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		e := bodyTooLarge(tooBig.Limit)
		e.Err = err
		return e
	}
	return apperr.Wrap(err, apperr.Invalid, "body_invalid", "Nội dung gửi lên không đúng định dạng JSON.")
}

// bodyTooLarge refuses a body over limit bytes.
func bodyTooLarge(limit int64) *apperr.Error {
	size := fmt.Sprintf("%d KB", limit>>10)
	if limit >= 1<<20 {
		size = fmt.Sprintf("%d MB", limit>>20)
	}
	return apperr.New(apperr.TooLarge, "body_too_large", "Dữ liệu gửi lên quá lớn (tối đa "+size+").")
}
