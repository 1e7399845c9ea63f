package kiosk_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/staff/stafftest"
	"github.com/citizenstation/citizenstation/kiosk"
)

var admin = audit.Actor{Username: "test", Role: "test"}

// quiet keeps the test output to the failures.
var quiet = slog.New(slog.DiscardHandler)

type env struct {
	pool *pgxpool.Pool
	svc  *kiosk.Service
	h    http.Handler
}

func newEnv(t *testing.T, erasers ...kiosk.Eraser) *env {
	t.Helper()
	pool := dbtest.New(t)
	svc := kiosk.NewService(pool, kiosk.DefaultConfig(), quiet, erasers...)
	st := staff.NewService(pool, staff.Config{})
	h := httpserver.New(httpserver.Options{Logger: quiet}, &kiosk.Handler{Service: svc,
		Admin: st.Require(staff.RoleAdmin), Viewer: st.Require(staff.RoleAdmin, staff.RoleCommandCentre)}).Handler()
	return &env{pool: pool, svc: svc, h: h}
}

func (e *env) addStation(t *testing.T, name string) (*kiosk.Station, string) {
	t.Helper()
	st, token, err := e.svc.AddStation(context.Background(), admin, kiosk.NewStation{Name: name, WardCode: "26740", Address: "1 Lê Lợi"})
	if err != nil {
		t.Fatal(err)
	}
	return st, token
}

// device sends a request as a station with token.
func (e *env) device(t *testing.T, token, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return rec
}

func errorCode(rec *httptest.ResponseRecorder) string {
	var b httpserver.ErrorBody
	json.Unmarshal(rec.Body.Bytes(), &b)
	return b.Error.Code
}

const beat = `{"app_version":"1.2.0","uptime_seconds":3600,"network":{"type":"ethernet","ip":"10.1.2.3"},
	"peripherals":[{"id":"printer","class":"receipt_printer","status":"online","paper":"full"},
	{"id":"scanner","class":"document_scanner","status":"online"}]}`

func TestDeviceTokens(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	st, first := e.addStation(t, "Trạm Bến Nghé 1")
	_, other := e.addStation(t, "Trạm Bến Nghé 2")

	var second string
	steps := []struct {
		name   string
		before func()
		token  func() string
		status int
		code   string
	}{
		{"no token", nil, func() string { return "" }, 401, "device_token_invalid"},
		{"wrong token", nil, func() string { return "cst_not-a-real-token" }, 401, "device_token_invalid"},
		{"another station's token is its own", nil, func() string { return other }, 200, ""},
		{"registered token", nil, func() string { return first }, 200, ""},
		{"rotated: old token refused", func() {
			var err error
			if second, err = e.svc.RotateToken(ctx, admin, st.ID); err != nil {
				t.Fatal(err)
			}
		}, func() string { return first }, 401, "device_token_invalid"},
		{"rotated: new token works", nil, func() string { return second }, 200, ""},
		{"revoked: token refused", func() {
			if err := e.svc.Revoke(ctx, admin, st.ID); err != nil {
				t.Fatal(err)
			}
		}, func() string { return second }, 401, "device_token_invalid"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.before != nil {
				s.before()
			}
			// The heartbeat authenticates on its own; the other device
			// routes through RequireDevice: both must agree.
			rec := e.device(t, s.token(), "POST", "/api/v1/kiosk/heartbeat", beat)
			if rec.Code != s.status || errorCode(rec) != s.code {
				t.Fatalf("heartbeat: status %d code %q, want %d %q: %s", rec.Code, errorCode(rec), s.status, s.code, rec.Body)
			}
			want := s.status
			if want == 200 {
				want = 201
			}
			if rec := e.device(t, s.token(), "POST", "/api/v1/kiosk/sessions", ""); rec.Code != want || errorCode(rec) != s.code {
				t.Fatalf("start session: status %d code %q, want %d %q", rec.Code, errorCode(rec), want, s.code)
			}
		})
	}
	if _, err := e.svc.RotateToken(ctx, admin, st.ID); apperr.CodeOf(err) != "station_revoked" {
		t.Errorf("rotating a revoked station: %v", err)
	}
	// The token is stored only as a hash.
	var stored []byte
	e.pool.QueryRow(ctx, `SELECT token_hash FROM stations WHERE id = $1`, st.ID).Scan(&stored)
	if len(stored) != 32 || strings.Contains(string(stored), second) {
		t.Errorf("token stored as %d bytes", len(stored))
	}
}

