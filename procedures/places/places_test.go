package places_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/procedures/places"
)

// station is the demonstration station in phường Sài Gòn, by the Nguyễn
// Huệ walking street.
var station = places.Origin{Name: "Trạm công dân số thử nghiệm", Lat: 10.776, Lng: 106.705}

func locate(_ context.Context, id string) (places.Origin, bool, error) {
	return station, id == "demo", nil
}

func newService(t *testing.T) (*places.Service, *places.Dataset) {
	t.Helper()
	return newServiceOn(t, dbtest.New(t))
}

// newServiceOn is newService on a database the test made.
func newServiceOn(t *testing.T, pool *pgxpool.Pool) (*places.Service, *places.Dataset) {
	t.Helper()
	d, err := places.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	svc := places.NewService(pool, locate)
	rep, err := svc.Import(context.Background(), d)
	if err != nil || rep.Added != len(d.Places) || rep.Tips != len(d.Tips) {
		t.Fatalf("import: %+v %v", rep, err)
	}
	return svc, d
}

func TestShippedDataset(t *testing.T) {
	d, err := places.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, p := range d.Places {
		kinds[p.Kind]++
	}
	if len(d.Places) < 15 || kinds["museum"] < 3 || kinds["market"] < 2 || kinds["event"] < 1 || len(d.Tips) < 4 {
		t.Errorf("%d places %v, %d tips", len(d.Places), kinds, len(d.Tips))
	}
	for _, bad := range []string{
		"checked_on: \"2020-01-01\"\nplaces: []\n",
		"checked_on: \"2026-12-01\"\nplaces:\n  - {slug: x, kind: museum, name: X, name_en: X, summary: s, summary_en: s, address: a, lat: 106.7, lng: 10.7, hours: h, hours_en: h, source: {name: n}}\n",
		"checked_on: \"2026-12-01\"\nplaces:\n  - {slug: x, kind: zoo, name: X, name_en: X, summary: s, summary_en: s, address: a, lat: 10.7, lng: 106.7, hours: h, hours_en: h, source: {name: n}}\n",
		"checked_on: \"2026-12-01\"\nplaces:\n  - {slug: x, kind: museum, name: X, summary: s, summary_en: s, address: a, lat: 10.7, lng: 106.7, hours: h, hours_en: h, source: {name: n}}\n",
	} {
		if _, err := places.Parse([]byte(bad)); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
}

func TestSearch(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	search := func(q, lang, st string) *places.Results {
		t.Helper()
		r, err := svc.Search(ctx, places.Query{Text: q, Lang: lang, StationID: st})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// A visitor in English: museums only, nearest first, with directions
	// and the route from the station to take on a phone.
	r := search("museum near here", "", "demo")
	if r.Lang != "en" || len(r.Results) < 3 {
		t.Fatalf("%+v", r)
	}
	for i, p := range r.Results {
		if p.Kind != "museum" {
			t.Errorf("not a museum: %s", p.Slug)
		}
		if i > 0 && *p.DistanceM < *r.Results[i-1].DistanceM {
			t.Errorf("%s (%d m) after %s (%d m)", p.Slug, *p.DistanceM, r.Results[i-1].Slug, *r.Results[i-1].DistanceM)
		}
	}
	first := r.Results[0]
	if first.Slug != "hcmc-museum" || first.Name != "Ho Chi Minh City Museum" || !strings.Contains(first.Directions, "minutes on foot") ||
		!strings.Contains(first.Hours, "every day") || !strings.HasPrefix(first.MapQR, "data:image/png;base64,") {
		t.Errorf("nearest museum: %+v", first)
	}
	u, _ := url.Parse(first.MapURL)
	if u.Query().Get("origin") != "10.77600,106.70500" || u.Query().Get("travelmode") != "walking" {
		t.Errorf("map: %s", first.MapURL)
	}
	if !slices.ContainsFunc(r.Tips, func(s string) bool { return strings.Contains(s, "113 police") }) {
		t.Errorf("tips: %v", r.Tips)
	}

	for _, q := range []string{"đi chợ Bến Thành thế nào", "di cho ben thanh the nao", "Chợ Bến Thành mở cửa mấy giờ"} {
		r := search(q, "", "demo")
		if r.Lang != "vi" || len(r.Results) == 0 || r.Results[0].Slug != "ben-thanh-market" ||
			!strings.HasPrefix(r.Results[0].Directions, "Cách trạm khoảng") || r.Results[0].Name != "Chợ Bến Thành" ||
			r.Results[0].Unverified != "Chưa xác minh: Giờ mở cửa của từng quầy khác nhau." {
			t.Errorf("%q: %+v", q, r.Results)
		}
	}
	// What the station could not confirm is said, in the visitor's language;
	// a place with nothing in doubt says nothing.
	if r := search("Ben Thanh market", "en", "demo"); r.Results[0].Slug != "ben-thanh-market" ||
		!strings.HasPrefix(r.Results[0].Unverified, "Not yet verified") {
		t.Errorf("unverified in English: %+v", r.Results[0])
	}
	if r := search("War Remnants Museum", "en", "demo"); r.Results[0].Slug != "war-remnants-museum" || r.Results[0].Unverified != "" {
		t.Errorf("a place with nothing in doubt: %+v", r.Results[0])
	}
	if r := search("địa đạo Củ Chi", "", "demo"); r.Results[0].Slug != "cu-chi-tunnels-ben-duoc" || !strings.Contains(r.Results[0].Directions, "tour") {
		t.Errorf("Cu Chi: %+v", r.Results[0])
	}
	if r := search("lễ hội", "", ""); len(r.Results) == 0 || r.Results[0].Kind != "event" || r.Results[0].DistanceM != nil {
		t.Errorf("events without a station: %+v", r.Results)
	}
	if r := search("du lịch", "", "demo"); len(r.Results) != 6 || *r.Results[0].DistanceM > *r.Results[5].DistanceM {
		t.Errorf("anything worth seeing, nearest first: %+v", r.Results)
	}
	if r := search("qwerty zxcv", "", "demo"); len(r.Results) != 0 || !strings.Contains(r.Message, "Không tìm thấy") {
		t.Errorf("nonsense: %+v", r)
	}
}

func TestCorrectionSurvivesImport(t *testing.T) {
	svc, d := newService(t)
	ctx := context.Background()
	clerk := audit.Actor{Username: "clerk1", Role: "ward_staff"}
	p, err := svc.Correct(ctx, clerk, "ben-thanh-market", places.Edit{Hours: "6:00–19:00 hằng ngày", HoursEN: "6 am–7 pm every day"})
	if err != nil || p.Hours != "6:00–19:00 hằng ngày" || p.EditedBy != "clerk1" {
		t.Fatalf("%+v %v", p, err)
	}
	rep, err := svc.Import(ctx, d)
	if err != nil || rep.KeptEdited != 1 || rep.Updated != len(d.Places)-1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if p, _ := svc.Get(ctx, "ben-thanh-market"); p.Hours != "6:00–19:00 hằng ngày" {
		t.Errorf("the import overwrote the correction: %s", p.Hours)
	}
	// Staff who confirmed everything clear what was in doubt.
	if p, err := svc.Correct(ctx, clerk, "ben-thanh-market", places.Edit{Uncertain: &[]string{" ", ""}}); err != nil || len(p.Uncertain) != 0 {
		t.Fatalf("settled: %+v %v", p, err)
	}
	if r, _ := svc.Search(ctx, places.Query{Text: "chợ Bến Thành"}); r.Results[0].Unverified != "" {
		t.Errorf("still unverified after staff confirmed it: %+v", r.Results[0])
	}
	lat := 10.0
	if _, err := svc.Correct(ctx, clerk, "ben-thanh-market", places.Edit{Lat: &lat, Lng: &lat}); err == nil {
		t.Error("a position outside the city accepted")
	}
}

// newServer serves the shipped places, the staff API and pages as the
// service wires them.
func newServer(t *testing.T) (*places.Service, *pgxpool.Pool, http.Handler) {
	t.Helper()
	pool := dbtest.New(t)
	svc, _ := newServiceOn(t, pool)
	auth := staff.NewService(pool, staff.Config{})
	h := httpserver.New(httpserver.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, &staff.Handler{Service: auth},
		&places.Handler{Service: svc, Staff: auth.Require(staff.RoleAdmin, staff.RoleWardStaff),
			Pages: auth.RequirePage(staff.RoleAdmin, staff.RoleWardStaff)}).Handler()
	return svc, pool, h
}

func TestHTTP(t *testing.T) {
	_, pool, h := newServer(t)
	clerk := stafftest.SignIn(t, pool, staff.RoleWardStaff, "26740")
	officer := stafftest.SignIn(t, pool, staff.RoleDutyOfficer, "26740")
	for _, c := range []struct {
		name, method, path string
		as                 *stafftest.Client
		body               any
		status             int
		want               string
	}{
		{"search in English", "GET", "/api/v1/places?q=museum+near+here&station_id=demo", nil, nil, 200, `"directions":"About`},
		{"search in Vietnamese", "GET", "/api/v1/places?q=" + url.QueryEscape("đi chợ Bến Thành thế nào") + "&station_id=demo", nil, nil, 200, `"name":"Chợ Bến Thành"`},
		{"unknown language", "GET", "/api/v1/places?q=museum&lang=fr", nil, nil, 400, "lang_invalid"},
		{"question too long", "GET", "/api/v1/places?q=" + strings.Repeat("a", 201), nil, nil, 400, "query_too_long"},
		{"a place", "GET", "/api/v1/places/war-remnants-museum", nil, nil, 200, `"name_en":"War Remnants Museum"`},
		{"no such place", "GET", "/api/v1/places/nowhere", nil, nil, 404, "place_not_found"},
		{"correction without an account", "PUT", "/api/v1/places/tao-dan-park", nil, map[string]string{"hours": "5:00–21:00"}, 401, ""},
		{"correction by a duty officer", "PUT", "/api/v1/places/tao-dan-park", officer, map[string]string{"hours": "5:00–21:00"}, 403, ""},
		{"correction by ward staff", "PUT", "/api/v1/places/tao-dan-park", clerk, map[string]string{"hours": "5:00–21:00"}, 200, `"hours":"5:00–21:00"`},
		{"correction that is not JSON", "PUT", "/api/v1/places/tao-dan-park", clerk, "hours", 400, "body_invalid"},
		{"staff page of the places", "GET", "/staff/places", clerk, nil, 200, "Giờ mở cửa của từng quầy khác nhau."},
		{"staff page of a place", "GET", "/staff/places/ben-thanh-market", clerk, nil, 200, `name="hours_en"`},
		{"places page without an account", "GET", "/staff/places", nil, nil, 303, ""},
		{"places page for a duty officer", "GET", "/staff/places", officer, nil, 403, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := c.as.Do(t, h, c.method, c.path, c.body)
			if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if c.status == 200 && strings.HasPrefix(c.path, "/api/") && !json.Valid(w.Body.Bytes()) {
				t.Fatal("not JSON")
			}
		})
	}
}

// TestStaffCorrectsByForm: ward staff correct a place with the page's
// form, scripts or not; what they settle is no longer marked unverified,
// and a form without the session's CSRF token changes nothing.
func TestStaffCorrectsByForm(t *testing.T) {
	svc, pool, h := newServer(t)
	clerk := stafftest.SignIn(t, pool, staff.RoleWardStaff, "26743")
	post := func(csrf string, form url.Values) *httptest.ResponseRecorder {
		form.Set("csrf_token", csrf)
		r := stafftest.NewRequest(t, "POST", "/staff/places/ben-thanh-market", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: staff.CookieName, Value: clerk.Token})
		return stafftest.Record(h, r)
	}
	form := func() url.Values {
		return url.Values{"address": {"Lê Lợi, phường Bến Thành, TP.HCM"}, "hours": {"6:00–18:00 hằng ngày"},
			"hours_en": {"6 am–6 pm every day"}, "summary": {"Chợ lâu đời ở trung tâm."}, "summary_en": {"The central market."},
			"lat": {"10,7725"}, "lng": {"106.698"}, "uncertain": {"\r\n"}}
	}
	if w := post("wrong", form()); w.Code != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", w.Code)
	}
	bad := form()
	bad.Set("lat", "north")
	if w := post(clerk.CSRF, bad); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Vĩ độ và kinh độ là số") {
		t.Fatalf("a position that is no number: %d %s", w.Code, w.Body)
	}
	w := post(clerk.CSRF, form())
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/staff/places?done=ben-thanh-market" {
		t.Fatalf("correction: %d %s", w.Code, w.Body)
	}
	p, err := svc.Get(context.Background(), "ben-thanh-market")
	if err != nil || p.Hours != "6:00–18:00 hằng ngày" || p.Lat != 10.7725 || len(p.Uncertain) != 0 || p.EditedBy != clerk.User.Username {
		t.Fatalf("after the form: %+v %v", p, err)
	}
	r := stafftest.NewRequest(t, "GET", "/staff/places?done=ben-thanh-market", nil)
	clerk.Authorize(r)
	if w := stafftest.Record(h, r); !strings.Contains(w.Body.String(), "Đã lưu «Chợ Bến Thành»") {
		t.Errorf("the list does not confirm the save:\n%s", w.Body)
	}
}

