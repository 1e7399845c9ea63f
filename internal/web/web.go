// Package web serves the screens people use: the kiosk screen for residents
// (/), the ward staff console (/staff) and the duty-officer console (/duty).
//
// It is a package of its own because the screens cut across every
// capability: they are written against the JSON APIs the other packages
// serve (assistant sessions, OCR, dossiers, kiosk sessions and payments,
// reports), never against their Go types, so a screen works with any replica
// and the same API serves the kiosk, the evals and other clients. Pages are Go
// html/template documents rendered on the server; a small amount of plain
// JavaScript moves between the steps of a screen and calls the APIs. All
// assets are embedded in the binary, so there is no build step.
package web

import (
	"embed"
	"flag"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config holds the screens' settings.
type Config struct {
	// KioskIdle is how long a kiosk visit lasts without a touch: the
	// kiosk's STATION_KIOSK_IDLE, which serve copies here so the screen and
	// the server agree. The screen warns KioskIdleWarning before the end.
	KioskIdle time.Duration
	// KioskIdleWarning is how long the warning shows before the visit ends,
	// the screen returns home and the server erases what was not submitted.
	KioskIdleWarning time.Duration
	// SpeechConcurrency bounds how many espeak-ng processes run at once.
	SpeechConcurrency int
	// SpeechMaxChars bounds the text read aloud in one request.
	SpeechMaxChars int
	// Espeak is the espeak-ng program.
	Espeak string
	// Hotline is the ward's phone number shown by "Gọi cán bộ".
	Hotline string
}

// RegisterFlags adds the screens' settings to fs. The idle time itself is
// the kiosk package's -kiosk-idle.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	c.KioskIdle = 90 * time.Second
	fs.DurationVar(&c.KioskIdleWarning, "kiosk-idle-warning", 15*time.Second, "kiosk screen: how long the end-of-visit warning stays before the visit ends")
	fs.IntVar(&c.SpeechConcurrency, "speech-concurrency", 2, "read-aloud: espeak-ng processes at once")
	fs.IntVar(&c.SpeechMaxChars, "speech-max-chars", 1500, "read-aloud: longest text read in one request, in characters")
	fs.StringVar(&c.Espeak, "espeak", "espeak-ng", "read-aloud: the espeak-ng program")
	fs.StringVar(&c.Hotline, "hotline", "1022", "phone number shown when a resident asks for staff")
}

// Validate checks the settings.
func (c *Config) Validate() error {
	if c.KioskIdleWarning < time.Second || c.KioskIdleWarning >= c.KioskIdle {
		return config.Invalid("kiosk-idle-warning", c.KioskIdleWarning, "must be at least 1s and shorter than STATION_KIOSK_IDLE")
	}
	if c.SpeechConcurrency < 1 {
		return config.Invalid("speech-concurrency", c.SpeechConcurrency, "must be at least 1")
	}
	if c.SpeechMaxChars < 1 {
		return config.Invalid("speech-max-chars", c.SpeechMaxChars, "must be at least 1")
	}
	return nil
}

// Screens serves the kiosk screen, the sign-in page, the assets and the
// read-aloud endpoint.
type Screens struct {
	cfg     Config
	auth    *staff.Service
	pages   map[string]*template.Template
	speaker *Speaker
}

// New parses the templates; a template error is a programming error found at
// start, not on a resident's first touch.
func New(cfg Config, auth *staff.Service) (*Screens, error) {
	s := &Screens{cfg: cfg, auth: auth, pages: map[string]*template.Template{}, speaker: NewSpeaker(cfg.Espeak, cfg.SpeechConcurrency, cfg.SpeechMaxChars)}
	for _, page := range []string{"kiosk", "duty", "fleet"} {
		t, err := template.New(page).Funcs(Funcs).
			ParseFS(templateFiles, "templates/layout.tmpl", "templates/console.tmpl", "templates/"+page+".tmpl")
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", page, err)
		}
		s.pages[page] = t
	}
	login, err := ParseConsole(templateFiles, "templates/staff_login.tmpl")
	if err != nil {
		return nil, fmt.Errorf("web: parse staff_login: %w", err)
	}
	s.pages["staff_login"] = login
	return s, nil
}

// RegisterRoutes adds the pages, the assets and the read-aloud endpoint.
func (s *Screens) RegisterRoutes(r *gin.RouterGroup) {
	static, _ := fs.Sub(staticFiles, "static")
	r.GET("/static/*file", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		c.FileFromFS(c.Param("file"), http.FS(static))
	})
	r.GET("/", s.page("kiosk", nil))
	r.GET(staff.LoginPath, s.login)
	r.GET("/staff/stations", s.auth.RequirePage(), s.page("fleet", nil))
	r.GET("/duty", s.auth.RequirePage(), s.page("duty", nil))
	r.POST("/api/v1/speech", httpserver.LimitBody(64<<10), s.speak)
}

// pageData is what every template sees.
type pageData struct {
	Config  Config
	Console Console
	// Item is the page's own datum.
	Item any
}

func (s *Screens) page(name string, item func(*gin.Context) any) gin.HandlerFunc {
	return func(c *gin.Context) {
		data := pageData{Config: s.cfg, Console: ConsoleOf(c, "")}
		if item != nil {
			data.Item = item(c)
		}
		Render(c, s.pages[name], http.StatusOK, data)
	}
}

// loginPage is the sign-in form; it posts to the sign-in endpoint, which
// sends the browser on, or back here with the error's code.
type loginPage struct {
	Console Console
	Next    string
	Error   string
}

func (s *Screens) login(c *gin.Context) {
	Render(c, s.pages["staff_login"], http.StatusOK, loginPage{
		Console: Console{Title: "Đăng nhập cán bộ"},
		Next:    c.Query("next"),
		Error:   staff.LoginMessage(c.Query("error")),
	})
}
