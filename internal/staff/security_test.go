package staff_test

import (
	"context"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
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
