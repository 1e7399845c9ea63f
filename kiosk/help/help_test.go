package help_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/jobs"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/help"
	"github.com/citizenstation/citizenstation/kiosk/kiosktest"
)

const ward = "26740"

type env struct {
	h       http.Handler
	srv     *httptest.Server
	station *kiosktest.Station
	kiosks  *kiosk.Service
	pool    *pgxpool.Pool
}

// newEnv serves help requests on a scratch database with a working job
// queue (escalation after escalate) and a running listener.
func newEnv(t *testing.T, escalate time.Duration) (*env, func(role staff.Role, wards ...string) *stafftest.Client) {
	t.Helper()
	pool := dbtest.New(t)
	quiet := slog.New(slog.DiscardHandler)
	svc := help.NewService(pool, help.Config{EscalateAfter: escalate, Hotline: "1022"})
	kiosks := kiosk.NewService(pool, kiosk.DefaultConfig(), quiet, svc)
	q, err := jobs.New(pool, quiet, jobs.Config{Work: true, MaxWorkers: 2, Register: []func(*river.Workers){svc.RegisterWorkers}})
	if err != nil {
		t.Fatal(err)
	}
	svc.Queue = q
	ctx, cancel := context.WithCancel(context.Background())
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	l := live.New(pool, quiet, help.Channel)
	go l.Run(ctx)
	<-l.Ready()
	t.Cleanup(func() {
		cancel()
		stopCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		q.Stop(stopCtx)
	})
	st := staff.NewService(pool, staff.Config{})
	h := httpserver.New(httpserver.Options{Logger: quiet},
		&help.Handler{Service: svc, Devices: kiosks, Staff: st, Live: l}).Handler()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{h: h, srv: srv, station: kiosktest.Add(t, kiosks, ward), kiosks: kiosks, pool: pool}
	return e, func(role staff.Role, wards ...string) *stafftest.Client {
		return stafftest.SignIn(t, pool, role, wards...)
	}
}

func (e *env) kiosk(t *testing.T, method, path, body string) (int, help.KioskView) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", e.station.Bearer())
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	rec := stafftest.Record(e.h, r)
	var v help.KioskView
	json.Unmarshal(rec.Body.Bytes(), &v)
	return rec.Code, v
}

func open(t *testing.T, h http.Handler, c *stafftest.Client) []help.Request {
	t.Helper()
	rec := c.Do(t, h, "GET", "/api/v1/help", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/help as %s: %d %s", c.User.Role, rec.Code, rec.Body)
	}
	var out struct{ Requests []help.Request }
	json.Unmarshal(rec.Body.Bytes(), &out)
	return out.Requests
}

// stream opens the consoles' live stream as c and returns the names of its
// events other than keepalives.
func stream(t *testing.T, srv *httptest.Server, c *stafftest.Client) <-chan string {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+"/staff/help/live", nil)
	c.Authorize(req)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("stream: %v %v", err, res)
	}
	t.Cleanup(func() { res.Body.Close() })
	out := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if e, ok := strings.CutPrefix(sc.Text(), "event:"); ok && e != "keepalive" {
				out <- e
			}
		}
	}()
	return out
}

func within(t *testing.T, ch <-chan string, d time.Duration, what string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(d):
		t.Fatalf("%s: nothing within %s", what, d)
		return ""
	}
}