// saiGonStation is the body that registers a station in Phường Sài Gòn.
var saiGonStation = map[string]any{"name": "Trạm Phường Sài Gòn", "ward_code": "26740", "address": "86 Lê Thánh Tôn",
	"latitude": 10.7769, "longitude": 106.7009, "opening_hours": "Mo-Fr 07:30-17:00"}

// TestAdminAPIRefusals: who may register, list and read stations, and the
// registrations and queries refused for what they say.
func TestAdminAPIRefusals(t *testing.T) {
	e := newEnv(t)
	adm := stafftest.SignIn(t, e.pool, staff.RoleAdmin)
	centre := stafftest.SignIn(t, e.pool, staff.RoleCommandCentre)
	ward := stafftest.SignIn(t, e.pool, staff.RoleWardStaff, "26740")
	body := saiGonStation

	for _, tt := range []struct {
		name   string
		as     *stafftest.Client
		method string
		path   string
		body   any
		status int
	}{
		{"anonymous cannot register", nil, "POST", "/api/v1/stations", body, 401},
		{"ward staff cannot register", ward, "POST", "/api/v1/stations", body, 403},
		{"command centre cannot register", centre, "POST", "/api/v1/stations", body, 403},
		{"admin must give a name", adm, "POST", "/api/v1/stations", map[string]any{"ward_code": "1"}, 400},
		{"ward outside the official list", adm, "POST", "/api/v1/stations", map[string]any{"name": "A", "ward_code": "26734"}, 400},
		{"half coordinates refused", adm, "POST", "/api/v1/stations", map[string]any{"name": "A", "ward_code": "1", "latitude": 10.7}, 400},
		{"ward staff cannot list", ward, "GET", "/api/v1/stations", nil, 403},
		{"command centre reads usage", centre, "GET", "/api/v1/stats/usage", nil, 200},
		{"bad date", centre, "GET", "/api/v1/stats/usage?from=24/11/2026", nil, 400},
		{"unknown station", centre, "GET", "/api/v1/stations/00000000-0000-0000-0000-000000000000/events", nil, 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if rec := tt.as.Do(t, e.h, tt.method, tt.path, tt.body); rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
		})
	}

}

