package reports

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/kiosk"
)

// testServer is the whole HTTP stack on a fresh database, with signed-in
// staff of each kind.
type testServer struct {
	pool     *pgxpool.Pool
	svc      *Service
	hub      *Hub
	handler  http.Handler
	saiGon   *stafftest.Client // duty officer of Phường Sài Gòn
	benThanh *stafftest.Client // duty officer of Phường Bến Thành
	centre   *stafftest.Client // command centre
	clerk    *stafftest.Client // ward staff: dossiers, not reports
}

func newTestServer(t testing.TB, edit func(*Config)) *testServer {
	t.Helper()
	return newTestServerOn(t, dbtest.New(t), edit)
}

// newTestServerOn is newTestServer on a pool of the caller's.
func newTestServerOn(t testing.TB, pool *pgxpool.Pool, edit func(*Config)) *testServer {
	t.Helper()
	svc, pool := newTestServiceOn(t, pool, edit)
	ctx, cancel := context.WithCancel(context.Background())
	hub, done := startHub(t, ctx, pool)
	t.Cleanup(func() { cancel(); <-done })
	staffSvc := staff.NewService(pool, staff.DefaultConfig())
	h := &Handler{Service: svc, Hub: hub, Staff: staffSvc, Keepalive: 200 * time.Millisecond,
		Devices: kiosk.NewService(pool, kiosk.DefaultConfig(), slog.New(slog.DiscardHandler))}
	return &testServer{
		pool: pool, svc: svc, hub: hub,
		handler:  httpserver.New(httpserver.Options{Logger: slog.New(slog.DiscardHandler)}, &staff.Handler{Service: staffSvc}, h).Handler(),
		saiGon:   stafftest.SignIn(t, pool, staff.RoleDutyOfficer, saiGon),
		benThanh: stafftest.SignIn(t, pool, staff.RoleDutyOfficer, benThanh),
		centre:   stafftest.SignIn(t, pool, staff.RoleCommandCentre),
		clerk:    stafftest.SignIn(t, pool, staff.RoleWardStaff, saiGon),
	}
}

// form is a multipart report form: fields, then files under "files".
type form struct {
	fields map[string]string
	files  [][]byte
}

func (f form) encode(t testing.TB) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(f.fields))
	for k := range f.fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.WriteField(k, f.fields[k])
	}
	for i, data := range f.files {
		fw, _ := w.CreateFormFile("files", "file"+string(rune('1'+i)))
		fw.Write(data)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

// step is one request of a scenario and what must come back.
type step struct {
	name   string
	as     *stafftest.Client // nil: a resident, not signed in
	device string            // a kiosk's device token
	method string
	path   string
	body   any // form, url.Values (Open311), or JSON
	status int
	code   string // the error code, when an error is expected
	check  func(t *testing.T, body []byte)
}

func (s *testServer) run(t *testing.T, steps []step) {
	t.Helper()
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			var r *http.Request
			switch b := st.body.(type) {
			case form:
				rd, ctype := b.encode(t)
				r = stafftest.NewRequest(t, st.method, st.path, rd)
				r.Header.Set("Content-Type", ctype)
			case url.Values:
				r = stafftest.NewRequest(t, st.method, st.path, strings.NewReader(b.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			default:
				r = stafftest.NewRequest(t, st.method, st.path, b)
			}
			if st.as != nil {
				st.as.Authorize(r)
			}
			if st.device != "" {
				r.Header.Set("Authorization", "Bearer "+st.device)
			}
			rec := stafftest.Record(s.handler, r)
			body := rec.Body.Bytes()
			if rec.Code != st.status {
				t.Fatalf("%s %s: status %d, want %d: %s", st.method, st.path, rec.Code, st.status, body)
			}
			if st.code != "" {
				var e httpserver.ErrorBody
				json.Unmarshal(body, &e)
				if e.Error.Code != st.code {
					t.Fatalf("error code %q, want %q: %s", e.Error.Code, st.code, body)
				}
			}
			if st.check != nil {
				st.check(t, body)
			}
		})
	}
}

