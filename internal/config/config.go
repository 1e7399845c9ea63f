// Package config holds the platform's settings. Every setting is a flag of
// the station command and an environment variable with the STATION_ prefix
// (flag -database-url is STATION_DATABASE_URL); capabilities keep their own
// settings in their own packages in the same way.
package config

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvPrefix is the prefix of every environment variable the service reads.
const EnvPrefix = "STATION"

// EnvName returns the environment variable that sets flag name.
func EnvName(flagName string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Invalid returns the error for a bad setting, naming its variable and flag.
func Invalid(flagName string, value any, why string) error {
	return fmt.Errorf("%s (-%s) = %q: %s", EnvName(flagName), flagName, fmt.Sprint(value), why)
}

// Platform is what every subcommand that touches the database needs.
type Platform struct {
	DatabaseURL string
	DataDir     string
	LogLevel    string
	LogFormat   string
	DBWait      time.Duration
}

// RegisterFlags adds the platform settings to fs.
func (c *Platform) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", "postgres:///citizenstation", "PostgreSQL connection URL (default: the local socket, database citizenstation)")
	fs.StringVar(&c.DataDir, "data-dir", "var/data", "directory for uploaded scans and media")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", "json", "log format: json or text")
	fs.DurationVar(&c.DBWait, "db-wait", 30*time.Second, "how long to wait for the database at start")
}

// Validate checks the platform settings and creates the data directory.
func (c *Platform) Validate() error {
	if _, err := pgx.ParseConfig(c.DatabaseURL); err != nil {
		return Invalid("database-url", c.DatabaseURL, "not a PostgreSQL connection URL")
	}
	if c.DataDir == "" {
		return Invalid("data-dir", c.DataDir, "must not be empty")
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return Invalid("data-dir", c.DataDir, "cannot create: "+err.Error())
	}
	if c.DBWait < 0 {
		return Invalid("db-wait", c.DBWait, "must not be negative")
	}
	return nil
}

// Server holds the settings of station serve.
type Server struct {
	Addr            string
	Migrate         bool
	ShutdownTimeout time.Duration
	// StreamsPerStation and StreamsPerAddress cap the live streams open on
	// a replica per station and per client address.
	StreamsPerStation int
	StreamsPerAddress int
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed (comma-separated addresses or CIDR ranges; none by default).
	TrustedProxies string
	// MetricsToken is the bearer token of Prometheus scrapers; /metrics is
	// not served without one.
	MetricsToken string
}

// Proxies returns the trusted proxies as a list.
func (c *Server) Proxies() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// RegisterFlags adds the server settings to fs.
func (c *Server) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", ":8080", "address to listen on")
	fs.BoolVar(&c.Migrate, "migrate", true, "apply pending migrations at start")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long requests in flight may finish after SIGTERM")
	fs.IntVar(&c.StreamsPerStation, "streams-per-station", 4, "live streams (payment, consoles) a replica keeps open per station")
	fs.IntVar(&c.StreamsPerAddress, "streams-per-address", 32, "live streams a replica keeps open per client address")
	fs.StringVar(&c.MetricsToken, "metrics-token", "", "bearer token that opens /metrics to Prometheus (empty: /metrics is not served)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", "", "load balancers whose X-Forwarded-For is believed: comma-separated addresses or CIDR ranges (none by default)")
}

// Validate checks the server settings.
func (c *Server) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return Invalid("addr", c.Addr, "want host:port or :port")
	}
	if c.ShutdownTimeout <= 0 {
		return Invalid("shutdown-timeout", c.ShutdownTimeout, "must be positive")
	}
	for _, p := range c.Proxies() {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return Invalid("trusted-proxies", p, "want an IP address or a CIDR range")
			}
		}
	}
	if c.StreamsPerStation < 1 || c.StreamsPerAddress < 1 {
		return Invalid("streams-per-station/address", c.StreamsPerStation, "must be at least 1")
	}
	return nil
}
