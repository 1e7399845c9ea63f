package assistant

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/seal"
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
	svc, err := New(Deps{Pool: pool, Catalogue: catalogue, Teacher: catalogue, Logger: slog.New(slog.DiscardHandler), Sealer: seal.Ephemeral()}, Defaults())
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
		&MissHandler{Service: svc, Staff: auth, Readers: []staff.Role{staff.RoleAdmin, staff.RoleWardStaff}, Teachers: []staff.Role{staff.RoleAdmin}}).Handler()
	admin := stafftest.SignIn(t, pool, staff.RoleAdmin)
	ward := stafftest.SignIn(t, pool, staff.RoleWardStaff, "26740")
	duty := stafftest.SignIn(t, pool, staff.RoleDutyOfficer, "26740")
	path := "/api/v1/staff/misses/" + itoa(id) + "/resolve"
	stafftest.CheckCalls(t, h, []stafftest.Call{
		{Name: "signed out, the page", Method: "GET", Path: "/staff/misses", Status: 303},
		{Name: "signed out, the list", Method: "GET", Path: "/api/v1/staff/misses", Status: 401},
		{Name: "duty officer", As: duty, Method: "GET", Path: "/staff/misses", Status: 403, Want: []string{"role_forbidden"}},
		{Name: "ward staff reads the page", As: ward, Method: "GET", Path: "/staff/misses", Status: 200, Want: []string{"Câu hỏi chưa hiểu", "hiến máu", "[tên]", "Không tìm thấy thủ tục"}},
		{Name: "ward staff may not teach", As: ward, Method: "POST", Path: path, Body: map[string]string{"slug": "health.telemedicine", "as": "alias"}, Status: 403},
		{Name: "admin sees the form", As: admin, Method: "GET", Path: "/staff/misses", Status: 200, Want: []string{`name="csrf_token"`, "Tên gọi khác", "Khám bệnh, tư vấn sức khỏe từ xa"}},
		{Name: "an unknown entry", As: admin, Method: "POST", Path: path, Body: map[string]string{"slug": "no.such", "as": "alias"}, Status: 404, Want: []string{"procedure_not_found"}},
		{Name: "a wrong kind", As: admin, Method: "POST", Path: path, Body: map[string]string{"slug": "health.telemedicine", "as": "maybe"}, Status: 400, Want: []string{"resolution_invalid"}},
		{Name: "admin teaches", As: admin, Method: "POST", Path: path, Body: map[string]string{"slug": "health.telemedicine", "as": "example"}, Status: 204},
		{Name: "taught once only", As: admin, Method: "POST", Path: path, Body: map[string]string{"slug": "health.telemedicine", "as": "example"}, Status: 404, Want: []string{"miss_not_found"}},
		{Name: "the list is empty", As: admin, Method: "GET", Path: "/api/v1/staff/misses", Status: 200, Want: []string{`"misses":[]`}},
	})
	// The page's form: a POST without the CSRF token is refused.
	r := stafftest.NewRequest(t, "POST", "/staff/misses/"+itoa(id), "slug=health.telemedicine&as=alias")
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: staff.CookieName, Value: admin.Token})
	if rec := stafftest.Record(h, r); rec.Code != 403 {
		t.Fatalf("form without CSRF: %d", rec.Code)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