// keys returns the sorted keys of a JSON object.
func keys(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not a JSON object: %s", raw)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestHTTPReports is the reports API as a reporter, the duty officers of
// two wards and the command centre use it, against one server: the
// reports' receipts and refusals first, then tracking, the duty lists and
// the steps on the fire. It is two tables over 80 lines, kept whole
// because the second table works on the reports the first one filed.
func TestHTTPReports(t *testing.T) {
	s := newTestServer(t, nil)
	var fire, theft Receipt
	s.run(t, []step{
		{name: "fire at the kiosk: emergency answer first, routed", method: "POST", path: "/api/v1/reports",
			body: form{fields: map[string]string{"category": "fire", "description": "Khói bốc ra từ tầng hầm B2",
				"lat": "10.778", "lng": "106.707", "occurred_at": "2026-11-24T08:30:00+07:00"}, files: [][]byte{testJPEG(t, nil)}},
			status: 201, check: func(t *testing.T, b []byte) {
				if got := keys(t, b); !slices.Equal(got, []string{"code", "emergency", "id", "routed_to", "status"}) {
					t.Errorf("keys = %v", got)
				}
				json.Unmarshal(b, &fire)
				want := []Target{{"ward", saiGon}, {"department", "PC07"}, {"command_centre", "TTCH"}}
				if fire.Status != "received" || !slices.Equal(fire.RoutedTo, want) || !slices.Equal(fire.Emergency.Call, []string{"114"}) ||
					!strings.Contains(fire.Emergency.Message, "114") {
					t.Errorf("receipt = %s", b)
				}
			}},
		{name: "theft: no emergency key", method: "POST", path: "/api/v1/reports",
			body:   form{fields: map[string]string{"category": "theft", "description": "Mất xe đạp", "address": "Bến Thành", "contact": "0903123456"}},
			status: 201, check: func(t *testing.T, b []byte) {
				if got := keys(t, b); !slices.Equal(got, []string{"code", "id", "routed_to", "status"}) {
					t.Errorf("keys = %v", got)
				}
				json.Unmarshal(b, &theft)
			}},
		{name: "an unknown file type is refused", method: "POST", path: "/api/v1/reports",
			body:   form{fields: map[string]string{"category": "theft", "description": "x", "address": "a"}, files: [][]byte{[]byte("%PDF-1.4 fake")}},
			status: 415, code: "unsupported_media"},
		{name: "six photos are refused", method: "POST", path: "/api/v1/reports",
			body: form{fields: map[string]string{"category": "theft", "description": "x", "address": "a"},
				files: slices.Repeat([][]byte{testJPEG(t, nil)}, 6)},
			status: 413, code: "too_many_photos"},
		{name: "a video over a minute is refused", method: "POST", path: "/api/v1/reports",
			body:   form{fields: map[string]string{"category": "theft", "description": "x", "address": "a"}, files: [][]byte{testMP4(2*time.Minute, 0, 10)}},
			status: 413, code: "video_too_long"},
		{name: "JSON instead of a form", method: "POST", path: "/api/v1/reports", body: map[string]string{"category": "theft"},
			status: 400, code: "multipart_required"},
		{name: "bad time", method: "POST", path: "/api/v1/reports",
			body:   form{fields: map[string]string{"category": "theft", "description": "x", "address": "a", "occurred_at": "hôm qua"}},
			status: 400, code: "bad_occurred_at"},
	})
	s.run(t, []step{
		{name: "reporter tracks the status, never the notes", method: "GET", path: "/api/v1/reports/track/" + fire.Code, status: 200,
			check: func(t *testing.T, b []byte) {
				if got := keys(t, b); !slices.Equal(got, []string{"category", "code", "created_at", "status", "status_label", "updated_at"}) {
					t.Errorf("keys = %v", got)
				}
			}},
		{name: "unknown code", method: "GET", path: "/api/v1/reports/track/PA-2222-3333-44", status: 404, code: "report_not_found"},
		{name: "categories for the form", method: "GET", path: "/api/v1/reports/categories", status: 200},

		{name: "duty list needs a login", method: "GET", path: "/api/v1/duty/reports", status: 401},
		{name: "ward staff are not duty officers", as: s.clerk, method: "GET", path: "/api/v1/duty/reports", status: 403},
		{name: "Sài Gòn officer lists the fire", as: s.saiGon, method: "GET", path: "/api/v1/duty/reports", status: 200,
			check: func(t *testing.T, b []byte) {
				var l struct{ Reports []Report }
				json.Unmarshal(b, &l)
				if len(l.Reports) != 1 || l.Reports[0].ID != fire.ID {
					t.Errorf("list = %s", b)
				}
			}},
		{name: "Bến Thành officer sees only the theft", as: s.benThanh, method: "GET", path: "/api/v1/duty/reports", status: 200,
			check: func(t *testing.T, b []byte) {
				var l struct{ Reports []Report }
				json.Unmarshal(b, &l)
				if len(l.Reports) != 1 || l.Reports[0].ID != theft.ID || l.Reports[0].Contact != "0903123456" {
					t.Errorf("list = %s", b)
				}
			}},
		{name: "another ward's report is not found", as: s.benThanh, method: "GET", path: "/api/v1/duty/reports/" + fire.ID, status: 404, code: "report_not_found"},
		{name: "the command centre sees every ward", as: s.centre, method: "GET", path: "/api/v1/duty/reports/" + fire.ID, status: 200,
			check: func(t *testing.T, b []byte) {
				var r Report
				json.Unmarshal(b, &r)
				if len(r.Media) != 1 || len(r.RoutedTo) != 3 || r.Urgency != Critical {
					t.Errorf("report = %s", b)
				}
			}},
		{name: "acknowledge without the CSRF token", method: "POST", path: "/api/v1/duty/reports/" + fire.ID + "/transitions",
			as: &stafftest.Client{Token: s.saiGon.Token}, body: map[string]string{"to": "acknowledged"}, status: 403, code: "csrf_invalid"},
		{name: "acknowledge", as: s.saiGon, method: "POST", path: "/api/v1/duty/reports/" + fire.ID + "/transitions",
			body: map[string]string{"to": "acknowledged", "note": "Đã báo PC07"}, status: 200},
		{name: "resolve straight away is not allowed", as: s.saiGon, method: "POST", path: "/api/v1/duty/reports/" + fire.ID + "/transitions",
			body: map[string]string{"to": "resolved", "reason": "handled_on_site"}, status: 409, code: "transition_not_allowed"},
		{name: "another ward cannot move it", as: s.benThanh, method: "POST", path: "/api/v1/duty/reports/" + fire.ID + "/transitions",
			body: map[string]string{"to": "verifying"}, status: 404},
		{name: "note", as: s.saiGon, method: "POST", path: "/api/v1/duty/reports/" + fire.ID + "/notes",
			body: map[string]string{"note": "Bảo vệ tòa nhà xác nhận có khói"}, status: 204},
		{name: "tracking shows acknowledged, not the note", method: "GET", path: "/api/v1/reports/track/" + fire.Code, status: 200,
			check: func(t *testing.T, b []byte) {
				if !strings.Contains(string(b), `"status":"acknowledged"`) || strings.Contains(string(b), "PC07") || strings.Contains(string(b), "Bảo vệ") {
					t.Errorf("tracking = %s", b)
				}
			}},
		{name: "photo, without metadata", as: s.centre, method: "GET", path: "/api/v1/duty/reports/" + fire.ID, status: 200,
			check: func(t *testing.T, b []byte) {
				var r Report
				json.Unmarshal(b, &r)
				rec := stafftest.Record(s.handler, func() *http.Request {
					req := stafftest.NewRequest(t, "GET", "/api/v1/duty/reports/"+fire.ID+"/media/"+r.Media[0].ID, nil)
					s.centre.Authorize(req)
					return req
				}())
				if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/jpeg" {
					t.Fatalf("media: %d %s", rec.Code, rec.Header().Get("Content-Type"))
				}
				assertNoMetadata(t, rec.Body.Bytes())
			}},
		{name: "overdue filter", as: s.centre, method: "GET", path: "/api/v1/duty/reports?overdue=1", status: 200,
			check: func(t *testing.T, b []byte) {
				if string(b) != `{"reports":[]}` {
					t.Errorf("overdue = %s", b)
				}
			}},
		{name: "stats", as: s.centre, method: "GET", path: "/api/v1/duty/stats", status: 200,
			check: func(t *testing.T, b []byte) {
				if got := keys(t, b); !slices.Equal(got, []string{"by_category", "by_hour", "by_ward", "from", "time_to_acknowledge", "time_to_resolve", "to", "total"}) {
					t.Errorf("keys = %v", got)
				}
			}},
		{name: "spam needs a reason", as: s.benThanh, method: "POST", path: "/api/v1/duty/reports/" + theft.ID + "/spam",
			body: map[string]string{}, status: 400, code: "reason_required"},
	})
}

