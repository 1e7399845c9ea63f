package dossiers

import (
	"flag"
	"time"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/paper"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/seal"
)

// Config holds the dossier settings.
type Config struct {
	// Sealer seals ID and phone numbers under the data keys (the wiring
	// sets it from seal.Config; it is no flag).
	Sealer *seal.Sealer
	// Lookups limits tracking with the other look-ups by code (payments,
	// reports); the wiring shares one, nil: one of TrackPerCode and
	// TrackPerIP.
	Lookups *ratelimit.Lookups
	// DataDir is the platform's data directory; attachments go under it.
	DataDir string
	// Tracking lookups allowed per tracking code per day and per client
	// address per hour, against guessing the four verification digits.
	TrackPerCode int
	TrackPerIP   int
	// CreatePerIP bounds new dossiers per client address per hour.
	CreatePerIP int
	// MaxAttachment is the largest file accepted, in bytes.
	MaxAttachment int64
	// ReceiptFontDir holds DejaVuSans.ttf and DejaVuSans-Bold.ttf.
	ReceiptFontDir string
	// Signer, when set, signs the receipts (the wiring sets it; it is no
	// flag).
	Signer Signer
}

// DefaultConfig is what the flags default to.
func DefaultConfig() Config {
	return Config{TrackPerCode: 20, TrackPerIP: 120, CreatePerIP: 300, MaxAttachment: 10 << 20,
		ReceiptFontDir: paper.FontDir}
}

// RegisterFlags adds the dossier settings to fs. DataDir comes from the
// platform's -data-dir.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	d := DefaultConfig()
	fs.IntVar(&c.TrackPerCode, "track-per-code", d.TrackPerCode, "tracking lookups allowed per tracking code per day")
	fs.IntVar(&c.TrackPerIP, "track-per-ip", d.TrackPerIP, "tracking lookups allowed per client address per hour")
	fs.IntVar(&c.CreatePerIP, "dossiers-per-ip", d.CreatePerIP, "new dossiers allowed per client address per hour")
	fs.Int64Var(&c.MaxAttachment, "max-attachment", d.MaxAttachment, "largest attachment accepted, in bytes")
	fs.StringVar(&c.ReceiptFontDir, "receipt-font-dir", d.ReceiptFontDir, "directory with DejaVuSans.ttf and DejaVuSans-Bold.ttf for receipts")
}

// Validate checks the settings.
func (c *Config) Validate() error {
	if c.TrackPerCode < 1 {
		return config.Invalid("track-per-code", c.TrackPerCode, "must be at least 1")
	}
	if c.TrackPerIP < 1 {
		return config.Invalid("track-per-ip", c.TrackPerIP, "must be at least 1")
	}
	if c.CreatePerIP < 1 {
		return config.Invalid("dossiers-per-ip", c.CreatePerIP, "must be at least 1")
	}
	if c.MaxAttachment < 1<<10 {
		return config.Invalid("max-attachment", c.MaxAttachment, "must be at least 1024")
	}
	return nil
}

func (c *Config) withDefaults() Config {
	d := DefaultConfig()
	out := *c
	if out.TrackPerCode == 0 {
		out.TrackPerCode = d.TrackPerCode
	}
	if out.TrackPerIP == 0 {
		out.TrackPerIP = d.TrackPerIP
	}
	if out.CreatePerIP == 0 {
		out.CreatePerIP = d.CreatePerIP
	}
	if out.MaxAttachment == 0 {
		out.MaxAttachment = d.MaxAttachment
	}
	if out.ReceiptFontDir == "" {
		out.ReceiptFontDir = d.ReceiptFontDir
	}
	return out
}

const (
	createIPWindow = time.Hour
)
