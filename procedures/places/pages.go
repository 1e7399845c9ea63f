package places

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/web"
)

// The staff pages of the tourist information: the places with their
// source, checked date and what is unconfirmed, and a form that corrects
// one. Plain links and forms; the browser adds nothing they need.

//go:embed templates/*.tmpl
var pageFiles embed.FS

var (
	listTemplate  = template.Must(web.ParseConsole(pageFiles, "templates/places.tmpl"))
	placeTemplate = template.Must(web.ParseConsole(pageFiles, "templates/place.tmpl"))
)

type listPage struct {
	Console web.Console
	Places  []Place
	Done    string
	Error   string
}

type placePage struct {
	Console web.Console
	Place   *Place
	Error   string
}

func (h *Handler) listPage(c *gin.Context) {
	p := listPage{Console: web.ConsoleOf(c, "Địa điểm du lịch")}
	status := http.StatusOK
	ps, err := h.Service.List(c)
	if err != nil {
		p.Error, status = apperr.From(err).Message, httpserver.Status(err)
	}
	p.Places = ps
	if done, err := h.Service.Get(c, c.Query("done")); err == nil {
		p.Done = done.Name
	}
	web.Render(c, listTemplate, status, p)
}

func (h *Handler) placePage(c *gin.Context) {
	p, err := h.Service.Get(c, c.Param("slug"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	web.Render(c, placeTemplate, http.StatusOK, placePage{Console: web.ConsoleOf(c, p.Name), Place: p})
}

// correctPage is the form's post: the place corrected, back to the list.
func (h *Handler) correctPage(c *gin.Context) {
	e := Edit{Summary: c.PostForm("summary"), SummaryEN: c.PostForm("summary_en"), Address: c.PostForm("address"),
		Hours: c.PostForm("hours"), HoursEN: c.PostForm("hours_en")}
	lat, errLat := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(c.PostForm("lat")), ",", "."), 64)
	lng, errLng := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(c.PostForm("lng")), ",", "."), 64)
	uncertain := strings.Split(c.PostForm("uncertain"), "\n")
	e.Uncertain = &uncertain
	var err error
	if errLat != nil || errLng != nil {
		err = apperr.New(apperr.Invalid, "place_position_invalid", "Vĩ độ và kinh độ là số, ví dụ 10.7725 và 106.698.")
	} else {
		e.Lat, e.Lng = &lat, &lng
		_, err = h.Service.Correct(c, staff.ActorFrom(c), c.Param("slug"), e)
	}
	if err != nil {
		p, gerr := h.Service.Get(c, c.Param("slug"))
		if gerr != nil {
			httpserver.Error(c, gerr)
			return
		}
		web.Render(c, placeTemplate, httpserver.Status(err), placePage{Console: web.ConsoleOf(c, p.Name), Place: p,
			Error: apperr.From(err).Message})
		return
	}
	web.SeeOther(c, "/staff/places?done="+url.QueryEscape(c.Param("slug")))
}