func TestHTTPKioskReport(t *testing.T) {
	s := newTestServer(t, nil)
	station, token := addStation(t, s.pool, tanDinh, inTanDinh[0], inTanDinh[1])
	other, _ := addStation(t, s.pool, saiGon, inSaiGon[0], inSaiGon[1])
	fields := func(station string) form {
		return form{fields: map[string]string{"category": "suspicious", "description": "Người lạ thử mở cửa từng căn hộ", "station_id": station}}
	}
	s.run(t, []step{
		{name: "the kiosk's own report goes to its ward", method: "POST", path: "/api/v1/reports", device: token,
			body: form{fields: map[string]string{"category": "suspicious", "description": "Người lạ"}}, status: 201,
			check: func(t *testing.T, b []byte) {
				var r Receipt
				json.Unmarshal(b, &r)
				if r.RoutedTo[0] != (Target{ToWard, tanDinh}) {
					t.Errorf("routed to %v", r.RoutedTo)
				}
				var channel, st string
				s.pool.QueryRow(context.Background(), `SELECT channel, station_id FROM reports WHERE id = $1`, r.ID).Scan(&channel, &st)
				if channel != "kiosk" || st != station {
					t.Errorf("channel %s station %s", channel, st)
				}
			}},
		{name: "naming its station too", method: "POST", path: "/api/v1/reports", device: token, body: fields(station), status: 201},
		{name: "a station_id without the station's token", method: "POST", path: "/api/v1/reports", body: fields(station),
			status: 401, code: "station_auth_required"},
		{name: "another station's id", method: "POST", path: "/api/v1/reports", device: token, body: fields(other),
			status: 403, code: "station_mismatch"},
		{name: "a wrong token", method: "POST", path: "/api/v1/reports", device: "cst_wrong", body: fields(""),
			status: 401, code: "device_token_invalid"},
	})
}