// A call reaches the ward's staff live, is acknowledged with one touch, and
// the kiosk tells the resident who is coming; staff of another ward and
// the command centre are not bothered.
func TestCallAcknowledged(t *testing.T) {
	e, signIn := newEnv(t, time.Hour)
	wardStaff := signIn(staff.RoleWardStaff, ward)
	other := signIn(staff.RoleWardStaff, "26743")
	centre := signIn(staff.RoleCommandCentre)
	events := stream(t, e.srv, wardStaff)

	code, v := e.kiosk(t, "POST", "/api/v1/kiosk/help", `{"step":"f-review","reason":"form_help"}`)
	if code != http.StatusCreated || v.Status != help.StatusWaiting || v.Message == "" {
		t.Fatalf("create: %d %+v", code, v)
	}
	if ev := within(t, events, 2*time.Second, "ward staff's stream"); ev != "arrived" {
		t.Fatalf("event %q, want arrived", ev)
	}
	// A second press while waiting is the same call.
	if _, again := e.kiosk(t, "POST", "/api/v1/kiosk/help", ``); again.ID != v.ID {
		t.Fatalf("second press made request %s, want %s", again.ID, v.ID)
	}
	for _, tc := range []struct {
		who  *stafftest.Client
		want int
	}{{wardStaff, 1}, {other, 0}, {centre, 0}} {
		if got := open(t, e.h, tc.who); len(got) != tc.want {
			t.Errorf("%s of %v sees %d open requests, want %d", tc.who.User.Role, tc.who.User.Wards, len(got), tc.want)
		}
	}
	if rec := other.Do(t, e.h, "POST", "/api/v1/help/"+v.ID+"/ack", nil); rec.Code != http.StatusNotFound {
		t.Fatalf("another ward's staff acknowledged: %d", rec.Code)
	}
	for _, tc := range []struct {
		name string
		want int
	}{{"Nam<script>", http.StatusBadRequest}, {strings.Repeat("a", 41), http.StatusBadRequest}, {"  Nam  ", http.StatusNoContent}} {
		if rec := wardStaff.Do(t, e.h, "PUT", "/api/v1/help/name", map[string]string{"name": tc.name}); rec.Code != tc.want {
			t.Fatalf("name %q: %d, want %d", tc.name, rec.Code, tc.want)
		}
	}
	if rec := wardStaff.Do(t, e.h, "POST", "/api/v1/help/"+v.ID+"/ack", nil); rec.Code != http.StatusOK {
		t.Fatalf("ack: %d %s", rec.Code, rec.Body)
	}
	if rec := wardStaff.Do(t, e.h, "POST", "/api/v1/help/"+v.ID+"/ack", nil); rec.Code != http.StatusConflict {
		t.Fatalf("second ack: %d, want 409", rec.Code)
	}
	_, v = e.kiosk(t, "GET", "/api/v1/kiosk/help/"+v.ID, "")
	want := "Anh/Chị Nam ở phường đã nhận"
	if v.Status != help.StatusAcknowledged || !strings.HasPrefix(v.Message, want) {
		t.Fatalf("kiosk sees %+v, want %q…", v, want)
	}
	if got := open(t, e.h, wardStaff); len(got) != 0 {
		t.Fatalf("acknowledged request still open: %+v", got)
	}
	u, err := e.kiosks.Usage(context.Background(), kiosk.UsageFilter{StationID: e.station.ID})
	if err != nil {
		t.Fatal(err)
	}
	if u.Help.Requests != 1 || u.Help.Acknowledged != 1 || u.Help.MedianWaitSeconds <= 0 {
		t.Fatalf("usage of help: %+v", u.Help)
	}
}

// Nobody answers: the call climbs to the duty officer (the kiosk shows the
// ward's number) and then to the command centre.
func TestCallEscalates(t *testing.T) {
	e, signIn := newEnv(t, time.Second)
	wardStaff := signIn(staff.RoleWardStaff, ward)
	centre := signIn(staff.RoleCommandCentre)
	if rec := wardStaff.Do(t, e.h, "PUT", "/api/v1/wards/"+ward+"/phone", `{"phone":"028 3812 3456"}`); rec.Code != http.StatusNoContent {
		t.Fatalf("set phone: %d %s", rec.Code, rec.Body)
	}
	centreEvents := stream(t, e.srv, centre)
	_, v := e.kiosk(t, "POST", "/api/v1/kiosk/help", `{"step":"home"}`)

	deadline := time.Now().Add(30 * time.Second)
	for v.Status != help.StatusEscalated && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		_, v = e.kiosk(t, "GET", "/api/v1/kiosk/help/"+v.ID, "")
	}
	if v.Status != help.StatusEscalated || v.Phone != "02838123456" || !strings.Contains(v.Message, "028 3812 3456") {
		t.Fatalf("kiosk after the wait: %+v", v)
	}
	if ev := within(t, centreEvents, 30*time.Second, "command centre's stream"); ev != "arrived" {
		t.Fatalf("command centre got %q, want arrived", ev)
	}
	if got := open(t, e.h, centre); len(got) != 1 || got[0].Level != help.LevelCommandCentre {
		t.Fatalf("command centre sees %+v", got)
	}
	if rec := centre.Do(t, e.h, "POST", "/api/v1/help/"+v.ID+"/ack", nil); rec.Code != http.StatusOK {
		t.Fatalf("command centre ack: %d %s", rec.Code, rec.Body)
	}
}

