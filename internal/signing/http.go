package signing

import (
	"embed"
	"html/template"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

//go:embed templates/verify.tmpl
var pageFiles embed.FS

var page = template.Must(template.New("verify.tmpl").Funcs(template.FuncMap{
	"local": func(t time.Time) string { return t.In(vietnamese.Zone).Format("15:04:05 ngày 02/01/2006") },
	"day":   vietnamese.Day,
}).ParseFS(pageFiles, "templates/verify.tmpl"))

// maxCopy is the largest copy of a document the page takes for checking.
const maxCopy = 10 << 20

// Handler serves the public verification page and its API. Anyone may use
// them: they say only who signed what kind of document and when.
type Handler struct{ Service *Service }

// RegisterRoutes adds GET and POST /verify/:id (the page a document's QR
// code opens, and the check of an uploaded copy), GET
// /api/v1/signatures/:id and POST /api/v1/signatures/:id/verify (the PDF as
// the body).
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	r.GET("/verify/:id", h.page)
	r.POST("/verify/:id", httpserver.LimitBody(maxCopy+1<<16), h.check)
	r.GET("/api/v1/signatures/:id", h.record)
	r.POST("/api/v1/signatures/:id/verify", httpserver.LimitBody(maxCopy), h.verify)
}

type pageData struct {
	Record *Record
	Result *Verification
	Error  string
}

func (h *Handler) page(c *gin.Context) {
	rec, err := h.Service.Lookup(c, c.Param("id"))
	h.render(c, pageData{Record: rec}, err)
}

func (h *Handler) check(c *gin.Context) {
	rec, err := h.Service.Lookup(c, c.Param("id"))
	if err != nil {
		h.render(c, pageData{}, err)
		return
	}
	data := pageData{Record: rec}
	f, _, err := c.Request.FormFile("file")
	if err != nil {
		h.render(c, data, apperr.New(apperr.Invalid, "file_required", "Xin chọn tệp PDF của giấy tờ để kiểm tra."))
		return
	}
	defer f.Close()
	copy, err := io.ReadAll(io.LimitReader(f, maxCopy+1))
	if err == nil && len(copy) > maxCopy {
		err = apperr.New(apperr.TooLarge, "file_too_large", "Tệp quá lớn: giấy tờ của trạm không quá 10 MB.")
	}
	if err == nil {
		data.Result, err = h.Service.Verify(c, rec.ID, copy)
	}
	h.render(c, data, err)
}

func (h *Handler) render(c *gin.Context, data pageData, err error) {
	status := http.StatusOK
	if err != nil {
		status = httpserver.Status(err)
		if status == http.StatusInternalServerError {
			httpserver.LoggerFrom(c).Error("verification page", "err", err)
		}
		data.Error = apperr.From(err).Message
	}
	c.Header("Cache-Control", "no-store")
	c.Header("X-Frame-Options", "DENY")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'none'; frame-ancestors 'none'")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := page.Execute(c.Writer, data); err != nil {
		httpserver.LoggerFrom(c).Error("render verification page", "err", err)
	}
}

func (h *Handler) record(c *gin.Context) {
	rec, err := h.Service.Lookup(c, c.Param("id"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, rec)
}

func (h *Handler) verify(c *gin.Context) {
	copy, err := io.ReadAll(c.Request.Body)
	if err != nil {
		httpserver.Error(c, apperr.Wrap(err, apperr.TooLarge, "body_too_large", "Tệp quá lớn: giấy tờ của trạm không quá 10 MB."))
		return
	}
	v, err := h.Service.Verify(c, c.Param("id"), copy)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
