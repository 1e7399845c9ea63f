package seal

import (
	"crypto/rand"
	"crypto/sha256"
	"flag"
	"fmt"
	"strings"

	"github.com/citizenstation/citizenstation/internal/config"
)

// Config holds the data keys.
type Config struct {
	// DataKey seals ID and phone numbers and other personal data: 32 bytes
	// as base64 or hex, from STATION_DATA_KEY. Losing it loses those
	// values; a key that opens none of the stored data stops the service.
	DataKey string
	// PreviousKeys are earlier data keys, comma separated, from
	// STATION_DATA_KEYS_PREVIOUS: they still open what they sealed until
	// station rekey seals it again under DataKey.
	PreviousKeys string
	// DevDataKey allows a fixed, publicly known key when DataKey is empty.
	// For development only: anyone can open what it seals.
	DevDataKey bool
}

// RegisterFlags adds the key settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataKey, "data-key", "", "32-byte key (base64 or hex) sealing ID and phone numbers at rest; required unless -dev-data-key")
	fs.StringVar(&c.PreviousKeys, "data-keys-previous", "", "earlier data keys, comma separated, that still open what they sealed (key rotation; see station rekey)")
	fs.BoolVar(&c.DevDataKey, "dev-data-key", false, "DEVELOPMENT ONLY: use a fixed, public data key when -data-key is not set")
}

// Validate checks the keys; a bad key is named by its variable and never
// echoed.
func (c *Config) Validate() error {
	_, err := c.Sealer()
	return err
}

// UsesDevKey reports whether the public development key is in use.
func (c *Config) UsesDevKey() bool { return c.DataKey == "" && c.DevDataKey }

// Sealer returns the sealer of the configured keys.
func (c *Config) Sealer() (*Sealer, error) {
	var current []byte
	switch {
	case c.DataKey != "":
		k, err := ParseKey(c.DataKey)
		if err != nil {
			return nil, config.Invalid("data-key", "(hidden)", err.Error())
		}
		current = k
	case c.DevDataKey:
		k := sha256.Sum256([]byte("citizenstation development data key: public, never use it for real data"))
		current = k[:]
	default:
		return nil, config.Invalid("data-key", "", "not set: give a 32-byte key as base64 or hex (openssl rand -base64 32), or set STATION_DEV_DATA_KEY=true for development")
	}
	var previous [][]byte
	for i, s := range strings.Split(c.PreviousKeys, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		k, err := ParseKey(s)
		if err != nil {
			return nil, config.Invalid("data-keys-previous", "(hidden)", fmt.Sprintf("key %d: %v", i+1, err))
		}
		previous = append(previous, k)
	}
	return New(current, previous...)
}

// MustTest returns a sealer of key (base64), for tests.
func MustTest(key string) *Sealer {
	s, err := (&Config{DataKey: key}).Sealer()
	if err != nil {
		panic(err)
	}
	return s
}

// Ephemeral returns a sealer of a random key made for one run (a
// benchmark's scratch database): what it seals is lost with the process.
func Ephemeral() *Sealer {
	key := make([]byte, 32)
	rand.Read(key)
	s, err := New(key)
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	return s
}
