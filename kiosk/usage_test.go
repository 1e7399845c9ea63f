package kiosk_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/kiosk"
)

// pastVisit is a visit as it was: where, when (Vietnam time), how long,
// what was used, how it ended.
type pastVisit struct {
	station  string
	start    time.Time
	seconds  int
	services []string
	outcome  string // "" abandoned
	step     string
	reason   string
}

// record plays visit v at its station and places it in time: it started at
// v.start and its last activity was v.seconds later; an idle visit is ended
// by the sweep, another by the station.
func (e *env) record(t *testing.T, v pastVisit) {
	t.Helper()
	ctx := context.Background()
	k, err := e.svc.StartSession(ctx, v.station)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range v.services {
		if _, err := e.svc.Touch(ctx, v.station, k.ID, kiosk.Activity{Service: s, Step: v.step, Outcome: v.outcome}); err != nil {
			t.Fatal(err)
		}
	}
	last := v.start.Add(time.Duration(v.seconds) * time.Second)
	e.pool.Exec(ctx, `UPDATE kiosk_sessions SET started_at = $2, last_activity_at = $3 WHERE id = $1`, k.ID, v.start, last)
	if v.reason == kiosk.EndIdle {
		if n, err := e.svc.SweepIdle(ctx); n != 1 || err != nil {
			t.Fatalf("idle sweep: %d %v", n, err)
		}
		return
	}
	if _, err := e.svc.EndSession(ctx, k.ID, v.reason); err != nil {
		t.Fatal(err)
	}
	e.pool.Exec(ctx, `UPDATE kiosk_sessions SET ended_at = $2 WHERE id = $1`, k.ID, last)
}

// TestUsageStatistics records six visits at two stations over two days and
// reads the usage the command centre gets, in all and for one station.
func TestUsageStatistics(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.addStation(t, "Trạm A")
	b, _ := e.addStation(t, "Trạm B")
	vn, _ := time.LoadLocation(vietnamese.ZoneName)
	day := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, vn) }

	visits := []pastVisit{
		{a.ID, day(20, 8, 10), 120, []string{"dossier", "ocr"}, kiosk.OutcomeDossierFiled, "review", kiosk.EndFinish},
		{a.ID, day(20, 8, 40), 300, []string{"payment"}, kiosk.OutcomePaymentMade, "pay", kiosk.EndFinish},
		{a.ID, day(20, 14, 5), 60, []string{"dossier"}, "", "choose_procedure", kiosk.EndIdle},
		{b.ID, day(21, 8, 0), 200, []string{"report"}, kiosk.OutcomeReportSent, "confirm", kiosk.EndFinish},
		{b.ID, day(21, 9, 30), 30, []string{"payment"}, "", "enter_customer_code", kiosk.EndIdle},
		{b.ID, day(21, 9, 45), 45, []string{"payment", "dossier"}, "", "enter_customer_code", kiosk.EndFinish},
	}
	for _, v := range visits {
		e.record(t, v)
	}
	// A visit outside the range is not counted.
	k, _ := e.svc.StartSession(ctx, a.ID)
	e.pool.Exec(ctx, `UPDATE kiosk_sessions SET started_at = $2 WHERE id = $1`, k.ID, day(23, 10, 0))

	centre := stafftest.SignIn(t, e.pool, staff.RoleCommandCentre)
	rec := centre.Do(t, e.h, "GET", "/api/v1/stats/usage?from=2026-11-20&to=2026-11-21", nil)
	if rec.Code != 200 {
		t.Fatalf("usage: %d %s", rec.Code, rec.Body)
	}
	var u kiosk.Usage
	json.Unmarshal(rec.Body.Bytes(), &u)

	if u.Sessions != 6 || u.Ended != 6 {
		t.Errorf("sessions %d ended %d, want 6 6", u.Sessions, u.Ended)
	}
	// Lengths 30 45 60 120 200 300: the median is (60+120)/2.
	if u.MedianSessionSeconds != 90 {
		t.Errorf("median %v s, want 90", u.MedianSessionSeconds)
	}
	check := func(name string, got []kiosk.Count, want map[string]int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
			return
		}
		for _, c := range got {
			if want[c.Key] != c.Count {
				t.Errorf("%s[%s] = %d, want %d", name, c.Key, c.Count, want[c.Key])
			}
		}
	}
	check("by_service", u.ByService, map[string]int64{"dossier": 3, "payment": 3, "ocr": 1, "report": 1})
	check("by_hour", u.ByHour, map[string]int64{"08": 3, "09": 2, "14": 1})
	check("by_day", u.ByDay, map[string]int64{"2026-11-20": 3, "2026-11-21": 3})
	check("outcomes", u.Outcomes, map[string]int64{"dossier_filed": 1, "payment_made": 1, "report_sent": 1, "abandoned": 3})
	check("abandoned_at", u.AbandonedAt, map[string]int64{"enter_customer_code": 2, "choose_procedure": 1})
	if len(u.ByStation) != 2 || u.ByStation[0].Sessions != 3 || u.ByStation[1].Sessions != 3 {
		t.Errorf("by_station %+v", u.ByStation)
	}

	// One station only.
	rec = centre.Do(t, e.h, "GET", "/api/v1/stats/usage?from=2026-11-20&to=2026-11-21&station="+b.ID, nil)
	json.Unmarshal(rec.Body.Bytes(), &u)
	if u.Sessions != 3 || len(u.ByStation) != 1 || u.ByStation[0].Name != "Trạm B" {
		t.Errorf("station B: %s", rec.Body)
	}
}

