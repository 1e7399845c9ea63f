package dossiers

import (
	"crypto/sha256"
	"flag"
	"time"

	"github.com/citizenstation/citizenstation/internal/config"
)

// Config holds the dossier settings.
type Config struct {
	// DataKey seals ID and phone numbers: 32 bytes as base64 or hex, from
	// STATION_DATA_KEY. Losing it loses those numbers; changing it makes the
	// service refuse to start.
	DataKey string
	// DevDataKey allows a fixed, publicly known key when DataKey is empty.
	// For development only: anyone can open what it seals.
	DevDataKey bool
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
		ReceiptFontDir: "/usr/share/fonts/truetype/dejavu"}
}

// RegisterFlags adds the dossier settings to fs. DataDir comes from the
// platform's -data-dir.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	d := DefaultConfig()
	fs.StringVar(&c.DataKey, "data-key", "", "32-byte key (base64 or hex) sealing ID and phone numbers at rest; required unless -dev-data-key")
	fs.BoolVar(&c.DevDataKey, "dev-data-key", false, "DEVELOPMENT ONLY: use a fixed, public data key when -data-key is not set")
	fs.IntVar(&c.TrackPerCode, "track-per-code", d.TrackPerCode, "tracking lookups allowed per tracking code per day")
	fs.IntVar(&c.TrackPerIP, "track-per-ip", d.TrackPerIP, "tracking lookups allowed per client address per hour")
	fs.IntVar(&c.CreatePerIP, "dossiers-per-ip", d.CreatePerIP, "new dossiers allowed per client address per hour")
	fs.Int64Var(&c.MaxAttachment, "max-attachment", d.MaxAttachment, "largest attachment accepted, in bytes")
	fs.StringVar(&c.ReceiptFontDir, "receipt-font-dir", d.ReceiptFontDir, "directory with DejaVuSans.ttf and DejaVuSans-Bold.ttf for receipts")
}

// Validate checks the settings; a bad key is named by its variable and
// never echoed.
func (c *Config) Validate() error {
	if _, err := c.key(); err != nil {
		return err
	}
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

// UsesDevKey reports whether the public development key is in use.
func (c *Config) UsesDevKey() bool { return c.DataKey == "" && c.DevDataKey }

func (c *Config) key() ([]byte, error) {
	if c.DataKey == "" {
		if c.DevDataKey {
			k := sha256.Sum256([]byte("citizenstation development data key: public, never use it for real data"))
			return k[:], nil
		}
		return nil, config.Invalid("data-key", "", "not set: give a 32-byte key as base64 or hex (openssl rand -base64 32), or set STATION_DEV_DATA_KEY=true for development")
	}
	k, err := parseDataKey(c.DataKey)
	if err != nil {
		return nil, config.Invalid("data-key", "(hidden)", err.Error())
	}
	return k, nil
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
	trackCodeWindow = 24 * time.Hour
	trackIPWindow   = time.Hour
	createIPWindow  = time.Hour
)
