package kiosk

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/web"
)

// The fleet console: the stations and their use, rendered here with the
// words and colours the service decides. With scripts on, htmx fetches the
// stations again when the live stream (/staff/stations/live, fed by the
// kiosk_fleet notifications) says a station changed.

// fleetPage is what the fleet console shows.
type fleetPage struct {
	Console  web.Console
	Stations []FleetStation
	Usage    *Usage
}

//go:embed templates/*.tmpl
var pageFiles embed.FS

var fleetTemplate = template.Must(web.ParseConsole(pageFiles, "templates/fleet.tmpl"))

func (h *Handler) fleetPage(c *gin.Context) {
	p := fleetPage{Console: web.ConsoleOf(c, "Các trạm công dân số")}
	var err error
	if p.Stations, err = h.Service.Fleet(c); err != nil {
		httpserver.Error(c, err)
		return
	}
	if p.Usage, err = h.Service.Usage(c, UsageFilter{}); err != nil {
		httpserver.Error(c, err)
		return
	}
	web.Render(c, fleetTemplate, http.StatusOK, p)
}

// fleetRows is the stations' fragment the live console fetches.
func (h *Handler) fleetRows(c *gin.Context) {
	list, err := h.Service.Fleet(c)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	web.RenderFragment(c, fleetTemplate, "stations", http.StatusOK, fleetPage{Stations: list})
}

// fleetLive says "changed" whenever a station's event commits.
func (h *Handler) fleetLive(c *gin.Context) {
	web.Stream(c, h.Live, h.Streams, FleetChannel, func(live.Notification) { c.SSEvent("changed", "") })
}