// A call still waiting when its visit ends is closed: the consoles stop
// showing it, and the statistics count it cancelled.
func TestCallClosedWithItsVisit(t *testing.T) {
	e, signIn := newEnv(t, time.Hour)
	wardStaff := signIn(staff.RoleWardStaff, ward)
	visit := e.station.Visit(t)
	_, v := e.kiosk(t, "POST", "/api/v1/kiosk/help", `{"kiosk_session_id":"`+visit+`","step":"f-pay"}`)
	if got := open(t, e.h, wardStaff); len(got) != 1 || got[0].Step != "f-pay" {
		t.Fatalf("open calls: %+v", got)
	}
	if _, err := e.kiosks.Finish(context.Background(), e.station.ID, visit); err != nil {
		t.Fatal(err)
	}
	if got := open(t, e.h, wardStaff); len(got) != 0 {
		t.Fatalf("a call of an ended visit is still shown: %+v", got)
	}
	if _, v = e.kiosk(t, "GET", "/api/v1/kiosk/help/"+v.ID, ""); v.Status != help.StatusCancelled {
		t.Fatalf("kiosk sees %+v", v)
	}
	u, err := e.kiosks.Usage(context.Background(), kiosk.UsageFilter{StationID: e.station.ID})
	if err != nil {
		t.Fatal(err)
	}
	if u.Help.Requests != 1 || u.Help.Cancelled != 1 || u.Help.Waiting != 0 {
		t.Fatalf("usage of help: %+v", u.Help)
	}
}

// form posts v to path as a browser's form would, with c's session cookie
// and the CSRF token as a form field (none when csrf is false); htmx marks
// the request as htmx's.
func form(t *testing.T, h http.Handler, c *stafftest.Client, path string, v url.Values, csrf, htmx bool) *httptest.ResponseRecorder {
	t.Helper()
	if csrf {
		v.Set(staff.CSRFField, c.CSRF)
	}
	r := stafftest.NewRequest(t, "POST", path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: staff.CookieName, Value: c.Token})
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return stafftest.Record(h, r)
}

