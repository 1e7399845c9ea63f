package kiosk

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Handler serves the kiosk API: device endpoints authenticated by the
// station's token, and admin endpoints behind the staff middleware.
type Handler struct {
	Service *Service
	// Admin guards registering and managing stations (staff admins).
	Admin gin.HandlerFunc
	// Viewer guards reading station events and usage figures (admins and
	// the command centre).
	Viewer gin.HandlerFunc
	// Pages guards the fleet console: Viewer's roles, with a browser sent
	// to sign in. Without it the console is not served.
	Pages gin.HandlerFunc
	// Live carries the stations' events to the fleet console; Streams caps
	// its streams per address (nil: no cap).
	Live    *live.Listener
	Streams *live.Limits
}

// RegisterRoutes adds the kiosk routes. Without staff middleware the admin
// and viewer routes are not served at all.
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	// The heartbeat authenticates inside Beat, which reads the station once.
	r.POST("/api/v1/kiosk/heartbeat", httpserver.LimitBody(64<<10), h.heartbeat)
	dev := r.Group("/api/v1/kiosk", httpserver.LimitBody(64<<10), h.Service.RequireDevice)
	dev.POST("/sessions", h.startSession)
	dev.GET("/sessions/:id", h.session)
	dev.POST("/sessions/:id/activity", h.touch)
	dev.POST("/sessions/:id/finish", h.finish)

	if h.Admin != nil {
		admin := r.Group("/api/v1/stations", httpserver.LimitBody(64<<10), h.Admin)
		admin.POST("", h.addStation)
		admin.POST("/:id/rotate", h.rotate)
		admin.POST("/:id/revoke", h.revoke)
	}
	if h.Viewer != nil {
		view := r.Group("/api/v1", h.Viewer)
		view.GET("/stations", h.stations)
		view.GET("/stations/:id", h.station)
		view.GET("/stations/:id/events", h.events)
		view.GET("/stats/usage", h.usage)
	}
	if h.Pages != nil && h.Live != nil {
		page := r.Group("/staff/stations", h.Pages)
		page.GET("", h.fleetPage)
		page.GET("/rows", h.fleetRows)
		page.GET("/live", h.fleetLive)
	}
}

const deviceKey = "kiosk.device"

// RequireDevice authenticates a station by `Authorization: Bearer <token>`.
func (s *Service) RequireDevice(c *gin.Context) {
	token, ok := bearer(c)
	if !ok {
		httpserver.Error(c, httpserver.ErrNotStation)
		return
	}
	d, err := s.Authenticate(c, token)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Set(deviceKey, d)
	httpserver.SetStation(c, d.StationID)
	c.Next()
}

// RequireStation is the middleware of the kiosk's own endpoints (the
// guide, scans): a station by its device token, or, when evalToken is set,
// an evaluator holding it in X-Eval-Token, who acts as no station at all.
func (s *Service) RequireStation(evalToken string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if evalToken != "" && c.GetHeader("Authorization") == "" &&
			subtle.ConstantTimeCompare([]byte(c.GetHeader("X-Eval-Token")), []byte(evalToken)) == 1 {
			c.Next()
			return
		}
		s.RequireDevice(c)
	}
}

// CheckVisit fails unless visitID is an open visit of the station.
func (s *Service) CheckVisit(ctx context.Context, stationID, visitID string) error {
	if !database.IsUUID(visitID) || !database.IsUUID(stationID) {
		return errVisitInvalid
	}
	return CheckOpenSession(ctx, s.pool, stationID, visitID)
}

func bearer(c *gin.Context) (string, bool) {
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	return strings.TrimSpace(token), ok && strings.HasPrefix(strings.TrimSpace(token), "cst_")
}

// DeviceFrom returns the station RequireDevice authenticated.
func DeviceFrom(c *gin.Context) *Device {
	d, _ := c.Get(deviceKey)
	dev, _ := d.(*Device)
	return dev
}

func (h *Handler) heartbeat(c *gin.Context) {
	token, ok := bearer(c)
	if !ok {
		httpserver.Error(c, httpserver.ErrNotStation)
		return
	}
	var hb Heartbeat
	if !httpserver.BindJSON(c, &hb) {
		return
	}
	reply, err := h.Service.Beat(c, token, hb)
	httpserver.Reply(c, http.StatusOK, reply, err)
}

func (h *Handler) startSession(c *gin.Context) {
	k, err := h.Service.StartSession(c, DeviceFrom(c).StationID)
	httpserver.Reply(c, http.StatusCreated, k, err)
}

func (h *Handler) session(c *gin.Context) {
	k, err := h.Service.Session(c, DeviceFrom(c).StationID, c.Param("id"))
	httpserver.Reply(c, http.StatusOK, k, err)
}

func (h *Handler) touch(c *gin.Context) {
	var a Activity
	if !httpserver.BindOptionalJSON(c, &a) {
		return
	}
	k, err := h.Service.Touch(c, DeviceFrom(c).StationID, c.Param("id"), a)
	httpserver.Reply(c, http.StatusOK, k, err)
}

func (h *Handler) finish(c *gin.Context) {
	k, err := h.Service.Finish(c, DeviceFrom(c).StationID, c.Param("id"))
	httpserver.Reply(c, http.StatusOK, k, err)
}

func (h *Handler) addStation(c *gin.Context) {
	var n NewStation
	if !httpserver.BindJSON(c, &n) {
		return
	}
	st, token, err := h.Service.AddStation(c, staff.ActorFrom(c), n)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"station": st, "device_token": token})
}

func (h *Handler) rotate(c *gin.Context) {
	token, err := h.Service.RotateToken(c, staff.ActorFrom(c), c.Param("id"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"device_token": token})
}

func (h *Handler) revoke(c *gin.Context) {
	httpserver.ReplyNoContent(c, h.Service.Revoke(c, staff.ActorFrom(c), c.Param("id")))
}

func (h *Handler) stations(c *gin.Context) {
	list, err := h.Service.Stations(c, c.Query("ward"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"stations": list})
}

func (h *Handler) station(c *gin.Context) {
	st, err := h.Service.Station(c, c.Param("id"))
	httpserver.Reply(c, http.StatusOK, st, err)
}

func (h *Handler) events(c *gin.Context) {
	limit, _ := strconv.Atoi(c.Query("limit"))
	list, err := h.Service.Events(c, c.Param("id"), limit)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"events": list})
}

// usage answers GET /api/v1/stats/usage?from=YYYY-MM-DD&to=YYYY-MM-DD
// (Vietnam dates, to inclusive) &station=ID &ward=CODE.
func (h *Handler) usage(c *gin.Context) {
	f := UsageFilter{StationID: c.Query("station"), WardCode: c.Query("ward")}
	for _, d := range []struct {
		name string
		into *time.Time
		add  int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		v := c.Query(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, v, vietnamese.Zone)
		if err != nil {
			httpserver.Error(c, apperr.Errorf(apperr.Invalid, "date_invalid", "Ngày %q không đúng dạng YYYY-MM-DD.", v))
			return
		}
		*d.into = t.AddDate(0, 0, d.add)
	}
	u, err := h.Service.Usage(c, f)
	httpserver.Reply(c, http.StatusOK, u, err)
}
