package assistant

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

// TestMissesHTTP: "Câu hỏi chưa hiểu" for staff: readers see the masked
// openings on a page rendered by the server; only staff with catalogue
// rights teach, with the session's CSRF token; a resolved miss leaves the
// list.
func TestMissesHTTP(t *testing.T) {
	pool := dbtest.New(t)
	catalogue := procedurestest.Load(t, pool)
	svc, err := New(Deps{Pool: pool, Catalogue: catalogue, Teacher: catalogue, Logger: slog.New(slog.DiscardHandler)}, Defaults())
	if err != nil {
		t.Fatal(err)
	}
	startChat(t, svc, StartRequest{}).say("bà Nguyễn Thị Lan muốn đăng ký hiến máu").want(StageIdentify, StatusOutOfScope)
	misses, err := svc.Misses(context.Background(), 10)
	if err != nil || len(misses) != 1 {
		t.Fatalf("misses %+v, %v", misses, err)
	}
	id := misses[0].ID
	auth := staff.NewService(pool, staff.Config{})
	h := httpserver.New(httpserver.Options{Logger: slog.New(slog.DiscardHandler)},
		svc.MissRoutes(auth, []staff.Role{staff.RoleAdmin, staff.RoleWardStaff}, []staff.Role{staff.RoleAdmin})).Handler()
	admin := stafftest.SignIn(t, pool, staff.RoleAdmin)
	ward := stafftest.SignIn(t, pool, staff.RoleWardStaff, "26734")
	duty := stafftest.SignIn(t, pool, staff.RoleDutyOfficer, "26734")
	path := "/api/v1/staff/misses/" + itoa(id) + "/resolve"
	for _, tt := range []struct {
		name     string
		as       *stafftest.Client
		method   string
		path     string
		body     any
		status   int
		contains []string
	}{
		{"signed out, the page", nil, "GET", "/staff/misses", nil, 303, nil},
		{"signed out, the list", nil, "GET", "/api/v1/staff/misses", nil, 401, nil},
		{"duty officer", duty, "GET", "/staff/misses", nil, 403, []string{"role_forbidden"}},
		{"ward staff reads the page", ward, "GET", "/staff/misses", nil, 200, []string{"Câu hỏi chưa hiểu", "hiến máu", "[tên]", "Không tìm thấy thủ tục"}},
		{"ward staff may not teach", ward, "POST", path, map[string]string{"slug": "health.telemedicine", "as": "alias"}, 403, nil},
		{"admin sees the form", admin, "GET", "/staff/misses", nil, 200, []string{`name="csrf_token"`, "Tên gọi khác", "Khám bệnh, tư vấn sức khỏe từ xa"}},
		{"an unknown entry", admin, "POST", path, map[string]string{"slug": "no.such", "as": "alias"}, 404, []string{"procedure_not_found"}},
		{"a wrong kind", admin, "POST", path, map[string]string{"slug": "health.telemedicine", "as": "maybe"}, 400, []string{"resolution_invalid"}},
		{"admin teaches", admin, "POST", path, map[string]string{"slug": "health.telemedicine", "as": "example"}, 204, nil},
		{"taught once only", admin, "POST", path, map[string]string{"slug": "health.telemedicine", "as": "example"}, 404, []string{"miss_not_found"}},
		{"the list is empty", admin, "GET", "/api/v1/staff/misses", nil, 200, []string{`"misses":[]`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.as.Do(t, h, tt.method, tt.path, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("%s %s: %d, want %d: %s", tt.method, tt.path, rec.Code, tt.status, rec.Body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(rec.Body.String(), want) {
					t.Fatalf("body lacks %q: %s", want, rec.Body)
				}
			}
		})
	}
	// The page's form: a POST without the CSRF token is refused.
	r := stafftest.NewRequest(t, "POST", "/staff/misses/"+itoa(id), "slug=health.telemedicine&as=alias")
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: staff.CookieName, Value: admin.Token})
	if rec := stafftest.Record(h, r); rec.Code != 403 {
		t.Fatalf("form without CSRF: %d", rec.Code)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
