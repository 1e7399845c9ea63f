package dossiers

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/web"
)

// The review console: the queue and one dossier beside its scan, rendered
// here with what the service decides. Every step works with plain links and
// forms; the browser adds nothing the console needs.

//go:embed templates/*.tmpl
var pageFiles embed.FS

// The pages are parsed when the program starts: a template error is a
// programming error, found by every test of the package.
var (
	queueTemplate  = template.Must(web.ParseConsole(pageFiles, "templates/queue.tmpl"))
	reviewTemplate = template.Must(web.ParseConsole(pageFiles, "templates/review.tmpl"))
)

// queueFilters are the queue's status choices, in the order staff use them.
var queueFilters = []struct {
	Value, Label string
	Statuses     []Status
}{
	{"", "Chờ xử lý", DefaultQueue},
	{"needs_supplement", StatusNeedsSupplement.Label(), []Status{StatusNeedsSupplement}},
	{"decided", "Đã quyết định", []Status{StatusApproved, StatusRejected, StatusResultReady}},
	{"completed", StatusCompleted.Label(), []Status{StatusCompleted}},
}

type queueRow struct {
	Dossier
	Due Due
}

type queuePage struct {
	Console web.Console
	Status  string
	Search  string
	Filters any
	Rows    []queueRow
	Next    string
	Error   string
}

func (h *Handler) queuePage(c *gin.Context) {
	p := queuePage{Console: web.ConsoleOf(c, "Hồ sơ chờ xử lý", h.Help), Status: c.Query("status"), Search: c.Query("q"), Filters: queueFilters}
	f := QueueFilter{Search: p.Search, After: c.Query("after")}
	for _, qf := range queueFilters {
		if qf.Value == p.Status {
			f.Statuses = qf.Statuses
		}
	}
	u, _ := staff.UserFrom(c)
	page, err := h.Service.Queue(c, u, staff.ActorFrom(c), f)
	status := http.StatusOK
	if err != nil {
		p.Error, status = apperr.From(err).Message, httpserver.Status(err)
	} else {
		now := time.Now()
		for _, d := range page.Dossiers {
			p.Rows = append(p.Rows, queueRow{Dossier: d, Due: d.DueAt(now)})
		}
		if page.Next != "" {
			p.Next = "?" + url.Values{"status": {p.Status}, "q": {p.Search}, "after": {page.Next}}.Encode()
		}
	}
	web.Render(c, queueTemplate, status, p)
}

// reviewPage is one dossier for review. Field selects the field whose box
// is drawn on the scan; Confirm is a move waiting for staff to confirm.
type reviewPage struct {
	Console web.Console
	D       *Dossier
	Due     Due
	Scan    *Attachment
	Field   *Field
	Actions []Action
	Confirm *Action
	Reason  string
	Done    string
	Error   string
}

func (h *Handler) reviewPage(c *gin.Context) {
	h.renderReview(c, http.StatusOK, reviewPage{Done: doneMessage(c.Query("done"))})
}

func (h *Handler) renderReview(c *gin.Context, status int, p reviewPage) {
	u, _ := staff.UserFrom(c)
	d, err := h.Service.Get(c, u, staff.ActorFrom(c), c.Param("id"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	p.Console, p.D, p.Due, p.Actions = web.ConsoleOf(c, "Hồ sơ "+d.TrackingCode, h.Help), d, d.DueAt(time.Now()), ActionsFor(u, d)
	for i, a := range d.Attachments {
		if a.Width > 0 && (p.Scan == nil || a.ID == c.Query("scan")) {
			p.Scan = &d.Attachments[i]
		}
	}
	for i, f := range d.Fields {
		if f.Name == c.Query("field") && f.Box != nil {
			p.Field = &d.Fields[i]
		}
	}
	web.Render(c, reviewTemplate, status, p)
}

// decide is the review form's post: the first asks staff to confirm the
// move, the second (confirm=yes) makes it and returns to the dossier.
func (h *Handler) decide(c *gin.Context) {
	req := TransitionRequest{To: Status(c.PostForm("to")), Reason: c.PostForm("reason"), From: Status(c.PostForm("from"))}
	u, _ := staff.UserFrom(c)
	if c.PostForm("confirm") == "yes" {
		d, err := h.Service.Transition(c, u, staff.ActorFrom(c), c.Param("id"), req)
		if err != nil {
			h.renderReview(c, httpserver.Status(err), reviewPage{Reason: req.Reason, Error: apperr.From(err).Message})
			return
		}
		web.SeeOther(c, "/staff/dossiers/"+url.PathEscape(d.ID)+"?done="+url.QueryEscape(string(d.Status)))
		return
	}
	d, err := h.Service.Get(c, u, staff.ActorFrom(c), c.Param("id"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	if err := CheckDecision(d, req); err != nil {
		h.renderReview(c, httpserver.Status(err), reviewPage{Reason: req.Reason, Error: apperr.From(err).Message})
		return
	}
	a, _ := ActionTo(d, req.To)
	h.renderReview(c, http.StatusOK, reviewPage{Reason: req.Reason, Confirm: &a})
}

func doneMessage(status string) string {
	if s := Status(status); s.Valid() {
		return "Đã chuyển hồ sơ sang «" + s.Label() + "»."
	}
	return ""
}
