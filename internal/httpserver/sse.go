package httpserver

import (
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// The service's live streams are server-sent events written by Gin
// (c.SSEvent, c.Stream); this is the loop they share.

// DefaultKeepalive is how often an idle stream sends a keepalive event, so
// that proxies keep it open and a client that left is noticed.
const DefaultKeepalive = 20 * time.Second

// StartEvents sets a stream's headers before its first event.
func StartEvents(c *gin.Context) {
	if c.Writer.Written() {
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
}

// Keepalive writes an event that clients ignore: it has no data.
func Keepalive(c *gin.Context) { c.SSEvent("keepalive", "") }

// EventStream writes the values of Events as server-sent events until the
// client leaves, Events is closed (the replica is shutting down: the client
// reconnects to another) or Alive says the stream must end.
type EventStream[T any] struct {
	Events <-chan T
	// Send writes one value as one or more events.
	Send func(T)
	// First, when set, writes the stream's first event.
	First func()
	// Alive, when set, is asked at each keepalive whether the stream may go
	// on (the client's sign-in may have ended); it writes its own last
	// event when not.
	Alive func() bool
	// Keepalive is the keepalive period (DefaultKeepalive when zero).
	Keepalive time.Duration
}

// Serve runs the stream on c.
func (s EventStream[T]) Serve(c *gin.Context) {
	StartEvents(c)
	if s.First != nil {
		s.First()
	}
	c.Writer.Flush()
	every := s.Keepalive
	if every <= 0 {
		every = DefaultKeepalive
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	c.Stream(func(io.Writer) bool {
		select {
		case <-c.Request.Context().Done():
			return false
		case v, open := <-s.Events:
			if !open {
				return false
			}
			s.Send(v)
		case <-tick.C:
			if s.Alive != nil && !s.Alive() {
				return false
			}
			Keepalive(c)
		}
		return true
	})
}
