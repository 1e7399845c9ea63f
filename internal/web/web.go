// Package web holds what every page shares — the layout, the console
// header, the formatting functions, the static assets (styles, the vendored
// htmx, the kiosk and live-console scripts) — and serves the kiosk screen
// for residents (/), the staff sign-in page and the read-aloud endpoint.
//
// The consoles are rendered by the package whose decisions they show, on
// the layout here: the review console by procedures/dossiers, the duty
// console by kiosk/reports, the fleet console by kiosk. Pages are Go
// html/template documents rendered on the server; on the consoles htmx only
// fetches server-rendered fragments again when a live stream says something
// changed. The kiosk screen is written against the JSON APIs (assistant
// sessions, OCR, dossiers, kiosk sessions, payments, reports), so it works
// with any replica. All assets are embedded in the binary: no build step.
package web

import (
	"embed"
	"flag"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
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
	// KioskAgent is where the kiosk page finds the station agent's local
	// API (the scanner, printer and camera; `station agent`) on the kiosk
	// PC; empty: no devices, nothing is scanned or printed.
	KioskAgent string
}

// RegisterFlags adds the screens' settings to fs. The idle time itself is
// the kiosk package's -kiosk-idle.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	c.KioskIdle = 90 * time.Second
	fs.StringVar(&c.KioskAgent, "kiosk-agent", "http://127.0.0.1:8765", "kiosk screen: the station agent's local API on the kiosk PC (empty: none)")
	fs.DurationVar(&c.KioskIdleWarning, "kiosk-idle-warning", 20*time.Second, "kiosk screen: how long the end-of-visit warning stays before the visit ends")
	fs.IntVar(&c.SpeechConcurrency, "speech-concurrency", 2, "read-aloud: espeak-ng processes at once")
	fs.IntVar(&c.SpeechMaxChars, "speech-max-chars", 1500, "read-aloud: longest text read in one request, in characters")
	fs.StringVar(&c.Espeak, "espeak", "espeak-ng", "read-aloud: the espeak-ng program")
	fs.StringVar(&c.Hotline, "hotline", "1022", "phone number shown when a resident asks for staff")
}

// Validate checks the settings.
func (c *Config) Validate() error {
	// WCAG 2.2.1: at least 20 seconds to answer "Tôi vẫn đang dùng".
	if c.KioskIdleWarning < 20*time.Second || c.KioskIdleWarning >= c.KioskIdle {
		return config.Invalid("kiosk-idle-warning", c.KioskIdleWarning, "must be at least 20s (WCAG 2.2.1) and shorter than STATION_KIOSK_IDLE")
	}
	if u, err := url.Parse(c.KioskAgent); c.KioskAgent != "" && (err != nil || u.Scheme != "http" || u.Host == "" || u.Path != "") {
		return config.Invalid("kiosk-agent", c.KioskAgent, "must be http://HOST:PORT on the kiosk PC, or empty")
	}
	if c.SpeechConcurrency < 1 {
		return config.Invalid("speech-concurrency", c.SpeechConcurrency, "must be at least 1")
	}
	if c.SpeechMaxChars < 1 {
		return config.Invalid("speech-max-chars", c.SpeechMaxChars, "must be at least 1")
	}
	return nil
}

// Handler serves the kiosk screen, the sign-in page, the assets and the
// read-aloud endpoint.
type Handler struct {
	cfg     Config
	auth    *staff.Service
	pages   map[string]*template.Template
	speaker *Speaker
}

// New parses the templates; a template error is a programming error found at
// start, not on a resident's first touch.
func New(cfg Config, auth *staff.Service) (*Handler, error) {
	s := &Handler{cfg: cfg, auth: auth, pages: map[string]*template.Template{}, speaker: NewSpeaker(cfg.Espeak, cfg.SpeechConcurrency, cfg.SpeechMaxChars)}
	kiosk, err := template.New("kiosk").Funcs(Funcs).ParseFS(templateFiles, "templates/layout.tmpl", "templates/kiosk.tmpl")
	if err != nil {
		return nil, fmt.Errorf("web: parse kiosk: %w", err)
	}
	s.pages["kiosk"] = kiosk
	login, err := ParseConsole(templateFiles, "templates/staff_login.tmpl")
	if err != nil {
		return nil, fmt.Errorf("web: parse staff_login: %w", err)
	}
	s.pages["staff_login"] = login
	return s, nil
}

// RegisterRoutes adds the pages, the assets and the read-aloud endpoint.
func (s *Handler) RegisterRoutes(r *gin.RouterGroup) {
	static, _ := fs.Sub(staticFiles, "static")
	r.GET("/static/*file", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		c.FileFromFS(c.Param("file"), http.FS(static))
	})
	r.GET("/", func(c *gin.Context) { ConnectTo(c, s.cfg.KioskAgent) }, s.page("kiosk", nil))
	r.GET(staff.LoginPath, s.login)
	r.POST("/api/v1/speech", httpserver.LimitBody(64<<10), s.speak)
}

// pageData is what every template sees.
type pageData struct {
	Config  Config
	Console Console
	// Item is the page's own datum.
	Item any
}

func (s *Handler) page(name string, item func(*gin.Context) any) gin.HandlerFunc {
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

func (s *Handler) login(c *gin.Context) {
	Render(c, s.pages["staff_login"], http.StatusOK, loginPage{
		Console: Console{Title: "Đăng nhập cán bộ"},
		Next:    c.Query("next"),
		Error:   staff.LoginMessage(c.Query("error")),
	})
}
