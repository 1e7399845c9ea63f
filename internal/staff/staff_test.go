package staff_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
)

// wardRoutes is a capability that only ward staff may change, to exercise
// Require, UserFrom and CanSeeWard.
type wardRoutes struct{ svc *staff.Service }

func (w wardRoutes) RegisterRoutes(r *gin.RouterGroup) {
	g := r.Group("/api/v1/test", w.svc.Require(staff.RoleWardStaff, staff.RoleAdmin))
	handler := func(c *gin.Context) {
		u, _ := staff.UserFrom(c)
		c.JSON(http.StatusOK, gin.H{"user": u.Username, "sees": u.CanSeeWard(c.Query("ward"))})
	}
	g.GET("/ward", handler)
	g.POST("/ward", handler)
}

// TestLoginSessionsAndRoles signs a ward user in over HTTP, then plays a
// table of requests with that session, others and none, and reads the
// audit log the session left. It is long because the three parts share one
// session: the table needs the cookie and CSRF token of the sign-in, and the
// audit check needs the requests of the table.
func TestLoginSessionsAndRoles(t *testing.T) {
	pool := dbtest.New(t)
	svc := staff.NewService(pool, staff.Config{CookieSecure: true})
	h := httpserver.New(httpserver.Options{}, &staff.Handler{Service: svc}, wardRoutes{svc}).Handler()

	ward, wardPass := stafftest.NewUser(t, pool, staff.RoleWardStaff, "26740")
	duty := stafftest.SignIn(t, pool, staff.RoleDutyOfficer, "26740")
	admin := stafftest.SignIn(t, pool, staff.RoleAdmin)
	disabled, disabledPass := stafftest.NewUser(t, pool, staff.RoleWardStaff, "26740")
	if err := svc.Disable(context.Background(), audit.Actor{Username: "root"}, disabled.Username); err != nil {
		t.Fatal(err)
	}

	// Sign the ward user in over HTTP and check the cookie.
	rec := (*stafftest.Client)(nil).Do(t, h, "POST", "/api/v1/auth/login", map[string]string{"username": ward.Username, "password": wardPass})
	if rec.Code != 200 {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	var login struct {
		CSRF string      `json:"csrf_token"`
		User *staff.User `json:"user"`
	}
	json.Unmarshal(rec.Body.Bytes(), &login)
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == staff.CookieName {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteStrictMode || cookie.Value == "" {
		t.Fatalf("session cookie = %+v", cookie)
	}
	if login.CSRF == "" || login.User.Role != staff.RoleWardStaff || login.User.Wards[0] != "26740" {
		t.Fatalf("login body %s", rec.Body)
	}
	wardClient := &stafftest.Client{User: ward, Token: cookie.Value, CSRF: login.CSRF}
	noCSRF := &stafftest.Client{User: ward, Token: cookie.Value}
	wrongCSRF := &stafftest.Client{User: ward, Token: cookie.Value, CSRF: duty.CSRF}

	tests := []struct {
		name       string
		as         *stafftest.Client
		method     string
		path       string
		body       any
		wantStatus int
		wantBody   string
	}{
		{"wrong password", nil, "POST", "/api/v1/auth/login", map[string]string{"username": ward.Username, "password": "wrong-password"}, 401, "bad_login"},
		{"unknown user", nil, "POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "whatever123"}, 401, "bad_login"},
		{"disabled user", nil, "POST", "/api/v1/auth/login", map[string]string{"username": disabled.Username, "password": disabledPass}, 401, "bad_login"},
		{"empty login", nil, "POST", "/api/v1/auth/login", map[string]string{"username": ward.Username}, 400, "login_incomplete"},
		{"me without session", nil, "GET", "/api/v1/auth/me", nil, 401, "not_signed_in"},
		{"me with a forged cookie", &stafftest.Client{Token: "forged"}, "GET", "/api/v1/auth/me", nil, 401, "not_signed_in"},
		{"me", wardClient, "GET", "/api/v1/auth/me", nil, 200, `"username":"` + ward.Username + `"`},
		{"me shows csrf", wardClient, "GET", "/api/v1/auth/me", nil, 200, login.CSRF},
		{"role allowed to read", wardClient, "GET", "/api/v1/test/ward?ward=26740", nil, 200, `"sees":true`},
		{"other ward not seen", wardClient, "GET", "/api/v1/test/ward?ward=26737", nil, 200, `"sees":false`},
		{"admin sees every ward", admin, "GET", "/api/v1/test/ward?ward=26737", nil, 200, `"sees":true`},
		{"other role refused", duty, "GET", "/api/v1/test/ward", nil, 403, "role_forbidden"},
		{"post with csrf", wardClient, "POST", "/api/v1/test/ward?ward=26740", nil, 200, `"sees":true`},
		{"post without csrf", noCSRF, "POST", "/api/v1/test/ward", nil, 403, "csrf_invalid"},
		{"post with another session's csrf", wrongCSRF, "POST", "/api/v1/test/ward", nil, 403, "csrf_invalid"},
		{"logout without csrf", noCSRF, "POST", "/api/v1/auth/logout", nil, 403, "csrf_invalid"},
		{"logout", wardClient, "POST", "/api/v1/auth/logout", nil, 204, ""},
		{"session gone after logout", wardClient, "GET", "/api/v1/auth/me", nil, 401, "not_signed_in"},
		{"other sessions live on", duty, "GET", "/api/v1/auth/me", nil, 200, duty.User.Username},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.as.Do(t, h, tt.method, tt.path, tt.body)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("%s %s = %d %s; want %d with %q", tt.method, tt.path, rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}

	// Every login, failure and logout is in the audit log, with the client.
	entries, err := audit.List(context.Background(), pool, audit.Filter{SubjectKind: "staff_user", SubjectID: ward.Username})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.Action != "staff.user_created" && (e.IP != "192.0.2.10" || e.UserAgent != "stafftest") {
			t.Errorf("%s without the client: %+v", e.Action, e)
		}
	}
	want := "staff.logout staff.login_failed staff.login staff.user_created"
	if strings.Join(actions, " ") != want {
		t.Errorf("audit actions %v, want %s", actions, want)
	}
}

func TestFormLoginAndCSRFField(t *testing.T) {
	pool := dbtest.New(t)
	svc := staff.NewService(pool, staff.Config{})
	h := httpserver.New(httpserver.Options{}, &staff.Handler{Service: svc}, wardRoutes{svc}).Handler()
	u, pass := stafftest.NewUser(t, pool, staff.RoleWardStaff, "26740")

	r := stafftest.NewRequest(t, "POST", "/api/v1/auth/login", "username="+u.Username+"&password="+pass)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := stafftest.Record(h, r)
	if rec.Code != 303 || rec.Header().Get("Location") != "/staff" {
		t.Fatalf("form login: %d to %q, want 303 to the queue", rec.Code, rec.Header().Get("Location"))
	}
	cookie := rec.Result().Cookies()[0]
	me := stafftest.NewRequest(t, "GET", "/api/v1/auth/me", nil)
	me.AddCookie(cookie)
	var sess staff.Session
	json.Unmarshal(stafftest.Record(h, me).Body.Bytes(), &sess)

	// A wrong password goes back to the form, with the page asked for.
	r = stafftest.NewRequest(t, "POST", "/api/v1/auth/login", "username="+u.Username+"&password=wrong&next=%2Fduty")
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := stafftest.Record(h, r); rec.Code != 303 || rec.Header().Get("Location") != "/staff/login?error=bad_login&next=%2Fduty" {
		t.Errorf("wrong password: %d to %q", rec.Code, rec.Header().Get("Location"))
	}

	for _, tt := range []struct {
		field string
		want  int
	}{{sess.CSRFToken, 200}, {"nope", 403}} {
		r := stafftest.NewRequest(t, "POST", "/api/v1/test/ward", "csrf_token="+tt.field)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(cookie)
		if rec := stafftest.Record(h, r); rec.Code != tt.want {
			t.Errorf("csrf field %q: %d %s, want %d", tt.field, rec.Code, rec.Body, tt.want)
		}
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	pool := dbtest.New(t)
	svc := staff.NewService(pool, staff.Config{LoginAttempts: 3, LoginWindow: time.Hour})
	u, pass := stafftest.NewUser(t, pool, staff.RoleWardStaff, "26740")
	ctx := context.Background()
	from := audit.Actor{IP: "198.51.100.7"}
	for i := 0; i < 3; i++ {
		if _, err := svc.Login(ctx, from, u.Username, "wrong-password"); !apperr.IsKind(err, apperr.Unauthorized) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// The right password no longer helps within the window.
	_, err := svc.Login(ctx, from, u.Username, pass)
	if !apperr.IsKind(err, apperr.RateLimited) || apperr.From(err).RetryAfter <= 0 {
		t.Fatalf("fourth attempt: %v, want rate limited with a retry time", err)
	}
	// One address trying many usernames is stopped too (5 × 3 attempts).
	other := audit.Actor{IP: "198.51.100.8"}
	var limited bool
	for i := 0; i < 16 && !limited; i++ {
		_, err := svc.Login(ctx, other, "guess"+string(rune('a'+i)), "wrong-password")
		limited = apperr.IsKind(err, apperr.RateLimited)
	}
	if !limited {
		t.Fatal("one address could try 16 usernames")
	}
}

func TestAccountsAndPasswords(t *testing.T) {
	pool := dbtest.New(t)
	svc := staff.NewService(pool, staff.Config{})
	ctx := context.Background()
	root := audit.Actor{Username: "root", Role: "cli"}

	bad := []struct {
		nu   staff.NewUser
		code string
	}{
		{staff.NewUser{Username: "Ab", Role: staff.RoleAdmin, Password: "long-enough-1"}, "bad_username"},
		{staff.NewUser{Username: "lan.nguyen", Role: "mayor", Password: "long-enough-1"}, "bad_role"},
		{staff.NewUser{Username: "lan.nguyen", Role: staff.RoleWardStaff, Password: "long-enough-1"}, "wards_required"},
		{staff.NewUser{Username: "lan.nguyen", Role: staff.RoleWardStaff, Wards: []string{"26740"}, Password: "short"}, "password_too_short"},
		// 26734 was the invented sample's Sài Gòn; only the official list's codes are wards.
		{staff.NewUser{Username: "lan.nguyen", Role: staff.RoleWardStaff, Wards: []string{"26740", "26734"}, Password: "long-enough-1"}, "unknown_ward"},
	}
	for _, tt := range bad {
		if _, err := svc.CreateUser(ctx, root, tt.nu); apperr.CodeOf(err) != tt.code {
			t.Errorf("CreateUser(%+v) = %v, want %s", tt.nu, err, tt.code)
		}
	}
	u, err := svc.CreateUser(ctx, root, staff.NewUser{Username: " Lan.Nguyen ", Role: staff.RoleWardStaff, Wards: []string{"26740", " 26737", "26740"}, Password: "mật-khẩu-đủ-dài"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "lan.nguyen" || strings.Join(u.Wards, ",") != "26740,26737" {
		t.Fatalf("user = %+v", u)
	}
	if _, err := svc.CreateUser(ctx, root, staff.NewUser{Username: "lan.nguyen", Role: staff.RoleAdmin, Password: "long-enough-1"}); apperr.CodeOf(err) != "username_taken" {
		t.Fatalf("duplicate: %v", err)
	}
	var hash string
	pool.QueryRow(ctx, `SELECT password_hash FROM staff_users WHERE username = 'lan.nguyen'`).Scan(&hash)
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(hash, "mật") {
		t.Fatalf("stored hash %q", hash)
	}

	sess, err := svc.Login(ctx, audit.Actor{IP: "10.0.0.1"}, "LAN.NGUYEN", "mật-khẩu-đủ-dài")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	// A new password ends the old sessions and replaces the old password.
	if err := svc.SetPassword(ctx, root, "lan.nguyen", "another-long-one"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, sess.Token); !apperr.IsKind(err, apperr.Unauthorized) {
		t.Fatalf("session after password change: %v", err)
	}
	if _, err := svc.Login(ctx, audit.Actor{IP: "10.0.0.1"}, "lan.nguyen", "mật-khẩu-đủ-dài"); !apperr.IsKind(err, apperr.Unauthorized) {
		t.Fatalf("old password: %v", err)
	}
	sess, err = svc.Login(ctx, audit.Actor{IP: "10.0.0.1"}, "lan.nguyen", "another-long-one")
	if err != nil {
		t.Fatal(err)
	}
	// Disabling ends sessions at once.
	if err := svc.Disable(ctx, root, "lan.nguyen"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, sess.Token); !apperr.IsKind(err, apperr.Unauthorized) {
		t.Fatalf("session after disable: %v", err)
	}
	if err := svc.Disable(ctx, root, "nobody"); !apperr.IsKind(err, apperr.NotFound) {
		t.Fatalf("disable unknown: %v", err)
	}
	// Sessions are stored by hash only.
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM staff_sessions WHERE token_hash::text LIKE '%' || $1 || '%'`, sess.Token).Scan(&n)
	if n != 0 {
		t.Fatal("raw token stored")
	}
}

func TestIdleSessionsEnd(t *testing.T) {
	pool := dbtest.New(t)
	svc := staff.NewService(pool, staff.Config{IdleTimeout: 10 * time.Minute})
	c := stafftest.SignIn(t, pool, staff.RoleCommandCentre)
	ctx := context.Background()
	if _, err := svc.Authenticate(ctx, c.Token); err != nil {
		t.Fatal(err)
	}
	pool.Exec(ctx, `UPDATE staff_sessions SET last_seen_at = now() - interval '11 minutes'`)
	if _, err := svc.Authenticate(ctx, c.Token); !apperr.IsKind(err, apperr.Unauthorized) {
		t.Fatalf("idle session: %v", err)
	}
}

func TestHomeOf(t *testing.T) {
	ward := &staff.User{Role: staff.RoleWardStaff}
	for next, want := range map[string]string{"": "/staff", "/duty?x=1": "/duty?x=1", "//evil.example": "/staff",
		"https://evil.example": "/staff", `/\evil.example`: "/staff", "/\t/evil.example": "/staff", "/\n/evil.example": "/staff",
		"/staff/x\\y": "/staff", "/%5Cevil.example": "/%5Cevil.example"} {
		if got := staff.HomeOf(ward, next); got != want {
			t.Errorf("HomeOf(%q) = %q, want %q", next, got, want)
		}
	}
	if got := staff.HomeOf(&staff.User{Role: staff.RoleDutyOfficer}, ""); got != "/duty" {
		t.Errorf("duty officer goes to %q", got)
	}
	if got := staff.HomeOf(&staff.User{Role: staff.RoleEvaluator}, ""); got != "/staff/evals" {
		t.Errorf("an evaluator goes to %q", got)
	}
}

func TestCanSeeWard(t *testing.T) {
	tests := []struct {
		u    staff.User
		ward string
		want bool
	}{
		{staff.User{Role: staff.RoleWardStaff, Wards: []string{"26740"}}, "26740", true},
		{staff.User{Role: staff.RoleWardStaff, Wards: []string{"26740"}}, "26737", false},
		{staff.User{Role: staff.RoleDutyOfficer, Wards: []string{"26740", "26737"}}, "26737", true},
		{staff.User{Role: staff.RoleCommandCentre}, "26737", true},
		{staff.User{Role: staff.RoleAdmin}, "", true},
		{staff.User{Role: staff.RoleWardStaff, Wards: []string{"26740"}, Disabled: true}, "26740", false},
	}
	for _, tt := range tests {
		if got := tt.u.CanSeeWard(tt.ward); got != tt.want {
			t.Errorf("%s %v CanSeeWard(%s) = %v", tt.u.Role, tt.u.Wards, tt.ward, got)
		}
	}
	if (*staff.User)(nil).CanSeeWard("26740") {
		t.Error("nil user sees a ward")
	}
}

// A session's wards are labelled by name, and by the stand-in for a code
// no table names (a unit dropped from the official list after the account
// was given it).
func TestWardLabels(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	c := stafftest.SignIn(t, pool, staff.RoleDutyOfficer, "26740", "26737")
	if _, err := pool.Exec(ctx, `DELETE FROM admin_units WHERE code = '26737'`); err != nil {
		t.Fatal(err)
	}
	sess, err := staff.NewService(pool, staff.Config{}).Authenticate(ctx, c.Token)
	if err != nil {
		t.Fatal(err)
	}
	want := []staff.WardLabel{{Code: "26740", Name: "Phường Sài Gòn"}, {Code: "26737", Name: "phường mã 26737"}}
	if got := sess.User.WardLabels(); !slices.Equal(got, want) {
		t.Errorf("WardLabels() = %v, want %v", got, want)
	}
}

// TestConsolePagesByRole: the header offers each role exactly the pages
// its routes let it open.
func TestConsolePagesByRole(t *testing.T) {
	for role, want := range map[staff.Role][]string{
		staff.RoleWardStaff:     {"/staff", "/staff/help", "/staff/places"},
		staff.RoleDutyOfficer:   {"/duty", "/staff/help"},
		staff.RoleCommandCentre: {"/staff", "/duty", "/staff/help", "/staff/stations", "/staff/stations/stats"},
		staff.RoleAdmin:         {"/staff", "/staff/help", "/staff/stations", "/staff/stations/stats", "/staff/places"},
		staff.RoleEvaluator:     nil,
	} {
		var got []string
		for _, p := range (&staff.User{Role: role}).ConsolePages() {
			got = append(got, p.Path)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s sees %v, want %v", role, got, want)
		}
	}
}