func TestHTTPRateLimited(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.RatePerDevice = 1 })
	f := form{fields: map[string]string{"category": "theft", "description": "x", "address": "a", "device_id": "tablet-7"}}
	s.run(t, []step{
		{name: "first", method: "POST", path: "/api/v1/reports", body: f, status: 201},
		{name: "second from the same device", method: "POST", path: "/api/v1/reports", body: f, status: 429, code: "rate_limited"},
	})
}

func TestOpen311(t *testing.T) {
	s := newTestServer(t, nil)
	var created []map[string]json.RawMessage
	requestFields := []string{"address", "address_id", "agency_responsible", "description", "expected_datetime", "lat", "long",
		"media_url", "requested_datetime", "service_code", "service_name", "service_notice", "service_request_id",
		"status", "status_notes", "updated_datetime", "zipcode"}
	s.run(t, []step{
		{name: "services", method: "GET", path: "/open311/v2/services.json", status: 200, check: func(t *testing.T, b []byte) {
			var list []json.RawMessage
			json.Unmarshal(b, &list)
			if len(list) != 8 {
				t.Fatalf("%d services", len(list))
			}
			if got := keys(t, list[0]); !slices.Equal(got, []string{"description", "group", "keywords", "metadata", "service_code", "service_name", "type"}) {
				t.Errorf("service keys = %v", got)
			}
		}},
		{name: "create", method: "POST", path: "/open311/v2/requests.json",
			body: url.Values{"service_code": {"fire"}, "lat": {"10.7781"}, "long": {"106.7072"}, "description": {"Cháy quán ăn"},
				"email": {"dan@example.vn"}, "first_name": {"Văn"}, "last_name": {"Dân"}, "device_id": {"client-1"}},
			status: 201, check: func(t *testing.T, b []byte) {
				json.Unmarshal(b, &created)
				if len(created) != 1 || !slices.Equal(keys(t, b[1:len(b)-1]), []string{"account_id", "service_notice", "service_request_id"}) {
					t.Fatalf("created = %s", b)
				}
				if !strings.Contains(string(created[0]["service_notice"]), "114") {
					t.Errorf("fire notice without 114: %s", b)
				}
			}},
		{name: "create with an unknown service", method: "POST", path: "/open311/v2/requests.json",
			body: url.Values{"service_code": {"potholes"}, "address_string": {"1 Lê Lợi"}}, status: 400,
			check: func(t *testing.T, b []byte) {
				var errs []Open311Error
				if json.Unmarshal(b, &errs) != nil || len(errs) != 1 || errs[0].Code != 400 || errs[0].Description == "" {
					t.Errorf("error = %s", b)
				}
			}},
	})
	var id string
	json.Unmarshal(created[0]["service_request_id"], &id)
	s.run(t, []step{
		{name: "list", method: "GET", path: "/open311/v2/requests.json?status=open&service_code=fire", status: 200, check: func(t *testing.T, b []byte) {
			var list []json.RawMessage
			json.Unmarshal(b, &list)
			if len(list) != 1 || !slices.Equal(keys(t, list[0]), requestFields) {
				t.Fatalf("list = %s", b)
			}
			var r Open311Request
			json.Unmarshal(list[0], &r)
			if r.ServiceRequestID != id || r.Status != "open" || *r.Lat != 10.778 || *r.Long != 106.707 || r.Description != "" ||
				r.AgencyResponsible != "Công an Phường Sài Gòn" {
				t.Errorf("request = %s", list[0])
			}
		}},
		{name: "list closed: none", method: "GET", path: "/open311/v2/requests.json?status=closed", status: 200,
			check: func(t *testing.T, b []byte) {
				if string(b) != "[]" {
					t.Errorf("closed = %s", b)
				}
			}},
		{name: "by id list", method: "GET", path: "/open311/v2/requests.json?service_request_id=" + id, status: 200},
		{name: "get one", method: "GET", path: "/open311/v2/requests/" + id + ".json", status: 200, check: func(t *testing.T, b []byte) {
			if !strings.HasPrefix(string(b), `[{"service_request_id":"`+id) {
				t.Errorf("get = %s", b)
			}
		}},
		{name: "XML is not served", method: "GET", path: "/open311/v2/requests/" + id + ".xml", status: 404},
		{name: "unknown id", method: "GET", path: "/open311/v2/requests/PA-2222-2222-22.json", status: 404},
		{name: "range over 90 days", method: "GET", path: "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", status: 400},
	})
}

