package stats_test

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/kiosktest"
	"github.com/citizenstation/citizenstation/kiosk/stats"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// now is a fixed Thursday afternoon of the demo week.
var now = time.Date(2026, 12, 3, 15, 0, 0, 0, vietnamese.Zone)

// week is the seven days ending at now.
var week = stats.Filter{From: now.AddDate(0, 0, -6), To: now}

func TestDemandFigures(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	a, b := kiosktest.New(t, pool, ""), kiosktest.New(t, pool, "")
	if _, err := stats.SeedDemoWeek(ctx, pool, a.ID, 400, 7, now); err != nil {
		t.Fatal(err)
	}
	// A real visit at b: the resident scans a card born in 1950 and comes
	// with a helper, uses the bills service and leaves at the code.
	svc := kiosk.NewService(pool, kiosk.DefaultConfig(), quiet)
	visit := b.Visit(t)
	if _, err := svc.Touch(ctx, b.ID, visit, kiosk.Activity{Service: "bills", Step: "enter_customer_code", BirthYear: 1950, WithHelper: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Touch(ctx, b.ID, visit, kiosk.Activity{BirthYear: 1800}); err == nil {
		t.Error("a birth year of 1800 was taken")
	}
	var band string
	pool.QueryRow(ctx, `SELECT age_band FROM kiosk_sessions WHERE id = $1`, visit).Scan(&band)
	if want := kiosk.AgeBand(1950, time.Now()); band != want || !kiosk.Elderly(band) {
		t.Errorf("visit's band %q, want %q (elderly)", band, want)
	}
	if _, err := svc.EndSession(ctx, visit, kiosk.EndFinish); err != nil {
		t.Fatal(err)
	}

	s := stats.NewService(pool)
	r, err := s.Report(ctx, week)
	if err != nil {
		t.Fatal(err)
	}
	if r.Visits != 400 {
		t.Errorf("%d visits in the demo week, want 400", r.Visits)
	}
	var cube, heat, groups int64
	for _, c := range r.Cube {
		cube += c.Visits
	}
	for _, row := range r.Heat() {
		for _, v := range row {
			heat += v
		}
	}
	for _, g := range r.By(stats.GroupOf, kiosk.AgeBands) {
		groups += g.Value
	}
	if cube != 400 || heat != 400 || groups != 400 { // one service per demo visit
		t.Errorf("cube %d, heat map %d, groups %d: each should count the 400 uses", cube, heat, groups)
	}
	if r.Anonymous == 0 || r.Elderly == 0 || r.WithHelper == 0 || len(r.Abandonment) == 0 {
		t.Errorf("the demo week lacks a group: %+v", r)
	}
	for _, a := range r.Abandonment { // the demo speaks the steps' real keys
		if kiosk.StepName(a.Step) == a.Step || r.ServiceName(a.Service) == a.Service {
			t.Errorf("the demo's %s — %s has no words", a.Service, a.Step)
		}
	}

	// The real visit is today, one station's figures only.
	today, err := s.Report(ctx, stats.Filter{From: time.Now(), To: time.Now(), StationID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if today.Visits != 1 || today.Elderly != 1 || today.WithHelper != 1 || today.Anonymous != 0 ||
		len(today.Abandonment) != 1 || today.Abandonment[0] != (stats.Abandonment{Service: "bills", Step: "enter_customer_code", Visits: 1}) {
		t.Errorf("station b today: %+v", today)
	}
	if _, err := s.Report(ctx, stats.Filter{From: now, To: now.AddDate(0, 0, -1)}); err == nil {
		t.Error("a period ending before it starts was answered")
	}
}

func TestStatisticsPage(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	st := kiosktest.New(t, pool, "")
	if _, err := stats.SeedDemoWeek(ctx, pool, st.ID, 200, 7, time.Now()); err != nil {
		t.Fatal(err)
	}
	kiosktest.LegacyStations(t, pool)
	// Two calls for a person: one taken after 30 s, one still waiting.
	if _, err := pool.Exec(ctx, `INSERT INTO help_requests (station_id, ward_code, created_at, acknowledged_at) VALUES
		($1, '26740', now() - interval '1 hour', now() - interval '1 hour' + interval '30 seconds'),
		($1, '26740', now() - interval '1 minute', NULL)`, st.ID); err != nil {
		t.Fatal(err)
	}
	auth := staff.NewService(pool, staff.Config{})
	h := httpserver.New(httpserver.Options{Logger: quiet}, &stats.Handler{Service: stats.NewService(pool),
		Page: auth.RequirePage(staff.RoleAdmin, staff.RoleCommandCentre)}).Handler()
	centre := stafftest.SignIn(t, pool, staff.RoleCommandCentre)
	clerk := stafftest.SignIn(t, pool, staff.RoleWardStaff, "26740")

	stafftest.CheckPages(t, h, []stafftest.Page{
		{Name: "signed out", Path: "/staff/stations/stats", Status: 303},
		{Name: "ward staff", As: clerk, Path: "/staff/stations/stats", Status: 403},
		{Name: "the week as charts", As: centre, Path: "/staff/stations/stats", Status: 200, Want: []string{"<svg", "Lượt sử dụng theo thứ và giờ",
			"Lượt sử dụng theo nhóm người dân", "60–74 tuổi (cao tuổi)", "Bỏ dở ở bước nào", "200 lượt đến trạm", st.ID,
			"Trạm thử TestStatisticsPage (Phường Sài Gòn)</option>", "Trạm cũ A (Phường mẫu cũ)</option>", "Trạm cũ B (phường mã 99902)</option>"}},
		{Name: "one station", As: centre, Path: "/staff/stations/stats?station=" + st.ID, Status: 200, Want: []string{"200 lượt đến trạm", "selected"}},
		{Name: "a bad date", As: centre, Path: "/staff/stations/stats?from=01/12/2026", Status: 400, Want: []string{"năm-tháng-ngày"}},
		{Name: "CSV of visits", As: centre, Path: "/staff/stations/stats.csv", Status: 200, Want: []string{"\uFEFFdich_vu,ten_dich_vu,thu,gio", "Thủ tục hành chính", "Thứ "}},
		{Name: "CSV of abandonment", As: centre, Path: "/staff/stations/stats.csv?table=abandonment", Status: 200, Want: []string{"\uFEFFdich_vu,ten_dich_vu,buoc,ten_buoc,luot_bo_do",
			"bills,Thanh toán hóa đơn,payment_qr,mã QR thanh toán,"}},
		{Name: "the calls for a person", As: centre, Path: "/staff/stations/stats", Status: 200, Want: []string{
			"2 lần gọi cán bộ: 1 có người nhận (chờ trung vị 30 giây, lâu nhất 30 giây), 1 đang chờ."}},
		{Name: "CSV of the calls", As: centre, Path: "/staff/stations/stats.csv?table=help", Status: 200, Want: []string{
			"\uFEFFso_lan_goi,co_nguoi_nhan,phai_bao_len_tren,nguoi_dan_tu_huy,dang_cho,cho_trung_vi_giay,cho_lau_nhat_giay\n2,1,0,0,1,30,30\n"}},
		{Name: "CSV of no such table", As: centre, Path: "/staff/stations/stats.csv?table=people", Status: 400, Want: []string{"stats_table_invalid"}},
	})

	// The CSV reads back as a table whose counts add up to the visits.
	rec := centre.Do(t, h, "GET", "/staff/stations/stats.csv?table=visits", nil)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, row := range rows[1:] {
		var n int
		for _, ch := range row[7] {
			n = n*10 + int(ch-'0')
		}
		total += n
	}
	if total != 200 {
		t.Errorf("the CSV counts %d uses, want 200", total)
	}
}
