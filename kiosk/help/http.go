package help

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/web"
	"github.com/citizenstation/citizenstation/kiosk"
)

// Handler serves help requests: the kiosk's (by its device token), the
// consoles' pages and forms, and the JSON API of signed-in staff.
type Handler struct {
	Service *Service
	Devices *kiosk.Service
	Staff   *staff.Service
	// Live is the replica's listener; it must listen on Channel.
	Live *live.Listener
	// Streams caps the live streams per client address (nil: no cap).
	Streams *live.Limits
}

// Roles that answer residents' calls.
var answerers = []staff.Role{staff.RoleWardStaff, staff.RoleDutyOfficer, staff.RoleCommandCentre, staff.RoleAdmin}

// RegisterRoutes adds the routes.
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	dev := r.Group("/api/v1/kiosk/help", httpserver.LimitBody(8<<10), h.Devices.RequireDevice)
	dev.POST("", h.create)
	dev.GET("/:id", h.kioskView)
	dev.POST("/:id/cancel", h.cancel)

	st := r.Group("/api/v1/help", httpserver.LimitBody(8<<10), h.Staff.Require(answerers...))
	st.GET("", h.open)
	st.POST("/:id/ack", h.ack)
	st.PUT("/name", h.setName)
	r.PUT("/api/v1/wards/:code/phone", httpserver.LimitBody(1<<10), h.Staff.Require(staff.RoleWardStaff), h.setPhone)

	page := r.Group("/staff/help", httpserver.LimitBody(8<<10), h.Staff.RequirePage(staff.PageRoles("/staff/help")...))
	page.GET("", h.page)
	page.GET("/calls", h.calls)
	page.GET("/live", h.live)
	page.POST("/:id/ack", h.ackForm)
	page.POST("/name", h.nameForm)
	page.POST("/wards/:code/phone", h.phoneForm)
}

func (h *Handler) create(c *gin.Context) {
	var n NewRequest
	if !httpserver.BindOptionalJSON(c, &n) {
		return
	}
	d := kiosk.DeviceFrom(c)
	r, err := h.Service.Create(c, d.StationID, d.WardCode, n)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	v, err := h.Service.ForStation(c, d.StationID, r.ID)
	httpserver.Reply(c, http.StatusCreated, v, err)
}

func (h *Handler) kioskView(c *gin.Context) {
	v, err := h.Service.ForStation(c, kiosk.DeviceFrom(c).StationID, c.Param("id"))
	httpserver.Reply(c, http.StatusOK, v, err)
}

func (h *Handler) cancel(c *gin.Context) {
	httpserver.ReplyNoContent(c, h.Service.Cancel(c, kiosk.DeviceFrom(c).StationID, c.Param("id")))
}

func (h *Handler) open(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	list, err := h.Service.Open(c, u)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"requests": list})
}

func (h *Handler) ack(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	r, err := h.Service.Acknowledge(c, u, c.Param("id"))
	httpserver.Reply(c, http.StatusOK, r, err)
}

// setPhone is PUT /api/v1/wards/{code}/phone {"phone"}, for the ward's
// own staff.
func (h *Handler) setPhone(c *gin.Context) {
	var in struct {
		Phone string `json:"phone"`
	}
	if !httpserver.BindOptionalJSON(c, &in) {
		return
	}
	u, _ := staff.UserFrom(c)
	httpserver.ReplyNoContent(c, h.Service.SetPhone(c, u, staff.ActorFrom(c), c.Param("code"), in.Phone))
}

// setName is PUT /api/v1/help/name {"name"}: the signed-in user's name as
// residents hear it.
func (h *Handler) setName(c *gin.Context) {
	var in struct {
		Name string `json:"name"`
	}
	if !httpserver.BindOptionalJSON(c, &in) {
		return
	}
	u, _ := staff.UserFrom(c)
	httpserver.ReplyNoContent(c, h.Service.SetName(c, u, in.Name))
}

// The consoles' side of "Gọi cán bộ": the calls a user answers, as cards
// rendered here with the words and the one action the service decides.
// The box stands under the header of the review and duty consoles (it is
// their web.Aside) and on its own page, /staff/help, which also holds the
// user's name as residents hear it and, for ward staff, the ward's phone
// number. Every action is a plain form; with scripts on, htmx fetches the
// cards again when the live stream says a call arrived or changed, and a
// sound plays on arrival.

//go:embed templates/*.tmpl
var pageFiles embed.FS

var helpTemplate = template.Must(web.ParseConsole(pageFiles, "templates/help.tmpl"))

// box is the cards of the calls a user answers; Back is the page its
// forms return to.
type box struct {
	Cards []card
	Back  string
	Error string
}

// card is a call with what its form carries: the CSRF token and the page
// to come back to.
type card struct {
	Request
	CSRF, Back string
}

type helpPage struct {
	Console web.Console
	Box     box
	Name    string
	Phones  []WardPhone
	Done    string
	Error   string
}

// answers reports whether u answers residents' calls.
func answers(u *staff.User) bool { return u != nil && u.HasRole(answerers...) }

