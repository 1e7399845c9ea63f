package staff

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/tokens"
)

// Service manages accounts and login sessions.
type Service struct {
	pool    *pgxpool.Pool
	cfg     Config
	ipLimit *ratelimit.Limiter
	// dummyHash is checked when a username does not exist, so that a wrong
	// username takes as long as a wrong password. Made on first use.
	dummyOnce sync.Once
	dummyHash string
}

// NewService returns a Service; zero fields of cfg take their defaults.
func NewService(pool *pgxpool.Pool, cfg Config) *Service {
	d := DefaultConfig()
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = d.SessionTTL
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = min(d.IdleTimeout, cfg.SessionTTL)
	}
	if cfg.LoginAttempts == 0 {
		cfg.LoginAttempts = d.LoginAttempts
	}
	if cfg.LoginWindow == 0 {
		cfg.LoginWindow = d.LoginWindow
	}
	return &Service{
		pool:    pool,
		cfg:     cfg,
		ipLimit: ratelimit.New(pool, 5*cfg.LoginAttempts, cfg.LoginWindow),
	}
}

var usernameRe = regexp.MustCompile(`^[a-z0-9._-]{3,64}$`)

// NewUser is what CreateUser needs.
type NewUser struct {
	Username string
	Role     Role
	Wards    []string
	Password string
}

