// Package stafftest gives other packages' tests signed-in staff: an account
// of a given role and wards in a dbtest database, a live session for it, and
// requests that carry its cookie and CSRF token.
package stafftest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/staff"
)

// NewUser creates an active account with a random username and password
// and returns it with the password.
func NewUser(tb testing.TB, pool *pgxpool.Pool, role staff.Role, wards ...string) (*staff.User, string) {
	tb.Helper()
	password := "pw-" + randomHex(8)
	u, err := staff.NewService(pool, staff.Config{}).CreateUser(context.Background(), audit.Actor{Role: "test"},
		staff.NewUser{Username: string(role) + "-" + randomHex(4), Role: role, Wards: wards, Password: password})
	if err != nil {
		tb.Fatalf("stafftest: create %s user: %v", role, err)
	}
	return u, password
}

// Client is a signed-in staff member.
type Client struct {
	User     *staff.User
	Password string
	Token    string // the session cookie's value
	CSRF     string
}

// SignIn creates an account of role in wards and opens a session for it.
func SignIn(tb testing.TB, pool *pgxpool.Pool, role staff.Role, wards ...string) *Client {
	tb.Helper()
	u, password := NewUser(tb, pool, role, wards...)
	// Many sign-ins from one test must not trip the login rate limit.
	svc := staff.NewService(pool, staff.Config{LoginAttempts: 1 << 20})
	sess, err := svc.Login(context.Background(),
		audit.Actor{IP: "127.0.0.1", UserAgent: "stafftest"}, u.Username, password)
	if err != nil {
		tb.Fatalf("stafftest: sign in %s: %v", u.Username, err)
	}
	return &Client{User: u, Password: password, Token: sess.Token, CSRF: sess.CSRFToken}
}

// Authorize adds the session cookie and CSRF header to r.
func (c *Client) Authorize(r *http.Request) {
	r.AddCookie(&http.Cookie{Name: staff.CookieName, Value: c.Token})
	r.Header.Set(staff.CSRFHeader, c.CSRF)
}

// Do sends a request to h as c (or anonymously when c is nil) and returns
// the recorded response. body is sent as is when it is a string, []byte or
// io.Reader and as JSON otherwise.
func (c *Client) Do(tb testing.TB, h http.Handler, method, path string, body any) *httptest.ResponseRecorder {
	tb.Helper()
	r := NewRequest(tb, method, path, body)
	if c != nil {
		c.Authorize(r)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// NewRequest builds a request with body as Do describes.
func NewRequest(tb testing.TB, method, path string, body any) *http.Request {
	tb.Helper()
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader:
		rd = b
		contentType = ""
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("stafftest: body: %v", err)
		}
		rd = bytes.NewReader(j)
	}
	r := httptest.NewRequest(method, path, rd)
	if rd != nil && contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.RemoteAddr = "192.0.2.10:40000"
	r.Header.Set("User-Agent", "stafftest")
	return r
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Record serves r with h and returns the recorded response.
func Record(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// Page is one GET of a console scenario: who asks (nil: nobody signed in),
// the status wanted and what the answer must hold.
type Page struct {
	Name   string
	As     *Client
	Path   string
	Status int
	Want   []string
}

// CheckPages runs each page of a scenario against h as a subtest. A sign-in
// redirect may be 302 or 303.
func CheckPages(t *testing.T, h http.Handler, pages []Page) {
	t.Helper()
	calls := make([]Call, len(pages))
	for i, p := range pages {
		calls[i] = Call{Name: p.Name, As: p.As, Method: "GET", Path: p.Path, Status: p.Status, Want: p.Want}
	}
	CheckCalls(t, h, calls)
}

// Call is one request of a scenario: who sends it (nil: nobody signed
// in), its method, path and JSON body, the status wanted and what the
// answer must hold.
type Call struct {
	Name   string
	As     *Client
	Method string
	Path   string
	Body   any
	Status int
	Want   []string
}

// CheckCalls sends each call to h in order, each as a subtest. A sign-in
// redirect may be 302 or 303.
func CheckCalls(t *testing.T, h http.Handler, calls []Call) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.Name, func(t *testing.T) {
			rec := c.As.Do(t, h, c.Method, c.Path, c.Body)
			if rec.Code != c.Status && !(c.Status == http.StatusSeeOther && rec.Code == http.StatusFound) {
				t.Fatalf("%s %s: status %d, want %d: %.300s", c.Method, c.Path, rec.Code, c.Status, rec.Body)
			}
			for _, w := range c.Want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("the answer lacks %q: %.800s", w, rec.Body)
				}
			}
		})
	}
}
