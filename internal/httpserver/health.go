package httpserver

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Check is one dependency /readyz reports on.
type Check struct {
	Name string
	Func func(ctx context.Context) error
}

type checkResult struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
	Millis int64  `json:"duration_ms"`
}

// readyHandler runs every check at once, each bounded by a timeout, and
// answers 200 only when all pass. The failing dependency is named.
func readyHandler(checks []Check) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()
		results := make([]checkResult, len(checks))
		var wg sync.WaitGroup
		for i, ch := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				err := ch.Func(ctx)
				results[i] = checkResult{Name: ch.Name, OK: err == nil, Millis: time.Since(start).Milliseconds()}
				if err != nil {
					results[i].Error = err.Error()
				}
			}()
		}
		wg.Wait()
		status, word := http.StatusOK, "ready"
		for _, r := range results {
			if !r.OK {
				status, word = http.StatusServiceUnavailable, "unavailable"
			}
		}
		c.JSON(status, gin.H{"status": word, "checks": results})
	}
}
