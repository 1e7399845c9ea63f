package httpserver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// TestReplies sends a request to a handler of each reply helper, with and
// without an error: what goes out, and which headers, is what the
// handlers that use them promise.
func TestReplies(t *testing.T) {
	gone := apperr.New(apperr.NotFound, "thing_not_found", "Không tìm thấy.")
	var none []string
	engine := New(Options{}).Handler().(*gin.Engine)
	for path, h := range map[string]gin.HandlerFunc{
		"/nostore":       func(c *gin.Context) { ReplyNoStore(c, http.StatusOK, gin.H{"a": 1}, nil) },
		"/nostore/err":   func(c *gin.Context) { ReplyNoStore(c, http.StatusOK, gin.H{"a": 1}, gone) },
		"/nocontent":     func(c *gin.Context) { ReplyNoContent(c, nil) },
		"/nocontent/err": func(c *gin.Context) { ReplyNoContent(c, gone) },
		"/list":          func(c *gin.Context) { ReplyList(c, "items", []string{"x"}, nil) },
		"/list/empty":    func(c *gin.Context) { ReplyList(c, "items", none, nil) },
		"/list/err":      func(c *gin.Context) { ReplyList(c, "items", none, gone) },
		"/pdf":           func(c *gin.Context) { ReplyPDF(c, "giay.pdf", []byte("%PDF-1.7"), nil) },
		"/pdf/err":       func(c *gin.Context) { ReplyPDF(c, "giay.pdf", nil, gone) },
	} {
		engine.GET(path, h)
	}
	for _, tc := range []struct {
		path, body, cache, ctype, disposition string
		status                                int
	}{
		{"/nostore", `{"a":1}`, "no-store", "application/json; charset=utf-8", "", 200},
		{"/nostore/err", `"thing_not_found"`, "", "application/json; charset=utf-8", "", 404},
		{"/nocontent", "", "", "", "", 204},
		{"/nocontent/err", `"thing_not_found"`, "", "application/json; charset=utf-8", "", 404},
		{"/list", `{"items":["x"]}`, "", "application/json; charset=utf-8", "", 200},
		{"/list/empty", `{"items":[]}`, "", "application/json; charset=utf-8", "", 200},
		{"/list/err", `"thing_not_found"`, "", "application/json; charset=utf-8", "", 404},
		{"/pdf", "%PDF-1.7", "no-store", "application/pdf", `inline; filename="giay.pdf"`, 200},
		{"/pdf/err", `"thing_not_found"`, "", "application/json; charset=utf-8", "", 404},
	} {
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		h := rec.Header()
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) || h.Get("Cache-Control") != tc.cache ||
			h.Get("Content-Type") != tc.ctype || h.Get("Content-Disposition") != tc.disposition {
			t.Errorf("%s: %d %v %s", tc.path, rec.Code, h, rec.Body)
		}
	}
}
