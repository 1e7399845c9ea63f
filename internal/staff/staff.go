// Package staff is who may work in the service: staff accounts with a role
// and the wards they serve, passwords hashed with argon2id, login sessions
// kept in PostgreSQL (so any replica serves any request) behind an HTTP-only
// cookie with a per-session CSRF token, and the Gin middleware other
// capabilities put in front of their staff routes.
package staff

import (
	"flag"
	"slices"
	"time"

	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Role decides what a user may do; wards decide where.
type Role string

// The roles. Ward staff review dossiers and duty officers handle incident
// reports, each in their own wards; the command centre and admins see every
// ward. Evaluators see no ward's data at all: only the stored eval runs.
const (
	RoleWardStaff     Role = "ward_staff"
	RoleDutyOfficer   Role = "duty_officer"
	RoleCommandCentre Role = "command_centre"
	RoleAdmin         Role = "admin"
	RoleEvaluator     Role = "evaluator"
)

// Roles lists every role, in the order they are shown.
var Roles = []Role{RoleWardStaff, RoleDutyOfficer, RoleCommandCentre, RoleAdmin, RoleEvaluator}

// NeedsWards reports whether the role works in wards it must be given.
func (r Role) NeedsWards() bool { return r == RoleWardStaff || r == RoleDutyOfficer }

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// SeesAllWards reports whether the role works across every ward.
func (r Role) SeesAllWards() bool { return r == RoleCommandCentre || r == RoleAdmin }

// User is a staff account.
type User struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Role      Role      `json:"role"`
	Wards     []string  `json:"wards"`
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// WardNames are the names of Wards, in their order, "" for a code no
	// table names; set for a signed-in session, for the console's header.
	WardNames []string `json:"-"`
}

// WardLabel is a ward of the user as the consoles name it.
type WardLabel struct{ Code, Name string }

// WardLabels are the user's wards as a sentence names them
// (vietnamese.WardLabel).
func (u *User) WardLabels() []WardLabel {
	out := make([]WardLabel, len(u.Wards))
	for i, code := range u.Wards {
		var name string
		if i < len(u.WardNames) {
			name = u.WardNames[i]
		}
		out[i] = WardLabel{Code: code, Name: vietnamese.WardLabel(code, name)}
	}
	return out
}

// CanSeeWard reports whether u may see what belongs to ward: the command
// centre and admins see every ward, everyone else only their own.
func (u *User) CanSeeWard(ward string) bool {
	if u == nil || u.Disabled {
		return false
	}
	return u.Role.SeesAllWards() || slices.Contains(u.Wards, ward)
}

// WardFilter returns the wards a query must be limited to, or nil when u
// sees every ward. Queries use it as "ward = ANY($n) OR $n IS NULL".
func (u *User) WardFilter() []string {
	if u.Role.SeesAllWards() {
		return nil
	}
	return u.Wards
}

// HasRole reports whether u has one of roles.
func (u *User) HasRole(roles ...Role) bool { return slices.Contains(roles, u.Role) }

// Session is a signed-in user's login. Token is known only when the session
// is opened: the database keeps its hash.
type Session struct {
	Token     string    `json:"-"`
	CSRFToken string    `json:"csrf_token"`
	User      *User     `json:"user"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Config holds the staff login settings.
type Config struct {
	// CookieSecure marks the session cookie Secure. Turn it off only for
	// plain-HTTP development on another host than localhost.
	CookieSecure bool
	// SessionTTL is the longest a login lasts; IdleTimeout ends it sooner
	// when the user does nothing.
	SessionTTL  time.Duration
	IdleTimeout time.Duration
	// LoginAttempts is how many logins one username may try per
	// LoginWindow; one client address may try five times as many.
	LoginAttempts int
	LoginWindow   time.Duration
	// Sealer keys the sign-in limits' digests of usernames and client
	// addresses under the data key (the wiring sets it, no flag); nil keeps
	// them as they are, for tools and tests that never sign in.
	Sealer *seal.Sealer
}

// DefaultConfig is what the flags default to.
func DefaultConfig() Config {
	return Config{
		CookieSecure:  true,
		SessionTTL:    12 * time.Hour,
		IdleTimeout:   time.Hour,
		LoginAttempts: 10,
		LoginWindow:   15 * time.Minute,
	}
}

// RegisterFlags adds the staff settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	d := DefaultConfig()
	fs.BoolVar(&c.CookieSecure, "cookie-secure", d.CookieSecure, "mark the staff session cookie Secure (HTTPS only); false only for plain-HTTP development")
	fs.DurationVar(&c.SessionTTL, "session-ttl", d.SessionTTL, "longest a staff login lasts")
	fs.DurationVar(&c.IdleTimeout, "session-idle-timeout", d.IdleTimeout, "a staff login ends after this long without a request")
	fs.IntVar(&c.LoginAttempts, "login-attempts", d.LoginAttempts, "failed logins per username and client address before each further attempt waits (30s, doubling, up to the login window); per client address: five times as many attempts per window")
	fs.DurationVar(&c.LoginWindow, "login-window", d.LoginWindow, "the window login attempts are counted in")
}

// Validate checks the settings.
func (c *Config) Validate() error {
	if c.SessionTTL < time.Minute {
		return config.Invalid("session-ttl", c.SessionTTL, "must be at least a minute")
	}
	if c.IdleTimeout < time.Minute || c.IdleTimeout > c.SessionTTL {
		return config.Invalid("session-idle-timeout", c.IdleTimeout, "must be at least a minute and at most the session TTL")
	}
	if c.LoginAttempts < 1 {
		return config.Invalid("login-attempts", c.LoginAttempts, "must be at least 1")
	}
	if c.LoginWindow < time.Second {
		return config.Invalid("login-window", c.LoginWindow, "must be at least a second")
	}
	return nil
}