// TestSearchStoresNothing: a visitor's questions, whatever they hold,
// leave no row anywhere (no visit, no audit entry, no session): the
// tourist information is no personal-data flow.
func TestSearchStoresNothing(t *testing.T) {
	_, pool, h := newServer(t)
	rows := func() map[string]int {
		t.Helper()
		ctx := context.Background()
		names, err := pool.Query(ctx, `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
			WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`)
		if err != nil {
			t.Fatal(err)
		}
		tables, err := pgx.CollectRows(names, pgx.RowTo[string])
		if err != nil || len(tables) < 20 {
			t.Fatalf("tables: %v %v", tables, err)
		}
		out := map[string]int{}
		for _, tb := range tables {
			var n int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+tb).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[tb] = n
		}
		return out
	}
	before := rows()
	for _, q := range []string{"đi chợ Bến Thành thế nào", "museum near here", "tôi tên Lan, căn cước 079203001234, đi bảo tàng nào gần"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/places?station_id=demo&q="+url.QueryEscape(q), nil))
		if w.Code != 200 || strings.Contains(w.Body.String(), "079203001234") {
			t.Fatalf("%q: %d %s", q, w.Code, w.Body)
		}
	}
	if after := rows(); !maps.Equal(before, after) {
		for tb, n := range after {
			if before[tb] != n {
				t.Errorf("%s: %d rows, then %d", tb, before[tb], n)
			}
		}
	}
}
