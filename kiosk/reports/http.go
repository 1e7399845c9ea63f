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
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/web"
)

// Handler serves the native API, the duty officers' API and Open311.
type Handler struct {
	Service *Service
	Hub     *Hub
	// Staff signs officers in; the duty routes take duty officers and the
	// command centre only.
	Staff *staff.Service
	// Devices authenticates kiosks: a report names a station only with
	// that station's device token (Authorization: Bearer …).
	Devices Devices
	// Keepalive is how often an idle live feed sends a comment and checks
	// that its officer is still signed in (default 20 s).
	Keepalive time.Duration
	// Streams caps the feeds open per client address (nil: no cap).
	Streams *live.Limits
	// Help is the box of residents calling for a person, shown on the
	// duty console (kiosk/help); nil: none.
	Help web.Aside
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
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	lim := h.Service.limits
	maxBody := int64(lim.MaxPhotos*lim.MaxPhotoBytes+lim.MaxVideos*lim.MaxVideoBytes) + 1<<20
	r.GET("/api/v1/reports/categories", h.categories)
	r.POST("/api/v1/reports", httpserver.LimitBody(maxBody), h.submit)
	r.GET("/api/v1/reports/track/:code", h.track)
	r.GET("/api/v1/reports/track/:code/ack.pdf", h.ack)

	d := r.Group("/api/v1/duty", h.Staff.Require(staff.RoleDutyOfficer, staff.RoleCommandCentre), httpserver.LimitBody(64<<10))
	d.GET("/reports", h.list)
	d.GET("/reports/:id", h.get)
	d.GET("/reports/:id/media/:media", h.media)
	d.POST("/reports/:id/transitions", h.advance)
	d.POST("/reports/:id/notes", h.note)
	d.POST("/reports/:id/spam", h.spam)
	d.GET("/feed", h.feed)
	d.GET("/stats", h.stats)

	page := r.Group("/duty", h.Staff.RequirePage(staff.PageRoles("/duty")...), httpserver.LimitBody(64<<10))
	page.GET("", h.dutyPage)
	page.GET("/cards", h.dutyCards)
	page.GET("/live", h.live)
	report := page.Group("/reports/:id")
	report.GET("/map.svg", h.wardMap)
	report.POST("/steps", h.step)

	h.registerOpen311(r)
}

func (h *Handler) categories(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"categories": h.Service.rules.Categories})
}

func (h *Handler) submit(c *gin.Context) {
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
	httpserver.Reply(c, http.StatusCreated, receipt, err)
}

// station fills in the station of a report sent by a kiosk, from its device
// token. A station_id without its token is refused: anyone could otherwise
// file reports in a station's name or use up its rate limit.
func (h *Handler) station(c *gin.Context, sub *Submission) error {
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
	if err := httpserver.FormText(form); err != nil {
		return Submission{}, err
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

func (h *Handler) track(c *gin.Context) {
	t, err := h.Service.Track(c, c.ClientIP(), c.Param("code"))
	httpserver.ReplyNoStore(c, http.StatusOK, t, err)
}

// ack is the signed acknowledgement of a report, as PDF.
func (h *Handler) ack(c *gin.Context) {
	pdf, err := h.Service.Acknowledgement(c, c.ClientIP(), c.Param("code"))
	httpserver.ReplyPDF(c, "xac-nhan-phan-anh.pdf", pdf, err)
}

// officer returns the signed-in officer; Guard has run, so one is there.
func (h *Handler) officer(c *gin.Context) (Officer, bool) {
	o, ok := officerOf(c)
	if !ok {
		httpserver.Error(c, apperr.New(apperr.Unauthorized, "login_required", "Xin đăng nhập."))
	}
	return o, ok
}

func (h *Handler) list(c *gin.Context) {
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
	httpserver.ReplyList(c, "reports", list, err)
}

func (h *Handler) get(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	r, err := h.Service.Get(c, o, c.Param("id"))
	httpserver.ReplyNoStore(c, http.StatusOK, r, err)
}

func (h *Handler) media(c *gin.Context) {
	h.private(c, func(o Officer) (string, []byte, error) {
		return h.Service.MediaFile(c, o, c.Param("id"), c.Param("media"))
	})
}

// private answers a file only officers who see its report may read, which
// no cache may keep.
func (h *Handler) private(c *gin.Context, file func(Officer) (contentType string, data []byte, err error)) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	ctype, data, err := file(o)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, ctype, data)
}

type moveRequest struct {
	To     Status  `json:"to"`
	Note   string  `json:"note"`
	Target *Target `json:"target"`
	// Reason is the code of the closing reason, for resolved and unfounded.
	Reason string `json:"reason"`
}

func (h *Handler) advance(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	var req moveRequest
	if !httpserver.BindJSON(c, &req) {
		return
	}
	r, err := h.Service.Advance(c, o, c.Param("id"), Move{To: req.To, Note: req.Note, Target: req.Target, Reason: req.Reason})
	httpserver.Reply(c, http.StatusOK, r, err)
}

type noteRequest struct {
	Note   string `json:"note"`
	Reason string `json:"reason"`
}

func (h *Handler) note(c *gin.Context) {
	h.annotate(c, func(o Officer, req noteRequest) error { return h.Service.AddNote(c, o, c.Param("id"), req.Note) })
}

func (h *Handler) spam(c *gin.Context) {
	h.annotate(c, func(o Officer, req noteRequest) error { return h.Service.MarkSpam(c, o, c.Param("id"), req.Reason) })
}

func (h *Handler) annotate(c *gin.Context, do func(Officer, noteRequest) error) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	var req noteRequest
	if !httpserver.BindJSON(c, &req) {
		return
	}
	httpserver.ReplyNoContent(c, do(o, req))
}

func (h *Handler) stats(c *gin.Context) {
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
	httpserver.Reply(c, http.StatusOK, st, err)
}

// feed streams the live feed as server-sent events: every report arriving
// in, or moving through, the officer's wards (every ward for the command
// centre, or the one ward it asks for). A "resync" event asks the client to
// reload its list.
func (h *Handler) feed(c *gin.Context) {
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
	h.stream(c, o, func(ev FeedEvent) {
		if ev.Action == "resync" {
			c.SSEvent("resync", gin.H{})
			return
		}
		c.SSEvent("report", ev)
	}, func() { c.SSEvent("ready", gin.H{"wards": o.Wards, "command_centre": o.CommandCentre}) })
}

// stream runs a live stream of the feed for officer o until the client
// leaves, the replica shuts down or the officer's login ends, writing each
// event with send (a "resync" event when events were lost). first, when
// set, writes the stream's first event.
func (h *Handler) stream(c *gin.Context, o Officer, send func(FeedEvent), first func()) {
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
	token, _ := c.Cookie(staff.CookieName)
	httpserver.EventStream[FeedEvent]{
		Events: sub.C,
		Send: func(ev FeedEvent) {
			if h.Hub.takeLost(sub) {
				send(FeedEvent{Action: "resync", At: time.Now()})
			}
			send(ev)
		},
		First: first,
		// A stream outlives no login: signed out, disabled or expired, it ends.
		Alive: func() bool {
			if _, err := h.Staff.Authenticate(c, token); err != nil {
				c.SSEvent("signed_out", gin.H{})
				return false
			}
			return true
		},
		Keepalive: h.Keepalive,
	}.Serve(c)
}
