package httpserver

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// FuzzFormText sends a multipart form whose field name, value and file
// name are fuzzed to a handler that reads it as the service's handlers
// do: the answer is 200 or a 4xx, never a fault; and a form let through
// holds only clean text.
func FuzzFormText(f *testing.F) {
	f.Add("description", "Mất xe đạp ở Bến Thành", "anh.jpg")
	f.Add("description", "Mất\x00 xe", "anh.jpg")
	f.Add("address", "B\xe9n Th\xe0nh", "a\xffb.png")
	f.Add("x\x00y", "1", "")
	f.Add("contact", "\"; name=\"file\"\r\n\r\n", "..\\..\\etc\\passwd")
	engine := New(Options{}).Handler()
	engine.(*gin.Engine).POST("/form", LimitBody(1<<20), func(c *gin.Context) {
		form, err := c.MultipartForm()
		if err != nil {
			c.AbortWithStatus(http.StatusBadRequest)
			return
		}
		if err := FormText(form); err != nil {
			Error(c, err)
			return
		}
		c.Status(http.StatusOK)
	})
	f.Fuzz(func(t *testing.T, name, value, filename string) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField(name, value)
		if fw, err := w.CreateFormFile("file", filename); err == nil {
			fw.Write([]byte("data"))
		}
		w.Close()
		req := httptest.NewRequest("POST", "/form", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("%q=%q (file %q): %d %s", name, value, filename, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusOK && FormText(req.MultipartForm) != nil {
			t.Fatalf("%q=%q (file %q) let through", name, value, filename)
		}
	})
}
