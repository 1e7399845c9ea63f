package staff_test

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
)

// Low: weak staff passwords were accepted; now length and a list of
// common passwords are checked.
func TestSecurityWeakPasswordsRefused(t *testing.T) {
	svc := staff.NewService(dbtest.New(t), staff.Config{})
	root := audit.Actor{Username: "root", Role: "cli"}
	for _, pw := range []string{"1234567890", "Password123", "aaaaaaaaaaaa", "matkhau123", "short"} {
		_, err := svc.CreateUser(context.Background(), root, staff.NewUser{Username: "lan.nguyen", Role: staff.RoleAdmin, Password: pw})
		if code := apperr.CodeOf(err); code != "password_common" && code != "password_too_short" {
			t.Errorf("password %q: %v, want it refused", pw, err)
		}
	}
	if _, err := svc.CreateUser(context.Background(), root, staff.NewUser{Username: "lan.nguyen", Role: staff.RoleAdmin, Password: "mật-khẩu-đủ-dài"}); err != nil {
		t.Fatalf("a good password refused: %v", err)
	}
}

// Low: anyone could lock a known user out by failing to sign in as them
// ten times. Failures now count per username and client address, and lead
// to a wait that doubles with each further failure (30 s, 1 min, …, up to
// the window), not to a lock: the user signs in from their own address.
func TestSecurityLoginBackoffPerAddress(t *testing.T) {
	pool := dbtest.New(t)
	svc := staff.NewService(pool, staff.Config{LoginAttempts: 3, LoginWindow: time.Hour})
	u, pass := stafftest.NewUser(t, pool, staff.RoleWardStaff, "26740")
	ctx := context.Background()
	attacker, office := audit.Actor{IP: "203.0.113.9"}, audit.Actor{IP: "198.51.100.20"}
	for i := range 3 {
		if _, err := svc.Login(ctx, attacker, u.Username, "sai-mat-khau"); !apperr.IsKind(err, apperr.Unauthorized) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	wait := func(want time.Duration) {
		t.Helper()
		_, err := svc.Login(ctx, attacker, u.Username, pass)
		if e := apperr.From(err); e.Code != "login_backoff" || e.RetryAfter <= want-5*time.Second || e.RetryAfter > want {
			t.Fatalf("the attacker's next attempt: %v (retry after %s), want a wait of about %s", err, e.RetryAfter, want)
		}
	}
	wait(30 * time.Second)
	if _, err := svc.Login(ctx, office, u.Username, pass); err != nil {
		t.Fatalf("the user at the office is locked out: %v", err)
	}
	// The wait over, one more failure doubles it.
	pool.Exec(ctx, `UPDATE staff_login_failures SET last_failed_at = last_failed_at - interval '31 seconds'`)
	if _, err := svc.Login(ctx, attacker, u.Username, "sai-nua"); !apperr.IsKind(err, apperr.Unauthorized) {
		t.Fatalf("after the wait: %v", err)
	}
	wait(time.Minute)
}

// Medium: the sign-in limits kept usernames and client addresses in plain
// text (staff_login_failures, the address limit's key). They now keep
// keyed digests under the data key; the backoff still holds, a sign-in
// still clears it, and migration 02300 forgets the plain rows kept before.
func TestSecurityLoginLimitsKeepNoPlainNames(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	if err := database.MigrateDownTo(ctx, pool, 2299); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO staff_login_failures (username, ip, failures) VALUES ('old.user', '192.0.2.44', 4)`,
		`INSERT INTO rate_limits (key, window_start, hits) VALUES ('login:ip:192.0.2.44', now(), 4),
			('report:ip:` + strings.Repeat("ab", 12) + `', now(), 2), ('report:device:` + strings.Repeat("cd", 12) + `', now(), 2)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := database.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if left := dbtest.Texts(t, pool, `SELECT t::text FROM staff_login_failures t UNION ALL SELECT key FROM rate_limits`); len(left) != 0 {
		t.Fatalf("plain rows left by the migration: %q", left)
	}

	svc := staff.NewService(pool, staff.Config{LoginAttempts: 2, LoginWindow: time.Hour,
		Sealer: seal.MustTest("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=")})
	u, pass := stafftest.NewUser(t, pool, staff.RoleWardStaff, "26740")
	attacker, office := audit.Actor{IP: "203.0.113.9"}, audit.Actor{IP: "198.51.100.20"}
	for i := range 2 {
		if _, err := svc.Login(ctx, attacker, u.Username, "sai-mat-khau"); !apperr.IsKind(err, apperr.Unauthorized) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if _, err := svc.Login(ctx, office, u.Username, "sai-mat-khau"); !apperr.IsKind(err, apperr.Unauthorized) {
		t.Fatalf("the office's wrong password: %v", err)
	}
	stored := dbtest.Texts(t, pool, `SELECT t::text FROM staff_login_failures t
		UNION ALL SELECT key || ' ' || encode(coalesce(subject_sealed, ''), 'escape') FROM rate_limits`)
	if len(stored) != 4 { // two failures' rows, two addresses' counts
		t.Fatalf("stored %q, want the failures of two addresses and their two counts", stored)
	}
	for _, text := range stored {
		for _, plain := range []string{u.Username, attacker.IP, office.IP} {
			if strings.Contains(text, plain) || strings.Contains(text, hex.EncodeToString([]byte(plain))) {
				t.Errorf("%q holds %s", text, plain)
			}
		}
	}
	if _, err := svc.Login(ctx, attacker, u.Username, pass); apperr.CodeOf(err) != "login_backoff" {
		t.Fatalf("the attacker's third attempt: %v, want login_backoff", err)
	}
	if _, err := svc.Login(ctx, office, u.Username, pass); err != nil {
		t.Fatalf("the office signs in: %v", err)
	}
	if n := len(dbtest.Texts(t, pool, `SELECT t::text FROM staff_login_failures t`)); n != 1 {
		t.Errorf("%d failures' rows after the office signed in, want only the attacker's", n)
	}
}
