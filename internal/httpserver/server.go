// Package httpserver is the service's HTTP front: a Gin engine with request
// IDs, structured access logs, Prometheus metrics, one JSON error shape, the
// health and readiness probes, and graceful shutdown. Each capability adds
// its own routes through the Routes interface.
package httpserver

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// Routes is what a capability implements to serve HTTP: it adds its routes
// to the engine's root group.
type Routes interface {
	RegisterRoutes(r *gin.RouterGroup)
}

// Options configure a Server.
type Options struct {
	Addr   string
	Logger *slog.Logger
	// Checks are run by /readyz; each names a dependency.
	Checks []Check
	// Registry receives the HTTP metrics and is served on /metrics; a new
	// one is made when nil.
	Registry *prometheus.Registry
	// MetricsToken opens /metrics to a scraper that sends it as a bearer
	// token; without one /metrics is not served, since the kiosk network
	// must not read the service's inner workings.
	MetricsToken string
	// ShutdownTimeout bounds how long in-flight requests may run after a
	// stop signal.
	ShutdownTimeout time.Duration
	// TrustedProxies are the addresses or CIDR ranges of the load balancers
	// whose X-Forwarded-For is believed; none by default, so a client
	// cannot forge its address for rate limits and the audit log.
	TrustedProxies []string
}

// Server serves the service's HTTP API.
type Server struct {
	engine *gin.Engine
	opts   Options
}

// New returns a server with the platform routes and each capability's routes.
func New(opts Options, routes ...Routes) *Server {
	gin.SetMode(gin.ReleaseMode)
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
		opts.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 30 * time.Second
	}
	e := gin.New()
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		// config.Server validates them; a bad list trusts no one.
		opts.Logger.Error("trusted proxies refused; trusting none", "err", err)
		e.SetTrustedProxies(nil)
	}
	e.ContextWithFallback = true // handlers' c.Done() follows the request
	e.HandleMethodNotAllowed = true
	m := newMetrics(opts.Registry)
	e.Use(requestID(opts.Logger), accessLog(), m.handler(), recovery())

	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", readyHandler(opts.Checks))
	if opts.MetricsToken != "" {
		e.GET("/metrics", bearer(opts.MetricsToken), gin.WrapH(promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{})))
	}
	e.NoRoute(func(c *gin.Context) {
		Error(c, apperr.New(apperr.NotFound, "route_not_found", "Không tìm thấy địa chỉ này."))
	})
	e.NoMethod(func(c *gin.Context) {
		Error(c, &apperr.Error{Kind: apperr.Invalid, Code: "method_not_allowed", Message: "Phương thức không được hỗ trợ ở địa chỉ này."})
	})
	root := e.Group("/")
	for _, r := range routes {
		r.RegisterRoutes(root)
	}
	return &Server{engine: e, opts: opts}
}

// bearer lets through requests carrying token as "Authorization: Bearer".
func bearer(token string) gin.HandlerFunc {
	return func(c *gin.Context) {
		got, _ := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			Error(c, apperr.New(apperr.Unauthorized, "metrics_token_required", "Cần mã truy cập số liệu vận hành."))
			return
		}
		c.Next()
	}
}

// Handler returns the server's http.Handler, for tests.
func (s *Server) Handler() http.Handler { return s.engine }

// Serve answers requests on ln until ctx is done, then stops taking new
// requests and waits for those in flight, up to the shutdown timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.opts.Logger.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ListenAndServe listens on the configured address and serves.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return err
	}
	s.opts.Logger.Info("listening", "addr", ln.Addr().String())
	return s.Serve(ctx, ln)
}