// CreateUser adds an account. by is who adds it, for the audit log.
func (s *Service) CreateUser(ctx context.Context, by audit.Actor, nu NewUser) (*User, error) {
	username := strings.ToLower(strings.TrimSpace(nu.Username))
	if !usernameRe.MatchString(username) {
		return nil, apperr.New(apperr.Invalid, "bad_username", "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới.")
	}
	if !nu.Role.Valid() {
		return nil, apperr.Errorf(apperr.Invalid, "bad_role", "Vai trò phải là một trong: %s.", joinRoles())
	}
	wards := cleanWards(nu.Wards)
	if len(wards) == 0 && nu.Role.NeedsWards() {
		return nil, apperr.New(apperr.Invalid, "wards_required", "Cán bộ phường và trực ban phải được gán ít nhất một phường.")
	}
	if err := checkPassword(nu.Password); err != nil {
		return nil, err
	}
	hash, err := hashPassword(nu.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Username: username, Role: nu.Role, Wards: wards}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO staff_users (username, password_hash, role, wards) VALUES ($1, $2, $3, $4)
			ON CONFLICT (username) DO NOTHING
			RETURNING id, created_at`, username, hash, nu.Role, wards).Scan(&u.ID, &u.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.Conflict, "username_taken", "Tên đăng nhập này đã có người dùng.")
		}
		if err != nil {
			return fmt.Errorf("create user: %w", database.UnknownWard(err))
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "staff.user_created",
			SubjectKind: "staff_user", SubjectID: username,
			Details: map[string]any{"role": nu.Role, "wards": wards}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword changes a user's password and ends their sessions.
func (s *Service) SetPassword(ctx context.Context, by audit.Actor, username, password string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.changeUser(ctx, by, username, "staff.password_changed",
		`UPDATE staff_users SET password_hash = $2, updated_at = now() WHERE username = $1 RETURNING id`, hash)
}

// Disable stops a user from signing in and ends their sessions. The account
// stays, so the audit log keeps naming it.
func (s *Service) Disable(ctx context.Context, by audit.Actor, username string) error {
	return s.changeUser(ctx, by, username, "staff.user_disabled",
		`UPDATE staff_users SET disabled_at = coalesce(disabled_at, now()), updated_at = now() WHERE username = $1 RETURNING id`)
}

// changeUser runs update on one user, ends the user's sessions and records
// action, all in one transaction.
func (s *Service) changeUser(ctx context.Context, by audit.Actor, username, action, update string, args ...any) error {
	username = strings.ToLower(strings.TrimSpace(username))
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, update, append([]any{username}, args...)...).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "user_not_found", "Không có tài khoản này.")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", action, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM staff_sessions WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: action, SubjectKind: "staff_user", SubjectID: username})
	})
}

// Users lists every account, by username.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, username, role, wards, disabled_at IS NOT NULL, created_at FROM staff_users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) {
		var u User
		err := r.Scan(&u.ID, &u.Username, &u.Role, &u.Wards, &u.Disabled, &u.CreatedAt)
		return u, err
	})
}

var errBadLogin = apperr.New(apperr.Unauthorized, "bad_login", "Tên đăng nhập hoặc mật khẩu không đúng.")

// Login checks a username and password and opens a session. from is the
// client (IP and user agent; user fields are ignored). Attempts are limited
// per client address, failures back off per username and address
// (backoff.go), and every attempt is audited.
func (s *Service) Login(ctx context.Context, from audit.Actor, username, password string) (*Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if err := s.ipLimit.AllowSubject(ctx, s.cfg.Sealer, "login:ip:", from.IP); err != nil {
		return nil, err
	}
	if err := s.checkBackoff(ctx, username, from.IP); err != nil {
		return nil, err
	}
	u, hash, err := s.userByName(ctx, username)
	found := err == nil
	if err != nil && !apperr.IsKind(err, apperr.NotFound) {
		return nil, err
	}
	if !found {
		s.dummyOnce.Do(func() { s.dummyHash, _ = hashPassword("citizenstation-no-such-user") })
		hash = s.dummyHash
	}
	ok, err := verifyPassword(password, hash)
	if err != nil {
		return nil, fmt.Errorf("verify password of %s: %w", username, err)
	}
	failure := ""
	switch {
	case !found:
		failure = "no_such_user"
	case !ok:
		failure = "wrong_password"
	case u.Disabled:
		failure = "disabled"
	}
	if failure != "" {
		entry := audit.Entry{Actor: from, Action: "staff.login_failed", SubjectKind: "staff_user", SubjectID: username,
			Details: map[string]any{"reason": failure}}
		entry.Actor.Username = ""
		if err := audit.Record(ctx, s.pool, entry); err != nil {
			return nil, err
		}
		if err := s.recordFailure(ctx, username, from.IP); err != nil {
			return nil, err
		}
		return nil, errBadLogin
	}

	sess := &Session{Token: tokens.New(), CSRFToken: tokens.New(), User: u,
		ExpiresAt: time.Now().Add(s.cfg.SessionTTL).Truncate(time.Second)}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Clearing out expired sessions here keeps the table small without
		// a background job.
		if _, err := tx.Exec(ctx, `DELETE FROM staff_sessions WHERE expires_at < now()`); err != nil {
			return err
		}
		if err := s.clearFailures(ctx, tx, username, from.IP); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO staff_sessions (token_hash, user_id, csrf_token, ip, user_agent, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			tokens.Hash(sess.Token), u.ID, sess.CSRFToken, from.IP, truncate(from.UserAgent, 512), sess.ExpiresAt); err != nil {
			return fmt.Errorf("open session: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: ActorOf(u, from), Action: "staff.login", SubjectKind: "staff_user", SubjectID: u.Username})
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

var errNoSession = apperr.New(apperr.Unauthorized, "not_signed_in", "Phiên làm việc đã hết hạn. Xin đăng nhập lại.")

// Authenticate returns the live session whose cookie token is token. The
// returned Session has no Token.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, errNoSession
	}
	h := tokens.Hash(token)
	sess := &Session{User: &User{}}
	var lastSeen time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT s.csrf_token, s.expires_at, s.last_seen_at, u.id, u.username, u.role, u.wards, u.created_at,
			ARRAY(SELECT coalesce(ward_name(w.code), '') FROM unnest(u.wards) WITH ORDINALITY AS w (code, n) ORDER BY w.n)
		FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - $2::interval
		  AND u.disabled_at IS NULL`, h, s.cfg.IdleTimeout).
		Scan(&sess.CSRFToken, &sess.ExpiresAt, &lastSeen, &sess.User.ID, &sess.User.Username, &sess.User.Role, &sess.User.Wards, &sess.User.CreatedAt,
			&sess.User.WardNames)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	// Writing last_seen_at at most once a minute keeps reads read-only.
	if time.Since(lastSeen) > time.Minute {
		if _, err := s.pool.Exec(ctx, `UPDATE staff_sessions SET last_seen_at = now() WHERE token_hash = $1`, h); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return sess, nil
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, by audit.Actor, token string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM staff_sessions WHERE token_hash = $1`, tokens.Hash(token)); err != nil {
			return fmt.Errorf("logout: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "staff.logout", SubjectKind: "staff_user", SubjectID: by.Username})
	})
}

func (s *Service) userByName(ctx context.Context, username string) (*User, string, error) {
	u := &User{}
	var hash string
	err := s.pool.QueryRow(ctx, `
		SELECT id, username, role, wards, disabled_at IS NOT NULL, created_at, password_hash
		FROM staff_users WHERE username = $1`, username).
		Scan(&u.ID, &u.Username, &u.Role, &u.Wards, &u.Disabled, &u.CreatedAt, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", apperr.New(apperr.NotFound, "user_not_found", "Không có tài khoản này.")
	}
	if err != nil {
		return nil, "", fmt.Errorf("find user: %w", err)
	}
	return u, hash, nil
}

// ActorOf is u acting from the client in from, for the audit log.
func ActorOf(u *User, from audit.Actor) audit.Actor {
	if u == nil {
		return from
	}
	from.UserID, from.Username, from.Role = u.ID, u.Username, string(u.Role)
	return from
}

func cleanWards(wards []string) []string {
	out := []string{}
	for _, w := range wards {
		if w = strings.TrimSpace(w); w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func joinRoles() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
