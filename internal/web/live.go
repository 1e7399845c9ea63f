package web

import (
	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/live"
)

// Stream serves a console's live stream of one channel of l as server-sent
// events until the client leaves or the replica shuts down: send writes an
// event for each notification (and for a resync, after which the console
// reads its state again). The events only tell the console to fetch its
// fragment again, which checks the sign-in; they carry no data, so the
// stream need not. lim, when set, caps the streams per client address.
func Stream(c *gin.Context, l *live.Listener, lim *live.Limits, channel string, send func(live.Notification)) {
	if lim != nil {
		release, err := lim.Open("", c.ClientIP())
		if err != nil {
			httpserver.Error(c, err)
			return
		}
		defer release()
	}
	sub, err := l.Subscribe(channel)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	defer sub.Close()
	httpserver.EventStream[live.Notification]{Events: sub.C, Send: func(n live.Notification) {
		if sub.Lost() {
			n.Resync = true
		}
		send(n)
	}}.Serve(c)
}
