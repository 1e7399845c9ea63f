package httpserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestBodies sends bodies to routes that read JSON through BindJSON and
// BindOptionalJSON behind LimitBody, and to a station route of a part
// built without stations: each refusal is the one code for its cause, and
// a size is said in the unit people read.
func TestBodies(t *testing.T) {
	engine := New(Options{}).Handler().(*gin.Engine)
	echo := func(bind func(*gin.Context, any) bool) gin.HandlerFunc {
		return func(c *gin.Context) {
			in := struct{ Text string }{Text: "none"}
			if bind(c, &in) {
				c.String(http.StatusOK, in.Text)
			}
		}
	}
	engine.POST("/json", LimitBody(1<<10), echo(BindJSON))
	engine.POST("/optional", LimitBody(16<<10), echo(BindOptionalJSON))
	engine.POST("/large", LimitBody(2<<20), echo(BindJSON))
	engine.POST("/station", RefuseStations)

	long := `{"text":"` + strings.Repeat("a", 2<<10) + `"}`
	for _, tc := range []struct {
		name, path, body string
		chunked          bool
		status           int
		want             string
	}{
		{"JSON", "/json", `{"text":"xin chào"}`, false, 200, "xin chào"},
		{"not JSON", "/json", `text=xin+chào`, false, 400, `"body_invalid"`},
		{"no body where one is needed", "/json", ``, false, 400, `"body_invalid"`},
		{"over the limit by its length", "/json", long, false, 413, `"body_too_large","message":"Dữ liệu gửi lên quá lớn (tối đa 1 KB)."`},
		{"over the limit without a length", "/json", long, true, 413, `"body_too_large","message":"Dữ liệu gửi lên quá lớn (tối đa 1 KB)."`},
		{"a limit in megabytes", "/large", strings.Repeat(" ", 3<<20), false, 413, "(tối đa 2 MB)"},
		{"optional body left out", "/optional", ``, false, 200, "none"},
		{"optional body left out, without a length", "/optional", ``, true, 200, "none"},
		{"optional body that is not JSON", "/optional", `{`, false, 400, `"body_invalid"`},
		{"no stations", "/station", ``, false, 401, `"device_token_invalid"`},
	} {
		var body io.Reader = strings.NewReader(tc.body)
		if tc.chunked {
			body = io.MultiReader(body) // hides the length: sent chunked
		}
		req := httptest.NewRequest(http.MethodPost, tc.path, body)
		if tc.chunked {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, req)
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s: %d %s, want %d with %s", tc.name, rec.Code, rec.Body, tc.status, tc.want)
		}
	}
}
