package evals

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
)

// Handler serves past runs to the staff console.
type Handler struct {
	Store *Store
	// Token lets evaluators' tools in; see Config.Token.
	Token string
	// Staff, when set, lets signed-in staff in: the staff package's
	// middleware requiring the roles that see every ward.
	Staff gin.HandlerFunc
	// Stations and Orders serve the test stations of runs over --url;
	// without them those routes are not offered.
	Stations TestStations
	Orders   VisitOrders
}

// RegisterRoutes adds GET /api/v1/evals/runs and /api/v1/evals/runs/{id},
// and for evaluators' tools POST /api/v1/evals/stations (a test station
// and its device token), DELETE /api/v1/evals/stations/{id} and
// POST /api/v1/evals/stations/{id}/visits/{visit}/end (let go of the
// orders a test visit left pending).
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	g := r.Group("/api/v1/evals", h.authorize)
	g.GET("/runs", h.listRuns)
	g.GET("/runs/:id", h.getRun)
	if h.Stations != nil && h.Orders != nil {
		// Only evaluators' tools, never a console session, make stations.
		t := r.Group("/api/v1/evals/stations", h.requireToken)
		t.POST("", h.addStation)
		t.DELETE("/:id", h.retireStation)
		t.POST("/:id/visits/:visit/end", h.endVisit)
	}
}

func (h *Handler) requireToken(c *gin.Context) {
	if !ValidToken(h.Token, c.Request) {
		httpserver.Error(c, apperr.New(apperr.Unauthorized, "eval_token_required", "Cần mã đánh giá hợp lệ."))
		return
	}
	c.Next()
}

// authorize lets through requests that carry the evaluator token (as
// "Authorization: Bearer …" or "X-Eval-Token"), then signed-in staff when
// Staff is set.
func (h *Handler) authorize(c *gin.Context) {
	switch {
	case ValidToken(h.Token, c.Request):
		c.Next()
	case h.Staff != nil:
		h.Staff(c) // answers 401/403 itself, or calls the next handler
	default:
		httpserver.Error(c, apperr.New(apperr.Unauthorized, "eval_token_required", "Cần mã đánh giá hợp lệ."))
	}
}

// ValidToken says whether req carries the evaluator token want. An empty
// want accepts nothing.
func ValidToken(want string, req *http.Request) bool {
	got := req.Header.Get("X-Eval-Token")
	if got == "" {
		got, _ = strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (h *Handler) listRuns(c *gin.Context) {
	limit := 20
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			httpserver.Error(c, apperr.New(apperr.Invalid, "invalid_limit", "Tham số limit phải từ 1 đến 200."))
			return
		}
		limit = n
	}
	runs, err := h.Store.ListRuns(c, limit, c.Query("before"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"runs": runs})
}

func (h *Handler) getRun(c *gin.Context) {
	r, err := h.Store.GetRun(c, c.Param("id"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
