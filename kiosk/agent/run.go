package agent

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/citizenstation/citizenstation/internal/config"
)

// Config is how `station agent` is set up on a kiosk PC.
type Config struct {
	Server     string
	Token      string
	Addr       string
	Origins    string
	Scanner    string
	ScanArgs   string
	Resolution int
	Printer    string
	Camera     string
	CamFormat  string
	CamArgs    string
	Heartbeat  time.Duration
	Look       time.Duration
}

// RegisterFlags adds the agent's settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Server, "agent-server", "http://localhost:8080", "the service's base URL")
	fs.StringVar(&c.Token, "device-token", "", "the station's device token (cst_…), from station stations add")
	fs.StringVar(&c.Addr, "agent-addr", "127.0.0.1:8765", "where the local API listens: a loopback address only")
	fs.StringVar(&c.Origins, "agent-origin", "", "origins of the kiosk page allowed to call the local API, comma-separated (default: the server's)")
	fs.StringVar(&c.Scanner, "scanner", "", "SANE device of the flatbed (scanimage -L); empty: no scanner")
	fs.StringVar(&c.ScanArgs, "scanner-args", "", "more scanimage options for the device, space-separated (pnm backend: --filename=FILE)")
	fs.IntVar(&c.Resolution, "scan-resolution", 300, "scan resolution in dpi (OCR of ID cards wants 300)")
	fs.StringVar(&c.Printer, "printer", "", "IPP printer URI (ipp://localhost:631/printers/receipt); empty: no printer")
	fs.StringVar(&c.Camera, "camera", "", "the document camera: a V4L2 device (/dev/video0); empty: no camera")
	fs.StringVar(&c.CamFormat, "camera-format", "v4l2", "ffmpeg's input format for the camera (v4l2; image2 reads an image file, for tests)")
	fs.StringVar(&c.CamArgs, "camera-args", "", "more ffmpeg input options, space-separated (e.g. -input_format mjpeg -video_size 1920x1080)")
	fs.DurationVar(&c.Heartbeat, "agent-heartbeat", 60*time.Second, "longest time between heartbeats (the service may ask for a shorter one)")
	fs.DurationVar(&c.Look, "agent-look", 2*time.Second, "how often the peripherals are read; a change is sent at once")
}

// Validate checks the settings.
func (c *Config) Validate() error {
	host, _, err := net.SplitHostPort(c.Addr)
	ip := net.ParseIP(host)
	switch {
	case c.Token == "" || !strings.HasPrefix(c.Token, "cst_"):
		return config.Invalid("device-token", "…", "must be the station's device token (cst_…)")
	case err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())):
		return config.Invalid("agent-addr", c.Addr, "must be a loopback address such as 127.0.0.1:8765")
	case c.Resolution < 75 || c.Resolution > 1200:
		return config.Invalid("scan-resolution", c.Resolution, "must be between 75 and 1200")
	case c.Heartbeat < time.Second:
		return config.Invalid("agent-heartbeat", c.Heartbeat, "must be at least 1s")
	case c.Look < 100*time.Millisecond || c.Look > c.Heartbeat:
		return config.Invalid("agent-look", c.Look, "must be at least 100ms and at most -agent-heartbeat")
	}
	if u, err := url.Parse(c.Server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return config.Invalid("agent-server", c.Server, "must be an http(s) URL")
	}
	return nil
}

// New builds the agent the configuration describes.
func New(c Config, version string, log *slog.Logger) *Agent {
	a := &Agent{Server: c.Server, Token: c.Token, Version: version, Log: log}
	u, _ := url.Parse(c.Server)
	a.Origins = []string{u.Scheme + "://" + u.Host}
	if c.Origins != "" {
		a.Origins = strings.Split(c.Origins, ",")
	}
	if c.Scanner != "" {
		a.Scanner = &Scanner{Program: "scanimage", Device: c.Scanner, Resolution: c.Resolution, Args: strings.Fields(c.ScanArgs)}
	}
	if c.Printer != "" {
		a.Printer = NewPrinter(c.Printer)
	}
	if c.Camera != "" {
		a.Camera = &Camera{Program: "ffmpeg", Device: c.Camera, Format: c.CamFormat, Args: strings.Fields(c.CamArgs)}
	}
	return a
}

// Run serves the local API and sends heartbeats until ctx ends.
func (a *Agent) Run(ctx context.Context, addr string, every, look time.Duration) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go a.Heartbeats(ctx, every, look)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	a.Log.Info("station agent listening", "addr", ln.Addr().String(), "server", a.Server,
		"scanner", a.Scanner != nil, "printer", a.Printer != nil, "camera", a.Camera != nil)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
