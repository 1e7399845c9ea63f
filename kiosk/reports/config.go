package reports

import (
	"flag"
	"net/url"
	"os"
	"time"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/seal"
)

// Config holds the reports capability's settings.
type Config struct {
	RulesFile      string
	MaxPhotoMB     int
	MaxVideoMB     int
	MaxVideo       time.Duration
	RateWindow     time.Duration
	RatePerDevice  int
	RatePerPhone   int
	RatePerStation int
	RatePerAddress int
	// Concurrency bounds the submissions one replica writes at once, so
	// that a flood of reports leaves database connections for the officers.
	Concurrency int
	// NotifyURL is the city's dispatch endpoint that departments'
	// notifications of new reports are POSTed to; empty: none are sent.
	NotifyURL string
	// Papers prints acknowledgements; the wiring sets it (no flag).
	Papers Papers
	// Sealer seals the reporters' contacts; the wiring sets it (no flag).
	Sealer *seal.Sealer
	// Lookups limits the look-ups of reports by code, shared with the
	// dossiers' tracking and the payments' lookups; the wiring sets it
	// (nil: the tracking defaults).
	Lookups *ratelimit.Lookups
}

// RegisterFlags adds the settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.RulesFile, "reports-rules", "", "routing rules YAML for reports (default: the shipped reports/rules.yaml)")
	fs.IntVar(&c.MaxPhotoMB, "reports-max-photo-mb", 10, "largest photo a report may carry, in MB")
	fs.IntVar(&c.MaxVideoMB, "reports-max-video-mb", 50, "largest video a report may carry, in MB")
	fs.DurationVar(&c.MaxVideo, "reports-max-video", 60*time.Second, "longest video a report may carry")
	fs.DurationVar(&c.RateWindow, "reports-rate-window", time.Hour, "window of the report rate limits")
	fs.IntVar(&c.RatePerStation, "reports-rate-station", 60, "reports a kiosk station may send per window")
	fs.IntVar(&c.RatePerDevice, "reports-rate-device", 10, "reports a device (app, browser, Open311 client) may send per window")
	fs.IntVar(&c.RatePerPhone, "reports-rate-phone", 5, "reports one contact phone number may send per window")
	fs.IntVar(&c.Concurrency, "reports-concurrency", 8, "reports one replica stores at the same time; the rest wait their turn, leaving database connections to duty officers")
	fs.StringVar(&c.NotifyURL, "reports-notify-url", "", "dispatch endpoint each department routed a new report is notified at, by a retried job (empty: the duty feed only)")
	fs.IntVar(&c.RatePerAddress, "reports-rate-address", 30, "reports one client IP address may send per window (kiosks, which sign in, are not counted)")
}

// Validate checks the settings.
func (c *Config) Validate() error {
	if c.NotifyURL != "" {
		if u, err := url.Parse(c.NotifyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return config.Invalid("reports-notify-url", c.NotifyURL, "must be an http or https address")
		}
	}
	if c.RulesFile != "" {
		data, err := os.ReadFile(c.RulesFile)
		if err != nil {
			return config.Invalid("reports-rules", c.RulesFile, err.Error())
		}
		if _, err := ParseRules(data); err != nil {
			return config.Invalid("reports-rules", c.RulesFile, err.Error())
		}
	}
	for name, v := range map[string]int{
		"reports-max-photo-mb": c.MaxPhotoMB, "reports-max-video-mb": c.MaxVideoMB,
		"reports-rate-station": c.RatePerStation, "reports-rate-device": c.RatePerDevice, "reports-rate-phone": c.RatePerPhone,
		"reports-rate-address": c.RatePerAddress,
		"reports-concurrency":  c.Concurrency,
	} {
		if v <= 0 {
			return config.Invalid(name, v, "must be positive")
		}
	}
	if c.MaxVideo <= 0 {
		return config.Invalid("reports-max-video", c.MaxVideo, "must be positive")
	}
	if c.RateWindow <= 0 {
		return config.Invalid("reports-rate-window", c.RateWindow, "must be positive")
	}
	return nil
}

// Rules returns the routing rules the settings name.
func (c *Config) Rules() (*Rules, error) {
	if c.RulesFile == "" {
		return ShippedRules()
	}
	data, err := os.ReadFile(c.RulesFile)
	if err != nil {
		return nil, err
	}
	return ParseRules(data)
}

// Limits returns the media limits.
func (c *Config) Limits() MediaLimits {
	return MediaLimits{
		MaxPhotos: 5, MaxVideos: 1,
		MaxPhotoBytes: c.MaxPhotoMB << 20, MaxVideoBytes: c.MaxVideoMB << 20,
		MaxVideo: c.MaxVideo,
	}
}

// DefaultConfig is the configuration with every flag at its default, for
// tests and tools.
func DefaultConfig() Config {
	var c Config
	c.RegisterFlags(flag.NewFlagSet("reports", flag.ContinueOnError))
	return c
}