// boxOf is the signed-in user's calls; back is where its forms return.
func (h *Handler) boxOf(c *gin.Context, back string) (box, error) {
	u, _ := staff.UserFrom(c)
	b := box{Back: back}
	calls, err := h.Service.Open(c, u)
	for _, r := range calls {
		b.Cards = append(b.Cards, card{Request: r, CSRF: staff.CSRFTokenFrom(c), Back: back})
	}
	return b, err
}

// Aside is the box of calls under a console's header (web.Aside): nothing
// for a user who answers no calls. A failure shows on the box, not the
// page: the console it stands on still works.
func (h *Handler) Aside(c *gin.Context) template.HTML {
	if u, _ := staff.UserFrom(c); !answers(u) {
		return ""
	}
	b, err := h.boxOf(c, c.Request.URL.RequestURI())
	if err != nil {
		httpserver.LoggerFrom(c).Error("help requests on a console", "err", err)
		b.Error = apperr.From(err).Message
	}
	var out bytes.Buffer
	if err := helpTemplate.ExecuteTemplate(&out, "help-box", b); err != nil {
		httpserver.LoggerFrom(c).Error("render help requests", "err", err)
		return ""
	}
	return template.HTML(out.String()) // rendered by html/template: escaped
}

func (h *Handler) page(c *gin.Context) {
	h.renderPage(c, http.StatusOK, doneMessages[c.Query("done")], "")
}

var doneMessages = map[string]string{
	"ack":   "Đã nhận yêu cầu. Trạm đã báo người dân tên của bạn.",
	"name":  "Đã lưu tên gọi.",
	"phone": "Đã lưu số điện thoại của phường.",
}

// renderPage renders /staff/help with done as its notice and msg as its
// error.
func (h *Handler) renderPage(c *gin.Context, status int, done, msg string) {
	u, _ := staff.UserFrom(c)
	p := helpPage{Console: web.ConsoleOf(c, "Người dân gọi cán bộ"), Done: done, Error: msg}
	var err error
	if p.Box, err = h.boxOf(c, "/staff/help"); err == nil {
		p.Name, err = h.Service.Name(c, u)
	}
	if err == nil {
		p.Phones, err = h.Service.WardPhones(c, u)
	}
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	web.Render(c, helpTemplate, status, p)
}

// calls is the fragment of cards the live box fetches.
func (h *Handler) calls(c *gin.Context) {
	b, err := h.boxOf(c, backTo(c.Query("back")))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	web.RenderFragment(c, helpTemplate, "help-calls", http.StatusOK, b)
}

// backTo is a console page a form may return to: a path of this service's
// consoles, nothing else.
func backTo(back string) string {
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(back, "//") ||
		!(u.Path == "/staff" || strings.HasPrefix(u.Path, "/staff/") || u.Path == "/duty") {
		return "/staff/help"
	}
	return u.RequestURI()
}

// ackForm is the card's "Tôi sẽ tới". From htmx the answer is the cards as
// they now stand, with the error on them if it failed (200, so htmx shows
// it); from a plain form, the page the form was on.
func (h *Handler) ackForm(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	_, err := h.Service.Acknowledge(c, u, c.Param("id"))
	back := backTo(c.PostForm("back"))
	if web.IsFragmentRequest(c) {
		b, berr := h.boxOf(c, back)
		if berr != nil {
			httpserver.Error(c, berr)
			return
		}
		if err != nil {
			b.Error = apperr.From(err).Message
		}
		web.RenderFragment(c, helpTemplate, "help-calls", http.StatusOK, b)
		return
	}
	if err != nil {
		h.renderPage(c, httpserver.Status(err), "", apperr.From(err).Message)
		return
	}
	if back == "/staff/help" {
		back += "?done=ack"
	}
	web.SeeOther(c, back)
}

// nameForm sets the name residents hear when the user takes a call.
func (h *Handler) nameForm(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	h.afterForm(c, "name", h.Service.SetName(c, u, c.PostForm("name")))
}

// phoneForm sets the ward's phone number (the ward's staff only).
func (h *Handler) phoneForm(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	h.afterForm(c, "phone", h.Service.SetPhone(c, u, staff.ActorFrom(c), c.Param("code"), c.PostForm("phone")))
}

// afterForm answers a form of the page: the page again with the error, or
// the page with what was done.
func (h *Handler) afterForm(c *gin.Context, done string, err error) {
	if err != nil {
		h.renderPage(c, httpserver.Status(err), "", apperr.From(err).Message)
		return
	}
	web.SeeOther(c, "/staff/help?done="+done)
}

// live is the box's stream: "arrived" when a call the user answers comes
// in or climbs, "changed" when one is taken or closed (or the box should
// read its cards again). The events carry nothing: the box fetches its
// cards, which checks the sign-in.
func (h *Handler) live(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	web.Stream(c, h.Live, h.Streams, Channel, func(n live.Notification) {
		var ev event
		switch {
		case n.Resync:
			c.SSEvent("changed", "")
		case json.Unmarshal([]byte(n.Payload), &ev) != nil || !Sees(u, ev.Ward, ev.Level):
		case ev.Action == "created" || ev.Action == "escalated":
			c.SSEvent("arrived", "")
		default:
			c.SSEvent("changed", "")
		}
	})
}