// The console's card says in words where the resident is and why they
// called, and its form acknowledges the call without any script; the form
// returns to the console it was on, never to another site.
func TestConsoleCardWithoutScripts(t *testing.T) {
	e, signIn := newEnv(t, time.Hour)
	wardStaff := signIn(staff.RoleWardStaff, ward)
	if code, _ := e.kiosk(t, "POST", "/api/v1/kiosk/help", `{"reason":"no_such_reason"}`); code != http.StatusBadRequest {
		t.Fatalf("a reason nobody wrote words for: %d", code)
	}
	_, v := e.kiosk(t, "POST", "/api/v1/kiosk/help", `{"step":"f-review","reason":"form_help"}`)

	stafftest.CheckPages(t, e.h, []stafftest.Page{
		{Name: "signed out", Path: "/staff/help", Status: http.StatusSeeOther},
		{Name: "ward staff", As: wardStaff, Path: "/staff/help", Status: http.StatusOK, Want: []string{
			"Trạm thử " + t.Name(), "1 Lê Lợi", "Đang ở: xem lại tờ khai", "Lý do: Cần giúp khai tờ khai",
			`action="/staff/help/` + v.ID + `/ack"`, "Nếu chưa ai nhận, chuyển trực ban lúc"}},
		{Name: "another ward's staff", As: signIn(staff.RoleWardStaff, "26743"), Path: "/staff/help", Status: http.StatusOK,
			Want: []string{`id="help-requests" aria-labelledby="help-h" hidden`}},
		{Name: "the cards' fragment", As: wardStaff, Path: "/staff/help/calls?back=/duty", Status: http.StatusOK,
			Want: []string{`name="back" value="/duty"`, "Tôi sẽ tới"}},
	})
	if rec := wardStaff.Do(t, e.h, "GET", "/staff/help", nil); strings.Contains(rec.Body.String(), "f-review") || strings.Contains(rec.Body.String(), "form_help") {
		t.Fatalf("the page shows an internal id: %s", rec.Body)
	}

	if rec := form(t, e.h, wardStaff, "/staff/help/"+v.ID+"/ack", url.Values{"back": {"/duty"}}, false, false); rec.Code != http.StatusForbidden {
		t.Fatalf("a form without the CSRF token: %d", rec.Code)
	}
	rec := form(t, e.h, wardStaff, "/staff/help/"+v.ID+"/ack", url.Values{"back": {"/duty"}}, true, false)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/duty" {
		t.Fatalf("acknowledge by form: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if _, v = e.kiosk(t, "GET", "/api/v1/kiosk/help/"+v.ID, ""); v.Status != help.StatusAcknowledged {
		t.Fatalf("kiosk sees %+v", v)
	}
	// Taken already: the page says so in words.
	rec = form(t, e.h, wardStaff, "/staff/help/"+v.ID+"/ack", url.Values{}, true, false)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "đã có người nhận") {
		t.Fatalf("second acknowledgement: %d %.300s", rec.Code, rec.Body)
	}

	// From htmx the answer is the cards; a form never sends the browser
	// to another site.
	_, v = e.kiosk(t, "POST", "/api/v1/kiosk/help", `{"step":"bills:pay"}`)
	rec = form(t, e.h, wardStaff, "/staff/help/"+v.ID+"/ack", url.Values{"back": {"/staff"}}, true, true)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="help-requests"`) {
		t.Fatalf("acknowledge from htmx: %d %.300s", rec.Code, rec.Body)
	}
	_, v = e.kiosk(t, "POST", "/api/v1/kiosk/help", ``)
	for _, back := range []string{"https://example.com/staff", "//example.com/staff", "/api/v1/help"} {
		_, v = e.kiosk(t, "POST", "/api/v1/kiosk/help", ``)
		rec = form(t, e.h, wardStaff, "/staff/help/"+v.ID+"/ack", url.Values{"back": {back}}, true, false)
		if got := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || got != "/staff/help?done=ack" {
			t.Errorf("back=%q: %d to %q", back, rec.Code, got)
		}
	}
}

const unknownStep = "Chưa rõ người dân đang ở bước nào"

// A step is shown in words: the step the visit recorded (a kiosk screen,
// the guide's stage or what it noted) with the service, either alone, and
// a plain sentence for a step nobody wrote words for, never the step's id.
func TestStepInWords(t *testing.T) {
	for _, tc := range []struct{ step, service, entry, want string }{
		{"f-review", "procedures", "", "Đang ở: xem lại tờ khai (Thủ tục hành chính)"},
		{"home", "", "", "Đang ở: màn hình chính"},
		{"f-chat", "", "", "Đang ở: trò chuyện với trợ lý"},
		{"collect", "residence.stay-notify", "Thông báo lưu trú", "Đang ở: khai từng mục (Thông báo lưu trú)"},
		{"payment_qr", "bills", "", "Đang ở: mã QR thanh toán (Thanh toán hóa đơn)"},
		{"", "reports", "", "Đang dùng: Phản ánh an ninh, trật tự"},
		{"x9-screen", "", "", unknownStep},
		{"", "", "", unknownStep},
	} {
		if got := (help.Request{Step: tc.step, Service: tc.service, ServiceEntry: tc.entry}).StepText(); got != tc.want {
			t.Errorf("step %q of %q: %q, want %q", tc.step, tc.service, got, tc.want)
		}
	}
	for _, reason := range []string{"cannot_find", "form_help", "scanner", "printer", "payment", "emergency", "other"} {
		if got := (help.Request{Reason: reason}).ReasonText(); got == "" || strings.Contains(got, reason) {
			t.Errorf("reason %q in words: %q", reason, got)
		}
	}
}

// A call's place and a ward's phone form name the ward inside a sentence:
// by its name, or by the stand-in for a code no table names (a unit
// dropped from the official list after the account was given it).
func TestWardInWords(t *testing.T) {
	for _, tc := range []struct {
		r    help.Request
		want string
	}{
		{help.Request{StationName: "Trạm A", StationAddress: "1 Lê Lợi", WardCode: ward, WardName: "Phường Sài Gòn"}, "Trạm A (1 Lê Lợi) · Phường Sài Gòn"},
		{help.Request{StationName: "Trạm B", WardCode: "26737"}, "Trạm B · phường mã 26737"},
	} {
		if got := tc.r.Place(); got != tc.want {
			t.Errorf("Place() = %q, want %q", got, tc.want)
		}
	}
	e, signIn := newEnv(t, time.Hour)
	wardStaff := signIn(staff.RoleWardStaff, ward, "26737")
	if _, err := e.pool.Exec(context.Background(), `DELETE FROM admin_units WHERE code = '26737'`); err != nil {
		t.Fatal(err)
	}
	got := wardStaff.Do(t, e.h, "GET", "/staff/help", nil).Body.String()
	for _, want := range []string{"Số điện thoại của Phường Sài Gòn</h2>", "Số điện thoại của phường mã 26737</h2>"} {
		if !strings.Contains(got, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// Only the ward's own staff set the number residents are told to call; it
// must be a Vietnamese phone number, is stored in its national form, and
// every change is in the audit log with the number it replaced.
func TestWardPhone(t *testing.T) {
	e, signIn := newEnv(t, time.Hour)
	wardStaff := signIn(staff.RoleWardStaff, ward)
	page := func(c *stafftest.Client) string { return c.Do(t, e.h, "GET", "/staff/help", nil).Body.String() }
	if got := page(wardStaff); !strings.Contains(got, `action="/staff/help/wards/`+ward+`/phone"`) || !strings.Contains(got, "đường dây nóng <strong>1022</strong>") {
		t.Fatalf("ward staff's page lacks the phone form: %.2000s", got)
	}
	for _, c := range []*stafftest.Client{signIn(staff.RoleDutyOfficer, ward), signIn(staff.RoleAdmin), signIn(staff.RoleCommandCentre)} {
		if strings.Contains(page(c), "/phone") {
			t.Errorf("%s is offered the ward's phone form", c.User.Role)
		}
		if rec := form(t, e.h, c, "/staff/help/wards/"+ward+"/phone", url.Values{"phone": {"0903123456"}}, true, false); rec.Code != http.StatusForbidden {
			t.Errorf("%s set the ward's phone by form: %d", c.User.Role, rec.Code)
		}
		if rec := c.Do(t, e.h, "PUT", "/api/v1/wards/"+ward+"/phone", `{"phone":"0903123456"}`); rec.Code != http.StatusForbidden {
			t.Errorf("%s set the ward's phone by the API: %d", c.User.Role, rec.Code)
		}
	}
	other := signIn(staff.RoleWardStaff, "26743")
	if rec := form(t, e.h, other, "/staff/help/wards/"+ward+"/phone", url.Values{"phone": {"0903123456"}}, true, false); rec.Code != http.StatusForbidden {
		t.Errorf("another ward's staff set the phone: %d", rec.Code)
	}
	for _, bad := range []string{"12345", "0123456789", "028 3812 345", "gọi 0903123456", ""} {
		rec := form(t, e.h, wardStaff, "/staff/help/wards/"+ward+"/phone", url.Values{"phone": {bad}}, true, false)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Số điện thoại không hợp lệ") {
			t.Errorf("phone %q: %d %.200s", bad, rec.Code, rec.Body)
		}
	}
	if rec := wardStaff.Do(t, e.h, "PUT", "/api/v1/wards/"+ward+"/phone", `{"phone":"12"}`); !strings.Contains(rec.Body.String(), `"ward_phone_invalid"`) {
		t.Errorf("API: %d %s", rec.Code, rec.Body)
	}

	for i, phone := range []string{"0903 123 456", "(028) 3812.3456"} {
		rec := form(t, e.h, wardStaff, "/staff/help/wards/"+ward+"/phone", url.Values{"phone": {phone}}, true, false)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/staff/help?done=phone" {
			t.Fatalf("set %q: %d %.300s", phone, rec.Code, rec.Body)
		}
		want := []string{"0903 123 456", "028 3812 3456"}[i]
		if got := page(wardStaff); !strings.Contains(got, `id="phone-now-`+ward+`">`+want+`<`) {
			t.Fatalf("the page does not show %s: %.2000s", want, got)
		}
	}
	var n int
	var previous, phone string
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) OVER (), details->>'previous', details->>'phone' FROM audit_log
		WHERE action = 'ward.phone_set' AND ward = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1`, ward, wardStaff.User.ID).Scan(&n, &previous, &phone); err != nil {
		t.Fatal(err)
	}
	if n != 2 || previous != "0903123456" || phone != "02838123456" {
		t.Fatalf("audit: %d entries, last %q → %q", n, previous, phone)
	}
	_, v := e.kiosk(t, "POST", "/api/v1/kiosk/help", ``)
	if got, err := (help.NewService(e.pool, help.Config{Hotline: "1022"})).Phone(context.Background(), ward); err != nil || got != "02838123456" {
		t.Fatalf("the kiosk's number: %q %v (call %s)", got, err, v.ID)
	}
}