// TestLiveFeed subscribes over real HTTP and checks each officer gets the
// events of their ward, and the command centre all of them.
func TestLiveFeed(t *testing.T) {
	s := newTestServer(t, nil)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close) // after the clients below have hung up
	open := func(c *stafftest.Client, query string) <-chan FeedEvent {
		return readFeed(openStream(t, srv, c, "/api/v1/duty/feed"+query))
	}
	sg, bt, cc := open(s.saiGon, ""), open(s.benThanh, ""), open(s.centre, "")
	ccBenThanh := open(s.centre, "?ward="+benThanh)
	// An officer cannot listen to another ward.
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/duty/feed?ward="+saiGon, nil)
	s.benThanh.Authorize(req)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 404 {
		t.Fatalf("another ward's feed: %v %v", resp, err)
	}
	fire, err := s.svc.Submit(context.Background(), submission("fire", inSaiGon))
	if err != nil {
		t.Fatal(err)
	}
	theft, _ := s.svc.Submit(context.Background(), submission("theft", inBenThanh))
	s.svc.Advance(context.Background(), Officer{ID: "1", Wards: []string{saiGon}}, fire.ID, Move{To: Acknowledged})

	expect := func(name string, ch <-chan FeedEvent, want ...string) {
		t.Helper()
		for _, w := range want {
			select {
			case ev := <-ch:
				if got := ev.ReportID + "/" + string(ev.Status); got != w {
					t.Errorf("%s: event %s, want %s", name, got, w)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: no event, want %s", name, w)
			}
		}
		select {
		case ev := <-ch:
			t.Errorf("%s: unexpected event %+v", name, ev)
		case <-time.After(200 * time.Millisecond):
		}
	}
	expect("Sài Gòn", sg, fire.ID+"/received", fire.ID+"/acknowledged")
	expect("Bến Thành", bt, theft.ID+"/received")
	expect("command centre", cc, fire.ID+"/received", theft.ID+"/received", fire.ID+"/acknowledged")
	expect("command centre, Bến Thành only", ccBenThanh, theft.ID+"/received")
}

// openStream opens a live stream of srv at path as c, until the test ends.
func openStream(t *testing.T, srv *httptest.Server, c *stafftest.Client, path string) io.ReadCloser {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // before srv.Close, registered earlier
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
	c.Authorize(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream %s: %v %v", path, resp, err)
	}
	return resp.Body
}

// readFeed parses server-sent "report" events from r.
func readFeed(r io.ReadCloser) <-chan FeedEvent {
	ch := make(chan FeedEvent, 1024)
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				event = strings.TrimSpace(line[6:])
			case strings.HasPrefix(line, "data:") && event == "report":
				var ev FeedEvent
				if json.Unmarshal([]byte(strings.TrimSpace(line[5:])), &ev) == nil {
					ev.At = time.Now() // when it arrived here
					ch <- ev
				}
			}
		}
		close(ch)
	}()
	return ch
}

// TestFeedEndsAtSignOut signs the officer out while the feed is open: the
// stream says so and ends.
func TestFeedEndsAtSignOut(t *testing.T) {
	s := newTestServer(t, nil)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	body := openStream(t, srv, s.saiGon, "/api/v1/duty/feed")
	staffSvc := staff.NewService(s.pool, staff.DefaultConfig())
	if err := staffSvc.Logout(context.Background(), audit.Actor{}, s.saiGon.Token); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(body)
		done <- string(b)
	}()
	select {
	case body := <-done:
		if !strings.Contains(body, "event:signed_out") {
			t.Errorf("stream ended without saying why: %q", body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the feed outlived the login")
	}
}
