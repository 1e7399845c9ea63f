package reports

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/staff"
)

// HTTP serves the native API, the duty officers' API and Open311.
type HTTP struct {
	Service *Service
	Hub     *Hub
	// Staff signs officers in; the duty routes take duty officers and the
	// command centre only.
	Staff *staff.Service
	// Devices authenticates kiosks: a report names a station only with
	// that station's device token (Authorization: Bearer …).
	Devices Devices
	// Track limits lookups of tracking codes per client address.
	Track *ratelimit.Limiter
	// Keepalive is how often an idle live feed sends a comment and checks
	// that its officer is still signed in (default 20 s).
	Keepalive time.Duration
	// Streams caps the feeds open per client address (nil: no cap).
	Streams *live.Limits
}

// officerOf is the signed-in staff user as a reports officer.
func officerOf(c *gin.Context) (Officer, bool) {
	u, ok := staff.UserFrom(c)
	if !ok {
		return Officer{}, false
	}
	return Officer{
		ID:            strconv.FormatInt(u.ID, 10),
		Name:          u.Username,
		CommandCentre: u.Role == staff.RoleCommandCentre,
		Wards:         u.Wards,
		Actor:         staff.ActorFrom(c),
	}, true
}

// RegisterRoutes adds the reports routes.
func (h *HTTP) RegisterRoutes(r *gin.RouterGroup) {
	lim := h.Service.limits
	maxBody := int64(lim.MaxPhotos*lim.MaxPhotoBytes+lim.MaxVideos*lim.MaxVideoBytes) + 1<<20
	r.GET("/api/v1/reports/categories", h.categories)
	r.POST("/api/v1/reports", httpserver.LimitBody(maxBody), h.submit)
	r.GET("/api/v1/reports/track/:code", h.track)

	d := r.Group("/api/v1/duty", h.Staff.Require(staff.RoleDutyOfficer, staff.RoleCommandCentre), httpserver.LimitBody(64<<10))
	d.GET("/reports", h.list)
	d.GET("/reports/:id", h.get)
	d.GET("/reports/:id/media/:media", h.media)
	d.POST("/reports/:id/transitions", h.advance)
	d.POST("/reports/:id/notes", h.note)
	d.POST("/reports/:id/spam", h.spam)
	d.GET("/feed", h.feed)
	d.GET("/stats", h.stats)

	h.registerOpen311(r)
}

func (h *HTTP) categories(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"categories": h.Service.rules.Categories})
}

func (h *HTTP) submit(c *gin.Context) {
	sub, err := readSubmission(c)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	if err := h.station(c, &sub); err != nil {
		httpserver.Error(c, err)
		return
	}
	receipt, err := h.Service.Submit(c, sub)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, receipt)
}

// station fills in the station of a report sent by a kiosk, from its device
// token. A station_id without its token is refused: anyone could otherwise
// file reports in a station's name or use up its rate limit.
func (h *HTTP) station(c *gin.Context, sub *Submission) error {
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || h.Devices == nil {
		if sub.StationID != "" {
			return apperr.New(apperr.Unauthorized, "station_auth_required", "Phản ánh gửi từ trạm cần mã xác thực của trạm.")
		}
		return nil
	}
	d, err := h.Devices.Authenticate(c, strings.TrimSpace(token))
	if err != nil {
		return err
	}
	if sub.StationID != "" && sub.StationID != d.StationID {
		return apperr.New(apperr.Forbidden, "station_mismatch", "Mã trạm không khớp với thiết bị gửi phản ánh.")
	}
	sub.StationID, sub.Channel = d.StationID, Kiosk
	return nil
}

// readSubmission reads the multipart form of POST /api/v1/reports.
func readSubmission(c *gin.Context) (Submission, error) {
	form, err := c.MultipartForm()
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return Submission{}, apperr.Wrap(err, apperr.TooLarge, "body_too_large", "Dữ liệu gửi lên quá lớn.")
		}
		return Submission{}, apperr.Wrap(err, apperr.Invalid, "multipart_required", "Phản ánh phải gửi dạng biểu mẫu multipart/form-data.")
	}
	get := func(k string) string {
		if v := form.Value[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	sub := Submission{
		Category:         get("category"),
		Description:      get("description"),
		Address:          get("address"),
		StationID:        get("station_id"),
		Contact:          get("contact"),
		DeviceID:         get("device_id"),
		Channel:          Channel(get("channel")),
		Injury:           truthy(get("injury")),
		InProgress:       truthy(get("in_progress")),
		UsePhotoLocation: truthy(get("use_photo_location")),
	}
	if sub.DeviceID == "" {
		sub.DeviceID = c.GetHeader("X-Device-ID")
	}
	sub.ClientIP = c.ClientIP()
	if sub.Channel == "" && sub.StationID != "" {
		sub.Channel = Kiosk
	}
	if v := get("occurred_at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return sub, apperr.New(apperr.Invalid, "bad_occurred_at", "Thời điểm xảy ra phải theo dạng 2026-11-24T08:30:00+07:00.")
		}
		sub.OccurredAt = &t
	}
	if lat, lng := get("lat"), get("lng"); lat != "" || lng != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lng, 64)
		if err1 != nil || err2 != nil {
			return sub, apperr.New(apperr.Invalid, "bad_location", "Vị trí không hợp lệ: cần cả vĩ độ và kinh độ.")
		}
		sub.Lat, sub.Lng = &la, &lo
	}
	for _, fh := range form.File["files"] {
		f, err := fh.Open()
		if err != nil {
			return sub, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return sub, err
		}
		sub.Files = append(sub.Files, Upload{Name: fh.Filename, Data: data})
	}
	return sub, nil
}

