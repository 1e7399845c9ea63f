package config_test

import (
	"flag"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/config"
)

type sample struct {
	Name  string
	Every time.Duration
}

func (s *sample) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.Name, "sample-name", "trạm", "")
	fs.DurationVar(&s.Every, "sample-every", 90*time.Second, "")
}

// TestDefaults: a config's defaults are what its flags default to.
func TestDefaults(t *testing.T) {
	if got := config.Defaults[sample](); got != (sample{Name: "trạm", Every: 90 * time.Second}) {
		t.Fatalf("Defaults = %+v", got)
	}
	if got := config.Defaults[config.Platform](); got.DataDir != "var/data" || got.DBWait != 30*time.Second {
		t.Fatalf("platform defaults = %+v", got)
	}
}
