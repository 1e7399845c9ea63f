package places

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
)

// Handler serves the tourist information: searching and reading are
// public (a visitor needs no account and nothing is stored); corrections
// need a staff account the Staff middleware admits.
type Handler struct {
	Service *Service
	Staff   gin.HandlerFunc
	// Pages, when set, admits staff to the places pages (a
	// staff.RequirePage middleware, which sends others to sign in).
	Pages gin.HandlerFunc
}

// RegisterRoutes adds GET /api/v1/places?q=&lang=&station_id=, GET
// /api/v1/places/:slug and PUT /api/v1/places/:slug, and the staff pages
// GET /staff/places, GET and POST /staff/places/:slug.
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	r.GET("/api/v1/places", h.search)
	r.GET("/api/v1/places/:slug", h.get)
	r.PUT("/api/v1/places/:slug", httpserver.LimitBody(16<<10), h.Staff, h.correct)
	if h.Pages != nil {
		r.GET("/staff/places", h.Pages, h.listPage)
		r.GET("/staff/places/:slug", h.Pages, h.placePage)
		r.POST("/staff/places/:slug", httpserver.LimitBody(16<<10), h.Pages, h.correctPage)
	}
}

func (h *Handler) search(c *gin.Context) {
	res, err := h.Service.Search(c, Query{Text: c.Query("q"), Lang: c.Query("lang"), StationID: c.Query("station_id")})
	httpserver.ReplyNoStore(c, http.StatusOK, res, err)
}

func (h *Handler) get(c *gin.Context) {
	p, err := h.Service.Get(c, c.Param("slug"))
	httpserver.Reply(c, http.StatusOK, p, err)
}

func (h *Handler) correct(c *gin.Context) {
	var e Edit
	if !httpserver.BindJSON(c, &e) {
		return
	}
	p, err := h.Service.Correct(c, staff.ActorFrom(c), c.Param("slug"), e)
	httpserver.Reply(c, http.StatusOK, p, err)
}