func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "on", "yes", "co", "có":
		return true
	}
	return false
}

func (h *HTTP) track(c *gin.Context) {
	if h.Track != nil {
		if err := h.Track.Allow(c, "report:track:"+c.ClientIP()); err != nil {
			httpserver.Error(c, err)
			return
		}
	}
	t, err := h.Service.Track(c, c.Param("code"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, t)
}

// officer returns the signed-in officer; Guard has run, so one is there.
func (h *HTTP) officer(c *gin.Context) (Officer, bool) {
	o, ok := officerOf(c)
	if !ok {
		httpserver.Error(c, apperr.New(apperr.Unauthorized, "login_required", "Xin đăng nhập."))
	}
	return o, ok
}

func (h *HTTP) list(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	f := Filter{
		Ward:     c.Query("ward"),
		Status:   Status(c.Query("status")),
		Category: c.Query("category"),
		Overdue:  truthy(c.Query("overdue")),
		Open:     truthy(c.Query("open")),
		WithSpam: truthy(c.Query("spam")),
	}
	f.Limit, _ = strconv.Atoi(c.Query("limit"))
	list, err := h.Service.List(c, o, f)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	if list == nil {
		list = []Report{}
	}
	c.JSON(http.StatusOK, gin.H{"reports": list})
}

func (h *HTTP) get(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	r, err := h.Service.Get(c, o, c.Param("id"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, r)
}

func (h *HTTP) media(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	ctype, data, err := h.Service.MediaFile(c, o, c.Param("id"), c.Param("media"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, ctype, data)
}

// bindJSON reads the request's JSON body into v, or answers 400.
func bindJSON(c *gin.Context, v any) bool {
	if err := c.ShouldBindJSON(v); err != nil {
		httpserver.Error(c, apperr.Wrap(err, apperr.Invalid, "bad_json", "Yêu cầu không đúng định dạng JSON."))
		return false
	}
	return true
}

type moveRequest struct {
	To     Status  `json:"to"`
	Note   string  `json:"note"`
	Target *Target `json:"target"`
}

func (h *HTTP) advance(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	var req moveRequest
	if !bindJSON(c, &req) {
		return
	}
	r, err := h.Service.Advance(c, o, c.Param("id"), Move{To: req.To, Note: req.Note, Target: req.Target})
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

type noteRequest struct {
	Note   string `json:"note"`
	Reason string `json:"reason"`
}

func (h *HTTP) note(c *gin.Context) {
	h.annotate(c, func(o Officer, req noteRequest) error { return h.Service.AddNote(c, o, c.Param("id"), req.Note) })
}

func (h *HTTP) spam(c *gin.Context) {
	h.annotate(c, func(o Officer, req noteRequest) error { return h.Service.MarkSpam(c, o, c.Param("id"), req.Reason) })
}

func (h *HTTP) annotate(c *gin.Context, do func(Officer, noteRequest) error) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	var req noteRequest
	if !bindJSON(c, &req) {
		return
	}
	if err := do(o, req); err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *HTTP) stats(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	to := time.Now()
	from := to.AddDate(0, 0, -30)
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := c.Query(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				httpserver.Error(c, apperr.Errorf(apperr.Invalid, "bad_period", "Tham số %s phải theo dạng 2026-11-24T00:00:00+07:00.", p.name))
				return
			}
			*p.t = t
		}
	}
	st, err := h.Service.Stats(c, o, from, to)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// feed streams the live feed as server-sent events: every report arriving
// in, or moving through, the officer's wards (every ward for the command
// centre, or the one ward it asks for). A "resync" event asks the client to
// reload its list.
func (h *HTTP) feed(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	// ?ward= narrows the feed to one of the wards the officer sees.
	if ward := c.Query("ward"); ward != "" {
		if !o.Sees(ward) {
			httpserver.Error(c, errNotYours)
			return
		}
		o = Officer{ID: o.ID, Name: o.Name, Wards: []string{ward}}
	}
	if h.Streams != nil {
		release, err := h.Streams.Open("", c.ClientIP())
		if err != nil {
			httpserver.Error(c, err)
			return
		}
		defer release()
	}
	sub := h.Hub.Subscribe(o)
	defer h.Hub.Unsubscribe(sub)
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	c.SSEvent("ready", gin.H{"wards": o.Wards, "command_centre": o.CommandCentre})
	c.Writer.Flush()
	every := h.Keepalive
	if every <= 0 {
		every = 20 * time.Second
	}
	keepalive := time.NewTicker(every)
	defer keepalive.Stop()
	token, _ := c.Cookie(staff.CookieName)
	for {
		select {
		case <-c.Request.Context().Done():
			return
		case ev, open := <-sub.C:
			if !open {
				return // the replica is shutting down: the console reconnects to another
			}
			if h.Hub.takeLost(sub) {
				c.SSEvent("resync", gin.H{})
			}
			c.SSEvent("report", ev)
		case <-keepalive.C:
			// A feed outlives no login: signed out, disabled or expired, it ends.
			if _, err := h.Staff.Authenticate(c, token); err != nil {
				c.SSEvent("signed_out", gin.H{})
				c.Writer.Flush()
				return
			}
			io.WriteString(c.Writer, ": keepalive\n\n")
		}
		c.Writer.Flush()
	}
}
