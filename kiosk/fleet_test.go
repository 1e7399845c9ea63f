package kiosk_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/kiosktest"
)

// TestFleetConsole renders the fleet console as an administrator sees it
// and follows a station through its heartbeats, on the page and on the
// console's live stream.
func TestFleetConsole(t *testing.T) {
	pool := dbtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	l := live.New(pool, quiet, kiosk.FleetChannel)
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	<-l.Ready()
	svc := kiosk.NewService(pool, kiosk.DefaultConfig(), quiet)
	st := staff.NewService(pool, staff.Config{})
	h := httpserver.New(httpserver.Options{Logger: quiet}, &kiosk.Handler{Service: svc,
		Viewer: st.Require(staff.RoleAdmin, staff.RoleCommandCentre),
		Pages:  st.RequirePage(staff.RoleAdmin, staff.RoleCommandCentre), Live: l}).Handler()
	e := &env{pool: pool, svc: svc, h: h}
	station, token := e.addStation(t, "Trạm chung cư Bến Nghé")
	adminUser := stafftest.SignIn(t, pool, staff.RoleAdmin)
	officer := stafftest.SignIn(t, pool, staff.RoleDutyOfficer, "26740")

	stafftest.CheckPages(t, h, []stafftest.Page{
		{Name: "signed out: to sign in", Path: "/staff/stations", Status: 303},
		{Name: "a duty officer may not", As: officer, Path: "/staff/stations", Status: 403},
		{Name: "never heard from", As: adminUser, Path: "/staff/stations", Status: 200, Want: []string{"Trạm chung cư Bến Nghé",
			"<td>Phường Sài Gòn<br><small>mã 26740</small></td>", "Mất kết nối", "Chưa báo lần nào", `sse-connect="/staff/stations/live"`, "0 lượt sử dụng", "/static/vendor/htmx.min.js"}},
	})

	// A station of a code the official list lacks, from before the list:
	// named by its imported boundary, else by its code.
	kiosktest.LegacyStations(t, pool)
	stafftest.CheckPages(t, h, []stafftest.Page{
		{Name: "codes off the official list", As: adminUser, Path: "/staff/stations", Status: 200, Want: []string{
			"<td>Phường mẫu cũ<br><small>mã 99901</small></td>", "<td>Phường mã 99902</td>"}},
	})

	// The console's stream says "changed" when a station comes up.
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close) // after the stream below has hung up
	streamCtx, hangUp := context.WithCancel(ctx)
	t.Cleanup(hangUp)
	req, _ := http.NewRequestWithContext(streamCtx, "GET", srv.URL+"/staff/stations/live", nil)
	adminUser.Authorize(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("live: %v %v", resp, err)
	}
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event:"); ok {
				events <- name
			}
		}
	}()
	rec := e.device(t, token, "POST", "/api/v1/kiosk/heartbeat", `{"app_version":"1.2.0","peripherals":[
		{"id":"printer","class":"receipt_printer","status":"online","paper":"low"},
		{"id":"camera","class":"camera","status":"hardwareError"}]}`)
	if rec.Code != 200 {
		t.Fatalf("heartbeat: %d %s", rec.Code, rec.Body)
	}
	select {
	case ev := <-events:
		if ev != "changed" {
			t.Errorf("event %q", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event for the station coming up")
	}
	// The stations' fragment, in words and colours.
	rec = adminUser.Do(t, h, "GET", "/staff/stations/rows", nil)
	for _, w := range []string{`data-station="` + station.ID + `"`, `<span class="badge green">Trực tuyến</span>`,
		`<span class="badge amber">Máy in biên nhận: hoạt động · giấy sắp hết</span>`,
		`<span class="badge red">Camera: lỗi phần cứng</span>`, "phiên bản 1.2.0"} {
		if !strings.Contains(rec.Body.String(), w) {
			t.Errorf("rows lack %q:\n%s", w, rec.Body)
		}
	}
	if strings.Contains(rec.Body.String(), "<html") {
		t.Error("the fragment is a whole page")
	}
}