// The name residents hear is set on the page with a plain form.
func TestNameForm(t *testing.T) {
	e, signIn := newEnv(t, time.Hour)
	u := signIn(staff.RoleDutyOfficer, ward)
	if rec := form(t, e.h, u, "/staff/help/name", url.Values{"name": {"Nam<b>"}}, true, false); rec.Code != http.StatusBadRequest {
		t.Fatalf("a name with markup: %d", rec.Code)
	}
	if rec := form(t, e.h, u, "/staff/help/name", url.Values{"name": {" Lan  Anh "}}, true, false); rec.Code != http.StatusSeeOther {
		t.Fatalf("name: %d %.300s", rec.Code, rec.Body)
	}
	if got := u.Do(t, e.h, "GET", "/staff/help?done=name", nil).Body.String(); !strings.Contains(got, `value="Lan Anh"`) || !strings.Contains(got, "Đã lưu tên gọi.") {
		t.Fatalf("page after the name: %.2000s", got)
	}
}

// TestCallSaysWhereTheVisitIs: a call made during a visit says where the
// visit is as the kiosk and the guide recorded it — the step and the
// service — rather than only the screen the kiosk sent.
func TestCallSaysWhereTheVisitIs(t *testing.T) {
	e, signIn := newEnv(t, time.Hour)
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `INSERT INTO procedure_entries (slug, name, grp, kind, online, checked_on, body)
		VALUES ('residence.stay-notify', 'Thông báo lưu trú', 'residence', 'procedure', 'full', '2026-11-01', '{}')`); err != nil {
		t.Fatal(err)
	}
	visit, err := e.kiosks.StartSession(ctx, e.station.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []kiosk.Activity{{Service: "procedures", Step: "f-chat"}, {Service: "residence.stay-notify", Step: "collect"}} {
		if _, err := e.kiosks.Touch(ctx, e.station.ID, visit.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	code, v := e.kiosk(t, "POST", "/api/v1/kiosk/help", `{"kiosk_session_id":"`+visit.ID+`","step":"f-chat","reason":"form_help"}`)
	if code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("call: %d", code)
	}
	wardStaff := signIn(staff.RoleWardStaff, ward)
	stafftest.CheckPages(t, e.h, []stafftest.Page{
		{Name: "the visit's step and service", As: wardStaff, Path: "/staff/help", Status: http.StatusOK,
			Want: []string{"Đang ở: khai từng mục (Thông báo lưu trú)"}},
	})
	// A second press after the guide moved on says where it is now.
	if _, err := e.kiosks.Touch(ctx, e.station.ID, visit.ID, kiosk.Activity{Step: "review"}); err != nil {
		t.Fatal(err)
	}
	if _, again := e.kiosk(t, "POST", "/api/v1/kiosk/help", `{"kiosk_session_id":"`+visit.ID+`","step":"f-chat"}`); again.ID != v.ID {
		t.Fatalf("a second press made another call: %s, %s", again.ID, v.ID)
	}
	stafftest.CheckPages(t, e.h, []stafftest.Page{
		{Name: "where the visit is now", As: wardStaff, Path: "/staff/help", Status: http.StatusOK,
			Want: []string{"Đang ở: xem lại tờ khai (Thông báo lưu trú)"}},
	})
}
