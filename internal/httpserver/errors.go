package httpserver

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// statusOf is the one table from error kind to HTTP status.
var statusOf = map[apperr.Kind]int{
	apperr.Invalid:      http.StatusBadRequest,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.TooLarge:     http.StatusRequestEntityTooLarge,
	apperr.Unsupported:  http.StatusUnsupportedMediaType,
	apperr.RateLimited:  http.StatusTooManyRequests,
	apperr.Unavailable:  http.StatusServiceUnavailable,
	apperr.Timeout:      http.StatusGatewayTimeout,
	apperr.Internal:     http.StatusInternalServerError,
}

// Status returns the HTTP status for err.
func Status(err error) int {
	if s, ok := statusOf[apperr.KindOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error the service returns.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a stable code for programs and a message for people.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// Error writes err to the client as JSON and aborts the request. The client
// sees only the code and the safe message; the cause goes to the log.
func Error(c *gin.Context, err error) {
	if textRefused(err) && !apperr.IsKind(err, apperr.Invalid) {
		err = apperr.Wrap(err, ErrTextInvalid.Kind, ErrTextInvalid.Code, ErrTextInvalid.Message)
	}
	e := apperr.From(err)
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client went away; there is no one to answer.
		c.Abort()
		return
	}
	status := Status(e)
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.999)))
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	LoggerFrom(c).Log(c.Request.Context(), level, "request failed",
		"status", status, "code", apperr.CodeOf(e), "cause", e.Error())
	c.AbortWithStatusJSON(status, ErrorBody{Error: ErrorDetail{
		Code:      apperr.CodeOf(e),
		Message:   e.Message,
		RequestID: RequestID(c),
	}})
}
