package places_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"

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
	pool := dbtest.New(t)
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
			!strings.HasPrefix(r.Results[0].Directions, "Cách trạm khoảng") || r.Results[0].Name != "Chợ Bến Thành" {
			t.Errorf("%q: %+v", q, r.Results)
		}
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
	lat := 10.0
	if _, err := svc.Correct(ctx, clerk, "ben-thanh-market", places.Edit{Lat: &lat, Lng: &lat}); err == nil {
		t.Error("a position outside the city accepted")
	}
}

func TestHTTP(t *testing.T) {
	pool := dbtest.New(t)
	d, _ := places.Shipped()
	svc := places.NewService(pool, locate)
	if _, err := svc.Import(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	auth := staff.NewService(pool, staff.Config{})
	h := httpserver.New(httpserver.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, auth,
		&places.Handler{Service: svc, Staff: auth.Require(staff.RoleAdmin, staff.RoleWardStaff)}).Handler()
	clerk := stafftest.SignIn(t, pool, staff.RoleWardStaff, "26734")
	officer := stafftest.SignIn(t, pool, staff.RoleDutyOfficer, "26734")
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
	} {
		t.Run(c.name, func(t *testing.T) {
			w := c.as.Do(t, h, c.method, c.path, c.body)
			if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if c.status == 200 && !json.Valid(w.Body.Bytes()) {
				t.Fatal("not JSON")
			}
		})
	}
}
