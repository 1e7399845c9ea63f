package httpserver

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

type echoIP struct{}

func (echoIP) RegisterRoutes(r *gin.RouterGroup) {
	r.GET("/ip", func(c *gin.Context) { c.String(http.StatusOK, c.ClientIP()) })
}

// Medium: X-Forwarded-For was trusted from anyone, so per-address limits
// and audit addresses could be forged. Only configured proxies are
// believed; none by default.
func TestSecurityForwardedForTrustedOnlyFromProxies(t *testing.T) {
	tests := []struct {
		name    string
		proxies []string
		want    string
	}{
		{"no proxies configured: the header is ignored", nil, "192.0.2.7"},
		{"another proxy configured: still ignored", []string{"10.0.0.1"}, "192.0.2.7"},
		{"the load balancer configured: believed", []string{"192.0.2.0/24"}, "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(Options{TrustedProxies: tt.proxies}, echoIP{}).Handler()
			req := httptest.NewRequest("GET", "/ip", nil)
			req.RemoteAddr = "192.0.2.7:5555"
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Body.String() != tt.want {
				t.Fatalf("client address %q, want %q", rec.Body.String(), tt.want)
			}
		})
	}
}