// TestFleetUsageInWords: the fleet console names each service and each
// step where a visit was given up in words — a catalogue entry by its
// name, a step as staff would say it — never by the keys recorded, and
// says what became of the calls for a person.
func TestFleetUsageInWords(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	st := staff.NewService(e.pool, staff.Config{})
	e.h = httpserver.New(httpserver.Options{Logger: quiet}, &kiosk.Handler{Service: e.svc,
		Viewer: st.Require(staff.RoleAdmin), Pages: st.RequirePage(staff.RoleAdmin),
		Live: live.New(e.pool, quiet, kiosk.FleetChannel)}).Handler() // the page only; no stream is opened
	if _, err := e.pool.Exec(ctx, `INSERT INTO procedure_entries (slug, name, grp, kind, online, checked_on, body)
		VALUES ('residence.stay-notify', 'Thông báo lưu trú', 'residence', 'procedure', 'full', '2026-11-01', '{}')`); err != nil {
		t.Fatal(err)
	}
	a, _ := e.addStation(t, "Trạm A")
	now := time.Now().Add(-time.Hour)
	for _, v := range []pastVisit{
		{a.ID, now, 60, []string{"procedures", "residence.stay-notify"}, "", "collect", kiosk.EndIdle},
		{a.ID, now.Add(time.Minute), 60, []string{"bills"}, "", "payment_qr", kiosk.EndIdle},
		{a.ID, now.Add(2 * time.Minute), 60, []string{"bills"}, "", "payment_qr", kiosk.EndFinish},
	} {
		e.record(t, v)
	}
	// Three calls for a person: taken after 40 s, taken after a minute
	// once the duty officer was told, and given up by the resident.
	if _, err := e.pool.Exec(ctx, `INSERT INTO help_requests (station_id, ward_code, created_at, level, acknowledged_at, cancelled_at) VALUES
		($1, '26740', now() - interval '2 hours', 0, now() - interval '2 hours' + interval '40 seconds', NULL),
		($1, '26740', now() - interval '1 hour', 1, now() - interval '1 hour' + interval '60 seconds', NULL),
		($1, '26740', now() - interval '30 minutes', 0, NULL, now() - interval '29 minutes')`, a.ID); err != nil {
		t.Fatal(err)
	}
	adminUser := stafftest.SignIn(t, e.pool, staff.RoleAdmin)
	rec := adminUser.Do(t, e.h, "GET", "/staff/stations", nil)
	page := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("fleet page: %d %s", rec.Code, page)
	}
	for _, want := range []string{"Bỏ dở nhiều nhất ở bước: mã QR thanh toán (2), khai từng mục (1).",
		"<td>Thông báo lưu trú</td><td>1</td>", "<td>Thanh toán hóa đơn</td><td>2</td>", "<td>Thủ tục hành chính</td><td>1</td>",
		"3 lần gọi cán bộ: 2 có người nhận (chờ trung vị 50 giây, lâu nhất 1 phút 0 giây), 1 phải báo lên trên, 1 người dân tự hủy."} {
		if !strings.Contains(page, want) {
			t.Errorf("the fleet page lacks %q", want)
		}
	}
	for _, key := range []string{"residence.stay-notify", "payment_qr", ">bills<"} {
		if strings.Contains(page, key) {
			t.Errorf("the fleet page shows the key %q", key)
		}
	}
}
