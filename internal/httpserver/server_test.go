package httpserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
)

// routes is a tiny capability used to exercise the platform.
type routes struct{ release chan struct{} }

func (r routes) RegisterRoutes(g *gin.RouterGroup) {
	g.GET("/api/v1/fail/:kind", func(c *gin.Context) {
		switch c.Param("kind") {
		case "invalid":
			httpserver.Error(c, apperr.New(apperr.Invalid, "query_empty", "Xin nhập câu hỏi."))
		case "secret":
			httpserver.Error(c, errors.New("pq: password for user admin is hunter2"))
		case "panic":
			panic("boom")
		}
	})
	g.GET("/staff/forbidden", func(c *gin.Context) {
		httpserver.Error(c, apperr.Wrap(errors.New("pq: secret cause"), apperr.Forbidden, "role_forbidden", "Tài khoản của bạn không có quyền làm việc này."))
	})
	g.GET("/api/v1/slow", func(c *gin.Context) {
		<-r.release
		c.String(http.StatusOK, "done")
	})
}

func TestErrorsHaveOneShapeAndHideCauses(t *testing.T) {
	srv := httpserver.New(httpserver.Options{}, routes{})
	tests := []struct {
		path       string
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"/api/v1/fail/invalid", 400, "query_empty", "Xin nhập câu hỏi."},
		{"/api/v1/fail/secret", 500, "internal", "Hệ thống đang gặp sự cố"},
		{"/api/v1/fail/panic", 500, "internal", "Hệ thống đang gặp sự cố"},
		{"/no/such/route", 404, "route_not_found", "Không tìm thấy"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			var body httpserver.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if body.Error.Code != tt.wantCode || !strings.Contains(body.Error.Message, tt.wantMsg) {
				t.Errorf("error = %+v", body.Error)
			}
			if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "boom") {
				t.Errorf("cause leaked: %s", rec.Body)
			}
			if rec.Header().Get("X-Request-ID") == "" || body.Error.RequestID == "" {
				t.Error("no request ID")
			}
		})
	}
}

// TestBrowsersReadErrorsAsPages: a browser opening a page that fails
// reads a page in Vietnamese with the code and the way back; the API,
// scripts and htmx still get the one JSON shape.
func TestBrowsersReadErrorsAsPages(t *testing.T) {
	srv := httpserver.New(httpserver.Options{}, routes{})
	get := func(path string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, r)
		return rec
	}
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	page := get("/staff/forbidden", "Accept", browser)
	body := page.Body.String()
	if page.Code != 403 || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("a browser got %d %s", page.Code, page.Header().Get("Content-Type"))
	}
	for _, want := range []string{`lang="vi"`, "Không mở được trang này", "Tài khoản của bạn không có quyền làm việc này.", "role_forbidden", `href="/staff/login"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(body, "secret cause") {
		t.Error("the cause leaked into the page")
	}
	if rec := get("/no/such/page", "Accept", browser); rec.Code != 404 || !strings.Contains(rec.Body.String(), `href="/"`) {
		t.Errorf("a page not found: %d %.200s", rec.Code, rec.Body)
	}
	// Back to the page of this site the browser came from; never another site's.
	if rec := get("/staff/forbidden", "Accept", browser, "Referer", "http://example.com/staff?q=an"); !strings.Contains(rec.Body.String(), `href="/staff?q=an"`) {
		t.Errorf("back from this site's page: %.300s", rec.Body)
	}
	if rec := get("/staff/forbidden", "Accept", browser, "Referer", "http://evil.example/x"); !strings.Contains(rec.Body.String(), `href="/staff/login"`) {
		t.Errorf("back to another site: %.300s", rec.Body)
	}
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"a script":  get("/staff/forbidden", "Accept", "application/json"),
		"htmx":      get("/staff/forbidden", "Accept", browser, "HX-Request", "true"),
		"the API":   get("/api/v1/fail/invalid", "Accept", browser),
		"no Accept": get("/staff/forbidden"),
	} {
		var e httpserver.ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
			t.Errorf("%s got no JSON error: %.200s", name, rec.Body)
		}
	}
}

func TestMetricsCountRoutes(t *testing.T) {
	srv := httpserver.New(httpserver.Options{MetricsToken: "scraper-token-0123456789"}, routes{})
	srv.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/fail/invalid", nil))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer scraper-token-0123456789")
	srv.Handler().ServeHTTP(rec, req)
	want := `station_http_requests_total{method="GET",route="/api/v1/fail/:kind",status="400"} 1`
	if !strings.Contains(rec.Body.String(), want) {
		t.Fatalf("metrics lack %s", want)
	}
}

// TestMetricsAreNotForAnyone: /metrics answers only a scraper with the
// token, and is not served at all without one configured.
func TestMetricsAreNotForAnyone(t *testing.T) {
	tests := []struct {
		name, token, header string
		status              int
	}{
		{"no token configured", "", "", 404},
		{"no token configured, a guess", "", "Bearer x", 404},
		{"no token sent", "scraper-token-0123456789", "", 401},
		{"a wrong token", "scraper-token-0123456789", "Bearer nope", 401},
		{"the token", "scraper-token-0123456789", "Bearer scraper-token-0123456789", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httpserver.New(httpserver.Options{MetricsToken: tt.token}, routes{})
			req := httptest.NewRequest("GET", "/metrics", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("%d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
		})
	}
}

func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	r := routes{release: make(chan struct{})}
	srv := httpserver.New(httpserver.Options{ShutdownTimeout: 5 * time.Second}, r)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/api/v1/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	time.Sleep(100 * time.Millisecond) // the request is in flight
	stop()
	time.Sleep(100 * time.Millisecond)
	close(r.release)
	if body := <-got; body != "done" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}

// proxy stands between the pool and PostgreSQL so the test can take the
// database away and bring it back without touching the shared server.
type proxy struct {
	addr  string
	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func (p *proxy) start(t *testing.T) {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", "127.0.0.1:5432")
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestReadinessFollowsTheDatabase(t *testing.T) {
	direct := dbtest.New(t)
	name := direct.Config().ConnConfig.Database

	px := &proxy{addr: "127.0.0.1:0"}
	px.start(t)
	pool, err := database.Open(context.Background(), "postgres://127.0.0.1"+px.addr[strings.LastIndex(px.addr, ":"):]+"/"+name+"?connect_timeout=1", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv := httpserver.New(httpserver.Options{Checks: []httpserver.Check{
		{Name: "database", Func: func(ctx context.Context) error { return database.Check(ctx, pool) }},
	}})
	ready := func() (int, string) {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		return rec.Code, rec.Body.String()
	}

	if code, body := ready(); code != 200 {
		t.Fatalf("ready: %d %s", code, body)
	}
	px.stop()
	code, body := ready()
	if code != 503 || !strings.Contains(body, `"name":"database","ok":false`) {
		t.Fatalf("database down: %d %s", code, body)
	}
	px.start(t) // same address
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body = ready()
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("did not recover: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
