package assistant

import (
	_ "embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/procedures"
)

//go:embed templates/misses.html.tmpl
var missesPage string

var missesTemplate = template.Must(template.New("misses").Funcs(template.FuncMap{
	"fmtTime": func(t time.Time) string { return t.In(vietnamese.Zone).Format("15:04 " + vietnamese.DayLayout) },
}).Parse(missesPage))

// missKinds are the kinds of miss in staff's words.
var missKinds = map[string]string{
	MissNotFound:  "Không tìm thấy thủ tục",
	MissNoneFits:  "Người dân nói không phải các thủ tục gợi ý",
	MissAbandoned: "Bỏ dở ở danh sách thủ tục",
}

// MissHandler serves "Câu hỏi chưa hiểu" to staff: the page at
// /staff/misses (rendered here, no script) and GET /api/v1/staff/misses;
// Readers may look, Teachers (catalogue rights) may teach: POST
// /staff/misses/{id} from the page's form, POST
// /api/v1/staff/misses/{id}/resolve as JSON {"slug", "as": "alias" |
// "example" | "dismissed"}.
type MissHandler struct {
	Service           *Service
	Staff             *staff.Service
	Readers, Teachers []staff.Role
}

func (h *MissHandler) RegisterRoutes(r *gin.RouterGroup) {
	small := httpserver.LimitBody(8 << 10)
	r.GET("/staff/misses", h.Staff.RequirePage(h.Readers...), h.page)
	r.POST("/staff/misses/:id", small, h.Staff.Require(h.Teachers...), h.resolveForm)
	r.GET("/api/v1/staff/misses", h.Staff.Require(h.Readers...), h.list)
	r.POST("/api/v1/staff/misses/:id/resolve", small, h.Staff.Require(h.Teachers...), h.resolveJSON)
}

func (h *MissHandler) list(c *gin.Context) {
	misses, err := h.Service.Misses(c, 200)
	httpserver.Reply(c, http.StatusOK, gin.H{"misses": misses}, err)
}

func (h *MissHandler) page(c *gin.Context) {
	misses, err := h.Service.Misses(c, 200)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	var entries []procedures.Entry
	if h.Service.teacher != nil {
		if entries, err = h.Service.teacher.List(c, procedures.ListFilter{}); err != nil {
			httpserver.Error(c, err)
			return
		}
	}
	names := map[string]string{}
	for _, e := range entries {
		names[e.Slug] = e.Name
	}
	u, _ := staff.UserFrom(c)
	data := map[string]any{
		"Misses": misses, "Entries": entries, "Names": names, "Kinds": missKinds, "Zone": zone{vietnamese.Zone},
		"CanTeach": u != nil && u.HasRole(h.Teachers...) && h.Service.teacher != nil,
		"CSRF":     staff.CSRFTokenFrom(c),
	}
	if c.Query("done") != "" {
		data["Done"] = "Đã lưu. Trợ lý tìm được câu này ngay từ bây giờ."
	}
	var b strings.Builder
	if err := missesTemplate.Execute(&b, data); err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}

type zone struct{ Location *time.Location }

func (h *MissHandler) resolveForm(c *gin.Context) {
	if err := h.resolve(c, c.PostForm("slug"), c.PostForm("as")); err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/misses?done=1")
}

func (h *MissHandler) resolveJSON(c *gin.Context) {
	var in struct {
		Slug string `json:"slug"`
		As   string `json:"as"`
	}
	if !httpserver.BindJSON(c, &in) {
		return
	}
	if err := h.resolve(c, in.Slug, in.As); err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *MissHandler) resolve(c *gin.Context, slug, as string) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return apperr.New(apperr.NotFound, "miss_not_found", "Không tìm thấy câu này, hoặc đã có người xử lý.")
	}
	return h.Service.ResolveMiss(c, staff.ActorFrom(c), id, strings.TrimSpace(slug), as)
}
