package reports

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/web"
)

// The duty console: the open reports of the officer's wards, rendered here
// with what the service decides (words, deadlines, allowed steps). Every step
// is a plain form; with scripts on, htmx fetches the cards again when the
// live stream (/duty/live, fed by the reports hub) says something changed.

// cardView is a card with what its forms carry.
type cardView struct {
	Card
	CSRF string
}

type dutyPage struct {
	Console web.Console
	Cards   []cardView
	// Refresh is the number of seconds until the next card turns red.
	Refresh int
	Error   string
}

//go:embed templates/*.tmpl
var pageFiles embed.FS

var dutyTemplate = template.Must(web.ParseConsole(pageFiles, "templates/duty.tmpl"))

// CloseReasonText is the card's closing reason in words.
func (c Card) CloseReasonText() string { return CloseReasonLabel(c.CloseReason) }

// dutyData is the page's data: the signed-in officer's cards, as of now;
// false when the answer was an error.
func (h *Handler) dutyData(c *gin.Context) (dutyPage, bool) {
	p := dutyPage{Console: web.ConsoleOf(c, "Trực ban phản ánh", h.Help)}
	o, ok := h.officer(c)
	if !ok {
		return p, false
	}
	now := time.Now()
	cards, err := h.Service.Cards(c, o, now)
	if err != nil {
		httpserver.Error(c, err)
		return p, false
	}
	for _, card := range cards {
		p.Cards = append(p.Cards, cardView{Card: card, CSRF: p.Console.CSRF})
	}
	if next := NextChange(cards, now); !next.IsZero() {
		p.Refresh = int(math.Ceil(next.Sub(now).Seconds())) + 1
	}
	return p, true
}

func (h *Handler) dutyPage(c *gin.Context) {
	h.renderDuty(c, http.StatusOK, "")
}

// renderDuty renders the whole console, with msg as the page's error.
func (h *Handler) renderDuty(c *gin.Context, status int, msg string) {
	if p, ok := h.dutyData(c); ok {
		p.Error = msg
		web.Render(c, dutyTemplate, status, p)
	}
}

// dutyCards is the fragment of cards the live console fetches.
func (h *Handler) dutyCards(c *gin.Context) {
	if p, ok := h.dutyData(c); ok {
		web.RenderFragment(c, dutyTemplate, "cards", http.StatusOK, p)
	}
}

// step is a card's form: it moves the report one step. From htmx the answer
// is the card as it now stands, with the error on it if the step failed
// (200, so htmx shows it); from a plain form, the console again.
func (h *Handler) step(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	m := Move{To: Status(c.PostForm("to")), Reason: c.PostForm("reason"), Note: c.PostForm("note")}
	_, err := h.Service.Advance(c, o, c.Param("id"), m)
	if !web.IsFragmentRequest(c) {
		if err != nil {
			h.renderDuty(c, httpserver.Status(err), apperr.From(err).Message)
			return
		}
		web.SeeOther(c, "/duty")
		return
	}
	card, cerr := h.Service.Card(c, o, c.Param("id"), time.Now())
	if cerr != nil {
		httpserver.Error(c, cerr)
		return
	}
	if err != nil {
		card.Error = apperr.From(err).Message
	}
	web.RenderFragment(c, dutyTemplate, "report-card", http.StatusOK, cardView{Card: *card, CSRF: web.ConsoleOf(c, "").CSRF})
}

// live is the console's stream: "arrived" when a report comes in, "changed"
// when one moves (or when the console should read its cards again). The
// events carry nothing: the console fetches its cards.
func (h *Handler) live(c *gin.Context) {
	o, ok := h.officer(c)
	if !ok {
		return
	}
	h.stream(c, o, func(ev FeedEvent) {
		name := "changed"
		if ev.Action == "received" {
			name = "arrived"
		}
		c.SSEvent(name, "")
	}, nil)
}

// wardMap draws the report's ward and where it happened, from the ward
// polygons imported with `station import wards`: the console's map tile,
// made without any map service.
func (h *Handler) wardMap(c *gin.Context) {
	h.private(c, func(o Officer) (string, []byte, error) {
		svg, err := h.Service.WardMap(c, o, c.Param("id"))
		return "image/svg+xml", []byte(svg), err
	})
}

// WardMap is an SVG of the ward of report id with a dot where it happened.
func (s *Service) WardMap(ctx context.Context, o Officer, id string) (string, error) {
	r, err := s.get(ctx, s.pool, id, false)
	if err != nil {
		return "", err
	}
	if !o.Sees(r.WardCode) || r.Lat == nil || r.Lng == nil {
		return "", errNotYours
	}
	var path string
	var x0, y0, x1, y1 float64
	err = s.pool.QueryRow(ctx, `SELECT ST_AsSVG(geom, 0, 6), ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)
		FROM wards WHERE code = $1`, r.WardCode).Scan(&path, &x0, &y0, &x1, &y1)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", errNotYours
	}
	if err != nil {
		return "", fmt.Errorf("ward map: %w", err)
	}
	// The place may lie outside its ward's polygon (a station's position):
	// the view takes both in, with a margin.
	x0, x1 = math.Min(x0, *r.Lng), math.Max(x1, *r.Lng)
	y0, y1 = math.Min(y0, *r.Lat), math.Max(y1, *r.Lat)
	pad := math.Max(x1-x0, y1-y0) * 0.08
	x0, y0, x1, y1 = x0-pad, y0-pad, x1+pad, y1+pad
	dot := math.Max(x1-x0, y1-y0) * 0.03
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="%f %f %f %f" width="240" height="180" preserveAspectRatio="xMidYMid meet">`+
		`<rect x="%f" y="%f" width="%f" height="%f" fill="#f4f1e8"/>`+
		`<path d="%s" fill="#e8eef9" stroke="#0b3d91" stroke-width="2" vector-effect="non-scaling-stroke"/>`+
		`<circle cx="%f" cy="%f" r="%f" fill="#9b0000" stroke="#fff" stroke-width="2" vector-effect="non-scaling-stroke"/></svg>`,
		x0, -y1, x1-x0, y1-y0, x0, -y1, x1-x0, y1-y0, path, *r.Lng, -*r.Lat, dot), nil
}
