package httpserver

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

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
	body := ErrorBody{Error: ErrorDetail{Code: apperr.CodeOf(e), Message: e.Message, RequestID: RequestID(c)}}
	if wantsPage(c) {
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Status(status)
		if err := errorPage.Execute(c.Writer, errorPageData{ErrorDetail: body.Error, Back: backOf(c.Request)}); err != nil {
			LoggerFrom(c).Error("error page", "err", err)
		}
		c.Abort()
		return
	}
	c.AbortWithStatusJSON(status, body)
}

// wantsPage reports whether the request is a browser opening a page (not
// the API, not a script): its error is a page to read, not JSON.
func wantsPage(c *gin.Context) bool {
	r := c.Request
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && !strings.HasPrefix(r.URL.Path, "/api/") &&
		c.GetHeader("HX-Request") == "" && strings.Contains(c.GetHeader("Accept"), "text/html")
}

// backOf is where an error page leads back to: the page of this site the
// browser came from, else the consoles' sign-in for a console's address,
// else the start.
func backOf(r *http.Request) string {
	if from, err := url.Parse(r.Referer()); err == nil && from.Host == r.Host && strings.HasPrefix(from.Path, "/") && from.Path != r.URL.Path {
		return from.RequestURI()
	}
	if strings.HasPrefix(r.URL.Path, "/staff") || strings.HasPrefix(r.URL.Path, "/duty") {
		return "/staff/login"
	}
	return "/"
}

type errorPageData struct {
	ErrorDetail
	Back string
}

// errorPage is the page a browser shows for an error: the sentence for
// people, the code and request id for whoever is asked to help.
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Không mở được trang này</title><link rel="stylesheet" href="/static/site.css"></head>
<body class="console"><main>
<h1>Không mở được trang này</h1>
<p role="alert">{{.Message}}</p>
<p><a href="{{.Back}}">Quay lại</a></p>
<p><small>Mã lỗi: {{.Code}}{{with .RequestID}} · mã yêu cầu {{.}}{{end}}</small></p>
</main></body></html>`))
