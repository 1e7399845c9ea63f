package procedures

import (
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
)

// Handler serves the catalogue's routes.
type Handler struct{ Catalogue *Catalogue }

// RegisterRoutes serves the catalogue: the list, one entry, and search.
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	c := h.Catalogue
	r.GET("/api/v1/procedures", c.handleList)
	r.GET("/api/v1/procedures/:slug", c.handleGet)
	r.GET("/api/v1/search", c.handleSearch)
}

// Summary is an entry as the list shows it.
type Summary struct {
	Slug    string       `json:"slug"`
	Name    string       `json:"name"`
	Group   string       `json:"group"`
	Kind    Kind         `json:"kind"`
	Summary string       `json:"summary"`
	Online  Availability `json:"online"`
}

var groupRe = regexp.MustCompile(`^[a-z]{1,30}$`)

func (c *Catalogue) handleList(ctx *gin.Context) {
	f := ListFilter{Group: ctx.Query("group"), Kind: Kind(ctx.Query("kind"))}
	if f.Group != "" && !groupRe.MatchString(f.Group) {
		httpserver.Error(ctx, apperr.New(apperr.Invalid, "invalid_group", "Nhóm thủ tục không hợp lệ."))
		return
	}
	if f.Kind != "" && f.Kind != KindProcedure && f.Kind != KindService {
		httpserver.Error(ctx, apperr.New(apperr.Invalid, "invalid_kind", "Loại phải là procedure (thủ tục) hoặc service (dịch vụ)."))
		return
	}
	entries, err := c.List(ctx, f)
	if err != nil {
		httpserver.Error(ctx, err)
		return
	}
	out := make([]Summary, len(entries))
	for i, e := range entries {
		out[i] = Summary{Slug: e.Slug, Name: e.Name, Group: e.Group, Kind: e.Kind, Summary: e.Summary, Online: e.Online}
	}
	ctx.JSON(http.StatusOK, gin.H{"procedures": out})
}

func (c *Catalogue) handleGet(ctx *gin.Context) {
	e, err := c.Get(ctx, ctx.Param("slug"))
	if err != nil {
		httpserver.Error(ctx, err)
		return
	}
	ctx.JSON(http.StatusOK, e)
}

func (c *Catalogue) handleSearch(ctx *gin.Context) {
	k := 5
	if s := ctx.Query("k"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxK {
			httpserver.Error(ctx, apperr.Errorf(apperr.Invalid, "invalid_k", "Số kết quả k phải là số từ 1 đến %d.", MaxK))
			return
		}
		k = n
	}
	results, err := c.Search(ctx, ctx.Query("q"), k)
	httpserver.ReplyList(ctx, "results", results, err)
}
