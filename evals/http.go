package evals

import (
	"crypto/subtle"
	"fmt"
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
	// Pages, when set, serves the viewer on the staff console to the
	// staff it lets through (evaluators, admins, the command centre): the
	// staff package's page guard (staff.Service.RequirePage), which sends
	// a browser without a session to sign in.
	Pages gin.HandlerFunc
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
	if h.Pages != nil {
		p := r.Group("/staff/evals", h.Pages)
		p.GET("", h.runsPage)
		p.GET("/compare", h.comparePage)
		p.GET("/:id", h.runPage)
	}
	if h.Stations != nil && h.Orders != nil {
		// Only evaluators' tools, never a console session, make stations.
		t := r.Group("/api/v1/evals/stations", h.requireToken)
		t.POST("", h.addStation)
		t.DELETE("/:id", h.retireStation)
		t.POST("/:id/visits/:visit/end", h.endVisit)
	}
}

var errTokenRequired = apperr.New(apperr.Unauthorized, "eval_token_required", "Cần mã đánh giá hợp lệ.")

func (h *Handler) requireToken(c *gin.Context) {
	if !ValidToken(h.Token, c.Request) {
		httpserver.Error(c, errTokenRequired)
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
		httpserver.Error(c, errTokenRequired)
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
	httpserver.Reply(c, http.StatusOK, gin.H{"runs": runs}, err)
}

func (h *Handler) getRun(c *gin.Context) {
	r, err := h.Store.GetRun(c, c.Param("id"))
	httpserver.Reply(c, http.StatusOK, r, err)
}

func (h *Handler) runsPage(c *gin.Context) {
	runs, err := h.Store.ListRuns(c, 100, "")
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	h.render(c, "runs", gin.H{"Runs": runs})
}

// runPage shows a stored run with the filter of its query: status, suite,
// q (a search) and against (a run to find the changed cases by).
func (h *Handler) runPage(c *gin.Context) {
	r, err := h.Store.FindRun(c, c.Param("id"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	f := Filter{Status: c.Query("status"), Suite: c.Query("suite"), Query: c.Query("q")}
	if ref := strings.TrimSpace(c.Query("against")); ref != "" {
		if f.Against, err = h.Store.FindRun(c, ref); err != nil {
			httpserver.Error(c, err)
			return
		}
	} else if f.Status == "changed" {
		// By default a run is compared with the one stored before it.
		f.Against, _ = h.Store.PreviousRun(c, r.ID)
	}
	h.render(c, "run", NewRunView(r, f))
}

func (h *Handler) comparePage(c *gin.Context) {
	var runs [2]*Report
	for i, ref := range []string{c.Query("old"), c.Query("new")} {
		r, err := h.Store.FindRun(c, strings.TrimSpace(ref))
		if err != nil {
			httpserver.Error(c, err)
			return
		}
		runs[i] = r
	}
	h.render(c, "compare", Compare(runs[0], runs[1]))
}

func (h *Handler) render(c *gin.Context, page string, data any) {
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, page, data); err != nil {
		httpserver.Error(c, fmt.Errorf("render %s: %w", page, err))
		return
	}
	c.Header("Cache-Control", "no-store")
	// The pages carry their own style and no script.
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}