// TestAdminAPI: an admin registers a station, the device beats with the
// token shown once, the admin rotates and revokes; each step is in the
// audit log.
func TestAdminAPI(t *testing.T) {
	e := newEnv(t)
	adm := stafftest.SignIn(t, e.pool, staff.RoleAdmin)
	centre := stafftest.SignIn(t, e.pool, staff.RoleCommandCentre)
	rec := adm.Do(t, e.h, "POST", "/api/v1/stations", saiGonStation)
	if rec.Code != 201 {
		t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	var added struct {
		Station     kiosk.Station `json:"station"`
		DeviceToken string        `json:"device_token"`
	}
	json.Unmarshal(rec.Body.Bytes(), &added)
	if added.Station.Name != "Trạm Phường Sài Gòn" || *added.Station.Latitude != 10.7769 || !strings.HasPrefix(added.DeviceToken, "cst_") {
		t.Fatalf("registered %+v", added)
	}
	if rec := e.device(t, added.DeviceToken, "POST", "/api/v1/kiosk/heartbeat", beat); rec.Code != 200 {
		t.Fatalf("heartbeat: %d %s", rec.Code, rec.Body)
	}
	rec = adm.Do(t, e.h, "POST", "/api/v1/stations/"+added.Station.ID+"/rotate", nil)
	var rotated struct {
		DeviceToken string `json:"device_token"`
	}
	json.Unmarshal(rec.Body.Bytes(), &rotated)
	if rec.Code != 200 || rotated.DeviceToken == added.DeviceToken {
		t.Fatalf("rotate: %d %s", rec.Code, rec.Body)
	}
	if rec := adm.Do(t, e.h, "POST", "/api/v1/stations/"+added.Station.ID+"/revoke", nil); rec.Code != 204 {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	rec = centre.Do(t, e.h, "GET", "/api/v1/stations/"+added.Station.ID, nil)
	var got kiosk.Station
	json.Unmarshal(rec.Body.Bytes(), &got)
	if got.RevokedAt == nil || got.Online || got.AppVersion != "1.2.0" || len(got.Peripherals) != 2 {
		t.Errorf("station after revoke: %+v", got)
	}
	entries, err := audit.List(context.Background(), e.pool, audit.Filter{SubjectKind: "station"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, en := range entries {
		if en.Username == adm.User.Username {
			actions = append(actions, en.Action)
		}
	}
	if strings.Join(actions, ",") != "station.revoke,station.rotate_token,station.add" &&
		strings.Join(actions, ",") != "station.add,station.rotate_token,station.revoke" {
		t.Errorf("audit actions %v", actions)
	}
}

func eventKinds(t *testing.T, e *env, stationID string) []string {
	t.Helper()
	events, err := e.svc.Events(context.Background(), stationID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for i := len(events) - 1; i >= 0; i-- { // oldest first
		k := events[i].Kind
		if events[i].Peripheral != "" {
			k += ":" + events[i].Peripheral
		}
		kinds = append(kinds, k)
	}
	return kinds
}

func TestOfflineDetection(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	st, token := e.addStation(t, "Trạm A")
	quiet, _ := e.addStation(t, "Trạm chưa bật") // never beat: never up, never down

	if rec := e.device(t, token, "POST", "/api/v1/kiosk/heartbeat", beat); rec.Code != 200 {
		t.Fatalf("heartbeat: %d %s", rec.Code, rec.Body)
	}
	if n, _ := e.svc.SweepOffline(ctx); n != 0 {
		t.Fatalf("a station that just beat went offline")
	}
	// Silence for 4 minutes is not yet offline; for 5 and more it is.
	e.pool.Exec(ctx, `UPDATE stations SET last_seen_at = now() - interval '4 minutes' WHERE id = $1`, st.ID)
	if n, _ := e.svc.SweepOffline(ctx); n != 0 {
		t.Fatalf("offline after 4 minutes")
	}
	e.pool.Exec(ctx, `UPDATE stations SET last_seen_at = now() - interval '5 minutes 1 second' WHERE id = $1`, st.ID)
	if n, err := e.svc.SweepOffline(ctx); n != 1 || err != nil {
		t.Fatalf("swept %d, %v; want the silent station", n, err)
	}
	if n, _ := e.svc.SweepOffline(ctx); n != 0 {
		t.Fatalf("an offline station went down twice")
	}
	got, _ := e.svc.Station(ctx, st.ID)
	if got.Online {
		t.Fatal("station still online")
	}
	// It comes back.
	e.device(t, token, "POST", "/api/v1/kiosk/heartbeat", beat)
	if want := "registered,up,down,up"; strings.Join(eventKinds(t, e, st.ID), ",") != want {
		t.Errorf("events %v, want %s", eventKinds(t, e, st.ID), want)
	}
	if want := "registered"; strings.Join(eventKinds(t, e, quiet.ID), ",") != want {
		t.Errorf("quiet station events %v", eventKinds(t, e, quiet.ID))
	}

	// The command centre reads them with their times.
	centre := stafftest.SignIn(t, e.pool, staff.RoleCommandCentre)
	rec := centre.Do(t, e.h, "GET", "/api/v1/stations/"+st.ID+"/events", nil)
	var body struct{ Events []kiosk.Event }
	json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != 200 || len(body.Events) != 4 || body.Events[0].Kind != "up" || body.Events[1].Kind != "down" ||
		body.Events[1].Detail["last_seen_at"] == nil || time.Since(body.Events[0].At) > time.Minute {
		t.Errorf("events: %d %s", rec.Code, rec.Body)
	}
}

func TestPeripheralFaultsAreEvents(t *testing.T) {
	e := newEnv(t)
	st, token := e.addStation(t, "Trạm B")
	printer := func(status, paper string) string {
		return `{"app_version":"1","uptime_seconds":1,"peripherals":[{"id":"printer","class":"receipt_printer","status":"` +
			status + `","paper":"` + paper + `"},{"id":"camera","class":"camera","status":"online"}]}`
	}
	steps := []struct {
		body string
		want string // events added by this beat
	}{
		{printer("online", "full"), "up"},
		{printer("online", "full"), ""},
		{printer("online", "low"), "peripheral_warning:printer"},
		{printer("online", "low"), ""},
		{printer("online", "out"), "peripheral_fault:printer"},
		{printer("online", "jammed"), "peripheral_fault:printer"},
		{printer("hardwareError", "jammed"), "peripheral_fault:printer"},
		{printer("online", "full"), "peripheral_recovered:printer"},
		{printer("powerOff", ""), "peripheral_fault:printer"},
	}
	seen := 1 // registered
	for i, s := range steps {
		if rec := e.device(t, token, "POST", "/api/v1/kiosk/heartbeat", s.body); rec.Code != 200 {
			t.Fatalf("beat %d: %d %s", i, rec.Code, rec.Body)
		}
		kinds := eventKinds(t, e, st.ID)
		if got := strings.Join(kinds[seen:], ","); got != s.want {
			t.Errorf("beat %d: events %q, want %q", i, got, s.want)
		}
		seen = len(kinds)
	}
}

func TestHeartbeatRejectsUnknownStates(t *testing.T) {
	e := newEnv(t)
	_, token := e.addStation(t, "Trạm C")
	for _, tt := range []struct {
		body string
		code string
	}{
		{`{"peripherals":[{"id":"p","class":"receipt_printer","status":"broken"}]}`, "peripheral_status_invalid"},
		{`{"peripherals":[{"id":"p","class":"receipt_printer","status":"online","paper":"half"}]}`, "paper_state_invalid"},
		{`{"peripherals":[{"id":"p","class":"toaster","status":"online"}]}`, "peripheral_class_invalid"},
		{`{"peripherals":[{"id":"p","class":"camera","status":"online"},{"id":"p","class":"camera","status":"online"}]}`, "peripheral_id_invalid"},
		{`{"network":{"type":"carrier pigeon"}}`, "network_invalid"},
		{`{"uptime_seconds":"long"}`, "body_invalid"},
	} {
		if rec := e.device(t, token, "POST", "/api/v1/kiosk/heartbeat", tt.body); rec.Code != 400 || errorCode(rec) != tt.code {
			t.Errorf("%s: %d %s, want 400 %s", tt.body, rec.Code, rec.Body, tt.code)
		}
	}
}

// scanEraser stands for the parts that keep personal data per visit (OCR
// scans, assistant answers, draft dossiers): a real table and real files.
type scanEraser struct{ dir string }

func (s scanEraser) EraseKioskSession(ctx context.Context, tx pgx.Tx, id string) ([]string, error) {
	rows, err := tx.Query(ctx, `DELETE FROM test_scans WHERE kiosk_session_id = $1 AND NOT submitted RETURNING file`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// TestVisitEndWipesScansAndAnswers: a visit's unsubmitted scans and
// answers go when it ends, left idle, finished, or replaced by a new visit;
// a submitted dossier's scan stays, and another station cannot end it.
func TestVisitEndWipesScansAndAnswers(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, scanEraser{dir})
	ctx := context.Background()
	if _, err := e.pool.Exec(ctx, `CREATE TABLE test_scans (id serial PRIMARY KEY, kiosk_session_id text,
		file text NOT NULL, answer text NOT NULL, submitted boolean NOT NULL DEFAULT false)`); err != nil {
		t.Fatal(err)
	}
	_, token := e.addStation(t, "Trạm D")
	start := func() string {
		rec := e.device(t, token, "POST", "/api/v1/kiosk/sessions", "")
		var k kiosk.Session
		json.Unmarshal(rec.Body.Bytes(), &k)
		if rec.Code != 201 || k.ID == "" || k.IdleSeconds != 90 {
			t.Fatalf("start: %d %s", rec.Code, rec.Body)
		}
		return k.ID
	}
	scan := func(session, name string, submitted bool) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, []byte("ảnh CCCD 079123456789"), 0o600); err != nil {
			t.Fatal(err)
		}
		e.pool.Exec(ctx, `INSERT INTO test_scans (kiosk_session_id, file, answer, submitted) VALUES ($1, $2, 'Nguyễn Văn A, 0901234567', $3)`,
			session, f, submitted)
		return f
	}
	left := func(session string) (rows int) {
		e.pool.QueryRow(ctx, `SELECT count(*) FROM test_scans WHERE kiosk_session_id = $1`, session).Scan(&rows)
		return rows
	}
	exists := func(f string) bool { _, err := os.Stat(f); return err == nil }

	// A visit left idle: the sweep ends it and wipes its scans.
	idle := start()
	idleScan := scan(idle, "idle.jpg", false)
	e.device(t, token, "POST", "/api/v1/kiosk/sessions/"+idle+"/activity", `{"service":"ocr","step":"scan_id"}`)
	if n, _ := e.svc.SweepIdle(ctx); n != 0 || left(idle) != 1 || !exists(idleScan) {
		t.Fatalf("a fresh visit was wiped")
	}
	e.pool.Exec(ctx, `UPDATE kiosk_sessions SET last_activity_at = now() - interval '91 seconds' WHERE id = $1`, idle)
	if n, err := e.svc.SweepIdle(ctx); n != 1 || err != nil {
		t.Fatalf("idle sweep ended %d, %v", n, err)
	}
	if left(idle) != 0 || exists(idleScan) {
		t.Errorf("idle visit: %d rows left, file exists %v", left(idle), exists(idleScan))
	}
	if rec := e.device(t, token, "POST", "/api/v1/kiosk/sessions/"+idle+"/activity", `{}`); rec.Code != 409 || errorCode(rec) != "kiosk_session_ended" {
		t.Errorf("touching an ended visit: %d %s", rec.Code, rec.Body)
	}

	// A visit finished by the resident: unsubmitted scans go, a submitted
	// dossier's scan stays (its owner's eraser decides what is submitted).
	done := start()
	draft := scan(done, "draft.jpg", false)
	filed := scan(done, "filed.jpg", true)
	e.device(t, token, "POST", "/api/v1/kiosk/sessions/"+done+"/activity", `{"service":"dossier","step":"review","outcome":"dossier_filed"}`)
	rec := e.device(t, token, "POST", "/api/v1/kiosk/sessions/"+done+"/finish", "")
	var k kiosk.Session
	json.Unmarshal(rec.Body.Bytes(), &k)
	if rec.Code != 200 || k.EndReason != "finish" || k.AbandonedStep != nil || k.Outcomes[0] != "dossier_filed" {
		t.Fatalf("finish: %d %s", rec.Code, rec.Body)
	}
	if exists(draft) || !exists(filed) || left(done) != 1 {
		t.Errorf("after finish: draft exists %v, filed exists %v, rows %d", exists(draft), exists(filed), left(done))
	}

	// Starting a new visit ends the one still open at the station.
	open := start()
	openScan := scan(open, "open.jpg", false)
	start()
	if exists(openScan) || left(open) != 0 {
		t.Error("the previous visit was not wiped when a new one started")
	}
	// Another station cannot touch this station's visits.
	_, otherToken := e.addStation(t, "Trạm E")
	if rec := e.device(t, otherToken, "POST", "/api/v1/kiosk/sessions/"+done+"/finish", ""); rec.Code != 404 {
		t.Errorf("another station finished the visit: %d", rec.Code)
	}
}

// failingEraser makes the wipe fail, so the visit must stay open.
type failingEraser struct{}

func (failingEraser) EraseKioskSession(context.Context, pgx.Tx, string) ([]string, error) {
	return nil, os.ErrPermission
}

func TestFailedWipeLeavesTheVisitOpen(t *testing.T) {
	e := newEnv(t, failingEraser{})
	st, _ := e.addStation(t, "Trạm F")
	k, err := e.svc.StartSession(context.Background(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Finish(context.Background(), st.ID, k.ID); err == nil {
		t.Fatal("finish succeeded though the wipe failed")
	}
	k, _ = e.svc.Session(context.Background(), st.ID, k.ID)
	if k.EndedAt != nil {
		t.Error("visit ended without its wipe; the sweep would never retry it")
	}
}
