package web

import (
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// The consoles of ward staff, duty officers and administrators are rendered
// by the package that owns their data (dossiers render the review console,
// reports the duty console, kiosk the fleet console) on the layout here, so
// every console has the same header, styles, headers and formatting.

// Console is what every console page shows in its header: who is signed
// in, and the token their forms carry against cross-site requests.
type Console struct {
	User *staff.User
	CSRF string
	// Title names the page, in the browser's tab and the heading.
	Title string
	// Asides are the boxes shown under the header, rendered by the
	// packages that own them.
	Asides []template.HTML
}

// An Aside is a box a console shows under its header whatever the page,
// rendered by the package that owns its data (kiosk/help: residents
// waiting for a person). It renders nothing for a user it is not for.
type Aside interface {
	Aside(c *gin.Context) template.HTML
}

// ConsoleOf is the console header of a request that passed
// staff.RequirePage, with the asides that are set.
func ConsoleOf(c *gin.Context, title string, asides ...Aside) Console {
	out := Console{Title: title}
	if sess, ok := staff.SessionFrom(c); ok {
		out.User, out.CSRF = sess.User, sess.CSRFToken
	}
	for _, a := range asides {
		if a == nil || out.User == nil {
			continue
		}
		if html := a.Aside(c); html != "" {
			out.Asides = append(out.Asides, html)
		}
	}
	return out
}

// Funcs are the formatting functions every page template may call.
var Funcs = template.FuncMap{
	"ms":       func(d time.Duration) int64 { return d.Milliseconds() },
	"date":     func(t any) string { return format(t, vietnamese.DayLayout) },
	"datetime": func(t any) string { return format(t, "15:04 "+vietnamese.DayLayout) },
	// stamp is a console's time of an event: dd/mm/yyyy HH:MM.
	"stamp": func(t any) string { return format(t, vietnamese.DayLayout+" 15:04") },
	"clock": func(t any) string { return format(t, "15:04") },
	"now":   time.Now,
	// zone is the city's time zone, by the name browsers know it by.
	"zone":    func() string { return vietnamese.ZoneName },
	"vnd":     vietnamese.FormatVND,
	"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"add":     func(a, b int) int { return a + b },
	"percent": func(f float64) string { return strconv.Itoa(int(math.Round(f*100))) + "%" },
	// wardLabel names a ward by its code and name inside a sentence;
	// upperFirst makes it (or any phrase) the start of a line.
	"wardLabel":  vietnamese.WardLabel,
	"upperFirst": vietnamese.UpperFirst,
}

// format writes a time, or a pointer to one, in the city's zone; nothing
// for a missing one.
func format(v any, layout string) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	return t.In(vietnamese.Zone).Format(layout)
}

// ParseConsole parses a console page from fsys on the shared layout and
// console header. The page defines "title" and "main"; it may define
// "scripts" for its live updates.
func ParseConsole(fsys fs.FS, patterns ...string) (*template.Template, error) {
	t, err := template.New("console").Funcs(Funcs).ParseFS(templateFiles, "templates/layout.tmpl", "templates/console.tmpl")
	if err != nil {
		return nil, err
	}
	return t.ParseFS(fsys, patterns...)
}

// Render writes a page with the headers every page carries.
func Render(c *gin.Context, t *template.Template, status int, data any) {
	pageHeaders(c)
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := t.ExecuteTemplate(c.Writer, "layout", data); err != nil {
		httpserver.LoggerFrom(c).Error("render page", "page", t.Name(), "err", err)
	}
}

// pageHeaders: a shared kiosk or console must not offer a previous page
// from cache, no page may be framed, and scripts come only from here.
func pageHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("X-Frame-Options", "DENY")
	c.Header("Referrer-Policy", "no-referrer")
	connect := "'self'"
	if origin := c.GetString(connectKey); origin != "" {
		connect += " " + origin
	}
	c.Header("Content-Security-Policy", "default-src 'self'; connect-src "+connect+"; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
}

const connectKey = "web.connect"

// ConnectTo lets the page about to be rendered call origin besides its own
// (the kiosk page calls the station agent on the kiosk PC).
func ConnectTo(c *gin.Context, origin string) {
	if origin != "" {
		c.Set(connectKey, origin)
	}
}

// RenderFragment writes one template of a page, for htmx to put in place.
func RenderFragment(c *gin.Context, t *template.Template, name string, status int, data any) {
	pageHeaders(c)
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	if err := t.ExecuteTemplate(c.Writer, name, data); err != nil {
		httpserver.LoggerFrom(c).Error("render fragment", "page", t.Name(), "fragment", name, "err", err)
	}
}

// IsFragmentRequest reports whether htmx sent the request, wanting a part
// of a page rather than a whole one.
func IsFragmentRequest(c *gin.Context) bool { return c.GetHeader("HX-Request") == "true" }

// SeeOther answers a form post by sending the browser to url.
func SeeOther(c *gin.Context, url string) {
	c.Redirect(http.StatusSeeOther, url)
}
