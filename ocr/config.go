package ocr

import (
	"flag"
	"runtime"
	"time"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/imagelimit"
)

// Limits on what an upload may be. A scan over these is refused before it
// is decoded, so a decompression bomb never reaches memory.
const (
	MaxBytes  = 15 << 20 // 15 MB
	MaxPixels = imagelimit.MaxPixels
)

// Config holds the OCR settings.
type Config struct {
	// Workers is how many Tesseract clients run at once; each runs
	// single-threaded, so one per core is the useful maximum.
	Workers int
	// Queue is how many requests may wait for a worker; more are refused
	// at once with 503 and Retry-After.
	Queue int
	// QueueTimeout is how long a request may wait for a worker.
	QueueTimeout time.Duration
	// Languages are Tesseract's language data, e.g. vie.
	Languages []string
	// Tessdata is the directory of the text engine's language data; empty
	// is Tesseract's own (Debian's tesseract-ocr-vie: the "fast" integer
	// model). scripts/setup puts the "best" integer model in
	// BestIntTessdata. The MRZ's Latin engine always uses Tesseract's own.
	Tessdata string
}

// BestIntTessdata is where scripts/setup installs Tesseract's "best"
// integer Vietnamese model (from the npm package @tesseract.js-data/vie).
const BestIntTessdata = "/usr/local/share/tessdata-best-int"

// DefaultConfig is what the service runs with when nothing is set.
func DefaultConfig() Config {
	return Config{
		Workers:      runtime.NumCPU(),
		Queue:        4 * runtime.NumCPU(),
		QueueTimeout: 20 * time.Second,
		Languages:    []string{"vie"},
	}
}

// RegisterFlags adds the OCR settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	d := DefaultConfig()
	fs.IntVar(&c.Workers, "ocr-workers", d.Workers, "Tesseract clients running at once (default: the number of cores)")
	fs.IntVar(&c.Queue, "ocr-queue", d.Queue, "scans that may wait for a free Tesseract client; more get 503")
	fs.DurationVar(&c.QueueTimeout, "ocr-queue-timeout", d.QueueTimeout, "how long a scan may wait for a free Tesseract client")
	fs.StringVar(&c.Tessdata, "ocr-tessdata", "", "directory of the text model's language data (default: Tesseract's own, the fast model; "+BestIntTessdata+" has the best integer model)")
	c.Languages = d.Languages
}

// Validate checks the OCR settings.
func (c *Config) Validate() error {
	if c.Workers < 1 || c.Workers > 64 {
		return config.Invalid("ocr-workers", c.Workers, "must be between 1 and 64")
	}
	if c.Queue < 0 {
		return config.Invalid("ocr-queue", c.Queue, "must not be negative")
	}
	if c.QueueTimeout <= 0 {
		return config.Invalid("ocr-queue-timeout", c.QueueTimeout, "must be positive")
	}
	if len(c.Languages) == 0 {
		c.Languages = DefaultConfig().Languages
	}
	return nil
}
