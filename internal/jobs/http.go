package jobs

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
)

// Handler serves the dead-letter view: discarded jobs, and running one again.
type Handler struct {
	Queue *Queue
	// Staff guards both routes (administrators).
	Staff gin.HandlerFunc
}

// RegisterRoutes adds the routes; without a staff guard none are served.
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	if h.Staff == nil {
		return
	}
	g := r.Group("/api/v1/jobs", httpserver.LimitBody(4<<10), h.Staff)
	g.GET("/discarded", h.discarded)
	g.POST("/:id/retry", h.retry)
}

var (
	errBadJobID       = apperr.New(apperr.Invalid, "job_id_invalid", "Mã công việc không hợp lệ.")
	errJobNotDiscared = apperr.New(apperr.NotFound, "job_not_discarded", "Không có công việc thất bại nào với mã này.")
)

func (h *Handler) discarded(c *gin.Context) {
	list, err := h.Queue.Discarded(c, 200)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	type item struct {
		ID          int64  `json:"id"`
		Kind        string `json:"kind"`
		Args        string `json:"args"`
		Attempts    int    `json:"attempts"`
		MaxAttempts int    `json:"max_attempts"`
		LastError   string `json:"last_error"`
		CreatedAt   string `json:"created_at"`
		DiscardedAt string `json:"discarded_at"`
	}
	out := make([]item, len(list))
	for i, f := range list {
		out[i] = item{f.ID, f.Kind, f.Args, f.Attempts, f.MaxAttempts, f.LastError,
			f.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), f.DiscardedAt.UTC().Format("2006-01-02T15:04:05Z")}
	}
	c.JSON(http.StatusOK, gin.H{"jobs": out})
}

func (h *Handler) retry(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		httpserver.Error(c, errBadJobID)
		return
	}
	if err := h.Queue.Retry(c, id); errors.Is(err, ErrNotDiscarded) {
		httpserver.Error(c, errJobNotDiscared)
		return
	} else if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "state": "available"})
}
