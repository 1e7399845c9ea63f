package reports

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk"
)

// Points in the sample wards (see wards-sample.geojson).
var (
	inBenThanh = [2]float64{10.772, 106.692} // 26743
	inSaiGon   = [2]float64{10.778, 106.707} // 26740
	inTanDinh  = [2]float64{10.790, 106.690} // 26737
	// In no polygon; nearest is the small second part of Cầu Ông Lãnh.
	outside = [2]float64{10.760, 106.712} // 26758
)

// testDataKey seals the reporters' contacts in tests (32 bytes, base64).
const testDataKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="

const (
	benThanh   = "26743"
	saiGon     = "26740"
	tanDinh    = "26737"
	cauOngLanh = "26758"
)

// addStation registers a kiosk station through the kiosk package and
// returns its ID and device token.
func addStation(t testing.TB, pool *pgxpool.Pool, ward string, lat, lng float64) (id, token string) {
	t.Helper()
	k := kiosk.NewService(pool, kiosk.DefaultConfig(), slog.New(slog.DiscardHandler))
	st, token, err := k.AddStation(context.Background(), audit.Actor{Role: "test"},
		kiosk.NewStation{Name: "Trạm " + ward, WardCode: ward, Latitude: &lat, Longitude: &lng})
	if err != nil {
		t.Fatal(err)
	}
	return st.ID, token
}

func ptr[T any](v T) *T { return &v }

// newTestService returns a service on a fresh database with the sample
// wards imported.
func newTestService(t testing.TB, edit func(*Config)) (*Service, *pgxpool.Pool) {
	t.Helper()
	return newTestServiceOn(t, dbtest.New(t), edit)
}

// newTestServiceOn is newTestService on a pool of the caller's.
func newTestServiceOn(t testing.TB, pool *pgxpool.Pool, edit func(*Config)) (*Service, *pgxpool.Pool) {
	t.Helper()
	if _, err := ImportWards(context.Background(), pool, SampleWards); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Sealer = seal.MustTest(testDataKey)
	cfg.RatePerDevice, cfg.RatePerPhone, cfg.RatePerStation, cfg.RatePerAddress = 1000, 1000, 1000, 1000
	if edit != nil {
		edit(&cfg)
	}
	rules, err := ShippedRules()
	if err != nil {
		t.Fatal(err)
	}
	k := kiosk.NewService(pool, kiosk.DefaultConfig(), slog.New(slog.DiscardHandler))
	return NewService(pool, cfg, rules, KioskStations{Kiosk: k}), pool
}

func at(p [2]float64) (lat, lng *float64) { return ptr(p[0]), ptr(p[1]) }

func submission(category string, p [2]float64) Submission {
	lat, lng := at(p)
	return Submission{Category: category, Description: "Có người lạ cạy khóa xe máy trước cổng.", Lat: lat, Lng: lng, Channel: App}
}

// routes reads a report's stored routes.
func routes(t testing.TB, pool *pgxpool.Pool, id string) []Target {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT kind, code FROM report_routes WHERE report_id = $1
		ORDER BY CASE kind WHEN 'ward' THEN 0 WHEN 'department' THEN 1 ELSE 2 END, code`, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []Target
	for rows.Next() {
		var tg Target
		if err := rows.Scan(&tg.Kind, &tg.Code); err != nil {
			t.Fatal(err)
		}
		out = append(out, tg)
	}
	return out
}

func TestImportWards(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	wards, err := ImportWards(ctx, pool, SampleWards)
	if err != nil || len(wards) != 4 {
		t.Fatalf("import = %v, %v", wards, err)
	}
	// Importing again replaces, never duplicates.
	if _, err := ImportWards(ctx, pool, SampleWards); err != nil {
		t.Fatal(err)
	}
	list, _ := ListWards(ctx, pool)
	if len(list) != 4 || list[1].Code != "26740" || list[1].Name != "Phường Sài Gòn" {
		t.Fatalf("wards = %+v", list)
	}
	for name, bad := range map[string]string{
		"not GeoJSON":      `{`,
		"no code":          `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"X"},"geometry":{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,1]]]}}]}`,
		"a point":          `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"1","name":"X"},"geometry":{"type":"Point","coordinates":[1,1]}}]}`,
		"not a collection": `{"type":"Feature"}`,
	} {
		if _, err := ImportWards(ctx, pool, []byte(bad)); err == nil {
			t.Errorf("%s: imported", name)
		}
	}
	// A failed file leaves the wards as they were.
	list, _ = ListWards(ctx, pool)
	if len(list) != 4 {
		t.Errorf("after failed imports: %d wards", len(list))
	}
}

func TestRouting(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx := context.Background()
	// A station registered for Tân Định, standing just inside Sài Gòn: the
	// station's ward wins.
	station, _ := addStation(t, pool, tanDinh, inSaiGon[0], inSaiGon[1])
	tests := []struct {
		name       string
		sub        Submission
		ward       string
		wardSource string
		want       []Target
	}{
		{"by polygon", submission("theft", inBenThanh), benThanh, "polygon",
			[]Target{{ToWard, benThanh}, {ToDepartment, "PC02"}, {ToCommandCentre, "TTCH"}}},
		{"by polygon, another ward", submission("drugs", inSaiGon), saiGon, "polygon",
			[]Target{{ToWard, saiGon}, {ToDepartment, "PC04"}, {ToCommandCentre, "TTCH"}}},
		{"nearest ward when outside every polygon", submission("traffic_accident", outside), cauOngLanh, "nearest",
			[]Target{{ToWard, cauOngLanh}, {ToDepartment, "PC08"}, {ToCommandCentre, "TTCH"}}},
		{"by the kiosk's station", Submission{Category: "fire", Description: "Khói dưới tầng hầm", StationID: station, Channel: Kiosk},
			tanDinh, "station", []Target{{ToWard, tanDinh}, {ToDepartment, "PC07"}, {ToCommandCentre, "TTCH"}}},
		{"a position given at the kiosk wins over the station", func() Submission {
			s := submission("gambling", inBenThanh)
			s.StationID, s.Channel = station, Kiosk
			return s
		}(), benThanh, "polygon", []Target{{ToWard, benThanh}, {ToDepartment, "PC06"}, {ToCommandCentre, "TTCH"}}},
		{"by a ward named in the address", Submission{Category: "suspicious", Description: "Người lạ", Address: "12 Lê Lợi, phuong Ben Thanh"},
			benThanh, "address", []Target{{ToWard, benThanh}, {ToCommandCentre, "TTCH"}}},
		{"an official unit without imported boundaries, named in the address", Submission{Category: "suspicious", Description: "Người lạ",
			Address: "45 đường số 7, phường Hiệp Bình, TP.HCM"}, "26809", "address", []Target{{ToWard, "26809"}, {ToCommandCentre, "TTCH"}}},
		{"the special zone named in the address", Submission{Category: "suspicious", Description: "Người lạ", Address: "bến tàu, dac khu Con Dao"},
			"26732", "address", []Target{{ToWard, "26732"}, {ToCommandCentre, "TTCH"}}},
		{"address with no ward: the command centre places it", Submission{Category: "suspicious", Description: "Người lạ", Address: "ở đâu đó"},
			"", "none", []Target{{ToCommandCentre, "TTCH"}}},
		{"injury adds the ambulance centre", func() Submission {
			s := submission("traffic_accident", inTanDinh)
			s.Injury = true
			return s
		}(), tanDinh, "polygon", []Target{{ToWard, tanDinh}, {ToDepartment, "CC115"}, {ToDepartment, "PC08"}, {ToCommandCentre, "TTCH"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := svc.Submit(ctx, tc.sub)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.RoutedTo, tc.want) {
				t.Errorf("receipt routed_to = %v, want %v", r.RoutedTo, tc.want)
			}
			if got := routes(t, pool, r.ID); !slices.Equal(got, tc.want) {
				t.Errorf("stored routes = %v, want %v", got, tc.want)
			}
			var ward, source string
			pool.QueryRow(ctx, `SELECT coalesce(ward_code, ''), ward_source FROM reports WHERE id = $1`, r.ID).Scan(&ward, &source)
			if ward != tc.ward || source != tc.wardSource {
				t.Errorf("ward = %q (%s), want %q (%s)", ward, source, tc.ward, tc.wardSource)
			}
		})
	}
}

func TestSubmitRejects(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx := context.Background()
	tests := []struct {
		name string
		sub  Submission
		code string
	}{
		{"unknown category", Submission{Category: "alien", Description: "x", Address: "a"}, "unknown_category"},
		{"no description nor media", Submission{Category: "theft", Address: "a"}, "description_required"},
		{"no location", Submission{Category: "theft", Description: "x"}, "location_required"},
		{"half a position", Submission{Category: "theft", Description: "x", Lat: ptr(10.7)}, "bad_location"},
		{"kiosk without station", Submission{Category: "theft", Description: "x", Address: "a", Channel: Kiosk}, "station_required"},
		{"unknown station", Submission{Category: "theft", Description: "x", StationID: "00000000-0000-0000-0000-000000000000", Channel: Kiosk}, "unknown_station"},
		{"in the future", Submission{Category: "theft", Description: "x", Address: "a", OccurredAt: ptr(time.Now().Add(time.Hour))}, "occurred_in_future"},
		{"photo location allowed but photo has none", Submission{Category: "theft", Description: "x", UsePhotoLocation: true,
			Files: []Upload{{"a.jpg", testJPEG(t, nil)}}}, "location_required"},
	}
	for _, tc := range tests {
		if _, err := svc.Submit(ctx, tc.sub); apperr.CodeOf(err) != tc.code {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.code)
		}
	}
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM reports`).Scan(&n)
	if n != 0 {
		t.Errorf("%d reports stored from rejected submissions", n)
	}
}

func TestEmergencyAnswer(t *testing.T) {
	svc, _ := newTestService(t, nil)
	ctx := context.Background()
	fire := submission("fire", inSaiGon)
	r, err := svc.Submit(ctx, fire)
	if err != nil {
		t.Fatal(err)
	}
	if r.Emergency == nil || !slices.Equal(r.Emergency.Call, []string{"114"}) {
		t.Fatalf("fire: emergency = %+v", r.Emergency)
	}
	fight := submission("violence", inSaiGon)
	fight.InProgress, fight.Injury = true, true
	if r, err = svc.Submit(ctx, fight); err != nil {
		t.Fatal(err)
	}
	if r.Emergency == nil || !slices.Equal(r.Emergency.Call, []string{"113", "115"}) {
		t.Fatalf("fight in progress with injury: emergency = %+v", r.Emergency)
	}
	if r, _ = svc.Submit(ctx, submission("theft", inSaiGon)); r.Emergency != nil {
		t.Errorf("theft: emergency = %+v", r.Emergency)
	}
}

func TestPhotoLocationAndStoredCopy(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx := context.Background()
	photo := testJPEG(t, &[2]float64{inTanDinh[0], inTanDinh[1]})
	video := testMP4(12*time.Second, 0, 2000)
	r, err := svc.Submit(ctx, Submission{Category: "suspicious", Description: "Người lạ", UsePhotoLocation: true,
		Files: []Upload{{"a.jpg", photo}, {"b.mp4", video}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.RoutedTo[0] != (Target{ToWard, tanDinh}) {
		t.Fatalf("routed by photo GPS to %v, want %s", r.RoutedTo, tanDinh)
	}
	rep, err := svc.Get(ctx, Officer{CommandCentre: true}, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.LocationSource != "exif" || len(rep.Media) != 2 || *rep.Media[1].DurationMS != 12000 {
		t.Fatalf("report = %+v media %+v", rep, rep.Media)
	}
	ctype, data, err := svc.MediaFile(ctx, Officer{CommandCentre: true}, r.ID, rep.Media[0].ID)
	if err != nil || ctype != "image/jpeg" {
		t.Fatalf("media = %s, %v", ctype, err)
	}
	assertNoMetadata(t, data)

	// Without the reporter's leave, the photo's position is not used.
	if _, err := svc.Submit(ctx, Submission{Category: "suspicious", Description: "x", Address: "ở đâu đó",
		Files: []Upload{{"a.jpg", photo}}}); err != nil {
		t.Fatal(err)
	}
	var sources []string
	rows, _ := pool.Query(ctx, `SELECT location_source FROM reports ORDER BY created_at`)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		sources = append(sources, s)
	}
	if !slices.Equal(sources, []string{"exif", "address"}) {
		t.Errorf("location sources = %v", sources)
	}
}

func TestNeverStoredHalfWritten(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx := context.Background()
	// The server stops after the report, routes and media are written but
	// before the commit: nothing of the report remains.
	svc.beforeCommit = func(context.Context, pgx.Tx) error { return errors.New("server stopped") }
	sub := submission("fire", inSaiGon)
	sub.Files = []Upload{{"a.jpg", testJPEG(t, nil)}}
	if _, err := svc.Submit(ctx, sub); err == nil {
		t.Fatal("want the error")
	}
	var n int
	pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM report_routes) + (SELECT count(*) FROM report_media) + (SELECT count(*) FROM report_events)`).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows left by an interrupted submission", n)
	}
	// A cancelled request (the client or server went away) rolls back too.
	cctx, cancel := context.WithCancel(ctx)
	svc.beforeCommit = func(context.Context, pgx.Tx) error { cancel(); return cctx.Err() }
	if _, err := svc.Submit(cctx, sub); err == nil {
		t.Fatal("want the cancellation")
	}
	// The database connection dies before the commit (the server process
	// killed, the network cut): PostgreSQL discards the transaction.
	svc.beforeCommit = func(ctx context.Context, tx pgx.Tx) error {
		tx.Exec(ctx, `SELECT pg_terminate_backend(pg_backend_pid())`)
		return nil
	}
	if _, err := svc.Submit(ctx, sub); err == nil {
		t.Fatal("want the lost connection")
	}
	pool.QueryRow(ctx, `SELECT count(*) FROM reports`).Scan(&n)
	if n != 0 {
		t.Errorf("%d reports left by cancelled and cut submissions", n)
	}
	// With the hook gone the same report goes through, routed.
	svc.beforeCommit = nil
	r, err := svc.Submit(ctx, sub)
	if err != nil || len(routes(t, pool, r.ID)) != 3 {
		t.Fatalf("after the failures: %v", err)
	}
	// The database itself refuses a report without its command-centre copy.
	_, err = pool.Exec(ctx, `INSERT INTO reports (code, category, urgency, description, location_source, ward_source, channel, acknowledge_due, resolve_due)
		VALUES ('PA-TEST', 'theft', 'normal', 'x', 'none', 'none', 'web', now(), now())`)
	if err == nil {
		t.Error("a report without routes was committed")
	}
}

func TestDuplicatesLinked(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx := context.Background()
	first, err := svc.Submit(ctx, submission("fire", inSaiGon))
	if err != nil {
		t.Fatal(err)
	}
	near := [2]float64{inSaiGon[0] + 0.001, inSaiGon[1]} // about 110 m
	far := [2]float64{inSaiGon[0] + 0.005, inSaiGon[1]}  // about 550 m
	tests := []struct {
		name string
		sub  Submission
		dup  string
	}{
		{"same category nearby", submission("fire", near), first.ID},
		{"again nearby: linked to the original", submission("fire", near), first.ID},
		{"another category", submission("theft", near), ""},
		{"too far", submission("fire", far), ""},
	}
	for _, tc := range tests {
		r, err := svc.Submit(ctx, tc.sub)
		if err != nil {
			t.Fatal(err)
		}
		if r.DuplicateOf != tc.dup {
			t.Errorf("%s: duplicate_of = %q, want %q", tc.name, r.DuplicateOf, tc.dup)
		}
	}
	// Outside the time window: the original is old.
	pool.Exec(ctx, `UPDATE reports SET created_at = created_at - interval '3 hours'`)
	if r, _ := svc.Submit(ctx, submission("fire", inSaiGon)); r.DuplicateOf != "" {
		t.Errorf("after the window: duplicate_of = %q", r.DuplicateOf)
	}
	// Every duplicate is still stored and routed.
	var n, routed int
	pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM report_routes WHERE report_id = reports.id AND kind = 'ward')) FROM reports`).Scan(&n, &routed)
	if n != 6 || routed != 6 {
		t.Errorf("stored %d, routed %d; want 6, 6", n, routed)
	}
}

func TestRateLimits(t *testing.T) {
	svc, pool := newTestService(t, func(c *Config) { c.RatePerStation, c.RatePerDevice, c.RatePerPhone, c.RatePerAddress = 3, 2, 1, 4 })
	ctx := context.Background()
	station, _ := addStation(t, pool, tanDinh, inTanDinh[0], inTanDinh[1])
	tests := []struct {
		name  string
		sub   func(i int) Submission
		allow int
	}{
		{"per station", func(int) Submission {
			return Submission{Category: "theft", Description: "x", StationID: station, Channel: Kiosk}
		}, 3},
		{"per device", func(int) Submission {
			s := submission("theft", inSaiGon)
			s.DeviceID = "phone-abc"
			return s
		}, 2},
		{"per phone, however it is written", func(i int) Submission {
			s := submission("theft", inSaiGon)
			s.Contact = []string{"0903 123 456", "+84 903 123 456", "0903.123.456"}[i%3]
			return s
		}, 1},
	}
	for _, tc := range tests {
		for i := 0; i < tc.allow; i++ {
			if _, err := svc.Submit(ctx, tc.sub(i)); err != nil {
				t.Fatalf("%s: report %d refused: %v", tc.name, i+1, err)
			}
		}
		_, err := svc.Submit(ctx, tc.sub(tc.allow))
		if !apperr.IsKind(err, apperr.RateLimited) {
			t.Errorf("%s: report %d: err = %v, want rate limited", tc.name, tc.allow+1, err)
		}
	}
	// An anonymous web report without a device is not held back by others,
	// but by its address; a kiosk behind the same address is not.
	anonymous := func() Submission { s := submission("theft", inSaiGon); s.ClientIP = "203.0.113.9"; return s }
	for i := 0; i < 4; i++ {
		if _, err := svc.Submit(ctx, anonymous()); err != nil {
			t.Fatalf("anonymous report %d: %v", i+1, err)
		}
	}
	if _, err := svc.Submit(ctx, anonymous()); !apperr.IsKind(err, apperr.RateLimited) {
		t.Errorf("fifth from one address: %v", err)
	}
	other, _ := addStation(t, pool, saiGon, inSaiGon[0], inSaiGon[1])
	kioskReport := anonymous()
	kioskReport.StationID, kioskReport.Channel = other, Kiosk
	if _, err := svc.Submit(ctx, kioskReport); err != nil {
		t.Errorf("kiosk behind the same address: %v", err)
	}
}

// TestWorkflow moves reports through the duty workflow at the service:
// every allowed path, then one report's story, the steps refused,
// another ward told it does not exist, the transfer into that ward's
// sight, notes and spam in the audit log. It is over 80 lines because
// that story is one report whose each step starts from the state the
// last one left; the paths are walked by walkPath.
func TestWorkflow(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx := context.Background()
	officer := Officer{ID: "7", Name: "tran.van.a", Wards: []string{saiGon}}
	other := Officer{ID: "8", Name: "le.thi.b", Wards: []string{benThanh}}
	centre := Officer{ID: "9", Name: "chi.huy", CommandCentre: true}

	newReport := func() string {
		r, err := svc.Submit(ctx, submission("theft", inSaiGon))
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	// Every allowed step, along each path.
	paths := [][]Status{
		{Acknowledged, Verifying, Dispatched, Resolved},
		{Acknowledged, Unfounded},
		{Acknowledged, Verifying, Unfounded},
		{Acknowledged, Verifying, Dispatched, Unfounded},
		{Acknowledged, Transferred},
		{Acknowledged, Verifying, Transferred},
		{Acknowledged, Verifying, Dispatched, Transferred},
		{Transferred},
	}
	for _, path := range paths {
		walkPath(t, svc, officer, centre, newReport(), path)
	}
	// Steps the workflow does not allow.
	id := newReport()
	for _, to := range []Status{Verifying, Dispatched, Resolved, Unfounded} {
		if _, err := svc.Advance(ctx, officer, id, Move{To: to}); apperr.CodeOf(err) != "transition_not_allowed" {
			t.Errorf("received → %s: err = %v", to, err)
		}
	}
	if _, err := svc.Advance(ctx, officer, id, Move{To: Received}); apperr.CodeOf(err) != "unknown_status" {
		t.Errorf("→ received: err = %v", err)
	}
	if _, err := svc.Advance(ctx, officer, id, Move{To: Transferred}); apperr.CodeOf(err) != "transfer_target_required" {
		t.Errorf("transfer without target: err = %v", err)
	}
	// Ward isolation: another ward's officer is told the report does not exist.
	for _, try := range []func() error{
		func() error { _, err := svc.Get(ctx, other, id); return err },
		func() error { _, err := svc.Advance(ctx, other, id, Move{To: Acknowledged}); return err },
		func() error { return svc.AddNote(ctx, other, id, "x") },
		func() error { return svc.MarkSpam(ctx, other, id, "x") },
		func() error { _, _, err := svc.MediaFile(ctx, other, id, id); return err },
	} {
		if err := try(); !apperr.IsKind(err, apperr.NotFound) {
			t.Errorf("other ward: err = %v, want not found", err)
		}
	}
	if list, _ := svc.List(ctx, other, Filter{}); len(list) != 0 {
		t.Errorf("other ward lists %d reports", len(list))
	}
	if _, err := svc.List(ctx, other, Filter{Ward: saiGon}); !apperr.IsKind(err, apperr.NotFound) {
		t.Errorf("other ward filtering on a ward not theirs: %v", err)
	}
	if list, _ := svc.List(ctx, centre, Filter{}); len(list) != len(paths)+1 {
		t.Errorf("command centre lists %d reports, want %d", len(list), len(paths)+1)
	}
	// Transfer to another ward moves the report into that ward's sight.
	if _, err := svc.Advance(ctx, officer, id, Move{To: Transferred, Note: "thuộc địa bàn Bến Thành", Target: &Target{ToWard, benThanh}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(ctx, officer, id); !apperr.IsKind(err, apperr.NotFound) {
		t.Errorf("after transfer the first ward still sees it: %v", err)
	}
	if _, err := svc.Advance(ctx, other, id, Move{To: Acknowledged, Note: "đã nhận"}); err != nil {
		t.Fatalf("receiving ward acknowledges: %v", err)
	}
	if r, _ := svc.Get(ctx, other, id); !slices.Contains(r.RoutedTo, Target{ToWard, benThanh}) {
		t.Errorf("routes after transfer = %v", r.RoutedTo)
	}
	// Notes and spam are attributed; spam stays stored but leaves lists.
	if err := svc.AddNote(ctx, other, id, "Đã gọi lại người phản ánh"); err != nil {
		t.Fatal(err)
	}
	if err := svc.MarkSpam(ctx, other, id, "Tin báo sai sự thật"); err != nil {
		t.Fatal(err)
	}
	if err := svc.MarkSpam(ctx, other, id, "again"); apperr.CodeOf(err) != "already_marked" {
		t.Errorf("second spam mark: %v", err)
	}
	if list, _ := svc.List(ctx, other, Filter{}); len(list) != 0 {
		t.Errorf("spam still listed")
	}
	if list, _ := svc.List(ctx, other, Filter{WithSpam: true}); len(list) != 1 || !list[0].Spam {
		t.Errorf("spam not kept for audit: %+v", list)
	}
	var audited int
	pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE subject_kind = 'report' AND subject_id = $1`, id).Scan(&audited)
	if audited < 4 {
		t.Errorf("audit log has %d entries for the report", audited)
	}
}

// walkPath takes report id along path as officer, checking after each step
// the status and the event the command centre reads, and at the end the
// acknowledgement and closing times.
func walkPath(t *testing.T, svc *Service, officer, centre Officer, id string, path []Status) {
	t.Helper()
	ctx := context.Background()
	from := Received
	for _, to := range path {
		m := Move{To: to, Note: "bước " + string(to)}
		if to.Closed() {
			m.Reason = CloseReasons[to][0].Code
		}
		if to == Transferred {
			m.Target = &Target{ToDepartment, "PC02"}
		}
		r, err := svc.Advance(ctx, officer, id, m)
		if err != nil {
			t.Fatalf("%s → %s: %v", from, to, err)
		}
		if r.Status != to {
			t.Fatalf("status = %s, want %s", r.Status, to)
		}
		r, _ = svc.Get(ctx, centre, id)
		last := r.Events[len(r.Events)-1]
		if last.From != from || last.To != to || last.ActorID != officer.ID || last.ActorName != officer.Name || last.Note != m.Note || last.At.IsZero() {
			t.Errorf("event = %+v", last)
		}
		from = to
	}
	r, _ := svc.Get(ctx, officer, id)
	if from.Closed() != (r.ClosedAt != nil) || r.AcknowledgedAt == nil && path[0] == Acknowledged {
		t.Errorf("path %v: timestamps ack=%v closed=%v", path, r.AcknowledgedAt, r.ClosedAt)
	}
}

func TestOverdueAndStats(t *testing.T) {
	svc, pool := newTestService(t, nil)
	ctx := context.Background()
	officer := Officer{ID: "1", Name: "a", Wards: []string{saiGon}}
	late, _ := svc.Submit(ctx, submission("fire", inSaiGon))
	onTime, _ := svc.Submit(ctx, submission("theft", inSaiGon))
	done, _ := svc.Submit(ctx, submission("drugs", inSaiGon))
	svc.Submit(ctx, submission("drugs", inBenThanh))
	// The fire report waited 10 minutes unacknowledged (its SLA is 5).
	pool.Exec(ctx, `UPDATE reports SET created_at = now() - interval '10 minutes', acknowledge_due = now() - interval '5 minutes' WHERE id = $1`, late.ID)
	pool.Exec(ctx, `UPDATE reports SET created_at = now() - interval '1 hour' WHERE id = $1`, done.ID)
	for _, to := range []Status{Acknowledged, Verifying, Dispatched, Resolved} {
		if _, err := svc.Advance(ctx, officer, done.ID, Move{To: to, Reason: map[Status]string{Resolved: "settled"}[to]}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := svc.List(ctx, officer, Filter{Overdue: true})
	if err != nil || len(list) != 1 || list[0].ID != late.ID || !list[0].Overdue {
		t.Fatalf("overdue = %+v, %v", list, err)
	}
	// Another replica sweeping: this one skips its turn.
	other, _ := pool.Begin(ctx)
	other.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, overdueLock)
	if n, err := svc.SweepOverdue(ctx); err != nil || n != 0 {
		t.Errorf("sweep while another replica sweeps: %d, %v", n, err)
	}
	other.Rollback(ctx)
	// The sweep announces it once, in its history and on the feed.
	for want, runs := 1, 0; runs < 2; want, runs = 0, runs+1 {
		if n, err := svc.SweepOverdue(ctx); err != nil || n != want {
			t.Errorf("sweep %d: %d overdue, %v; want %d", runs+1, n, err, want)
		}
	}
	if r, _ := svc.Get(ctx, officer, late.ID); r.Events[len(r.Events)-1].Action != "overdue" {
		t.Errorf("history = %+v", r.Events)
	}
	if drugs, _ := svc.List(ctx, officer, Filter{Category: "drugs"}); len(drugs) != 1 || drugs[0].ID != done.ID {
		t.Errorf("drugs in Sài Gòn = %v", drugs)
	}
	all, _ := svc.List(ctx, officer, Filter{Open: true})
	if len(all) != 2 || all[0].ID != late.ID || all[1].ID != onTime.ID {
		t.Errorf("open list (most urgent first) = %v", all)
	}

	st, err := svc.Stats(ctx, Officer{CommandCentre: true}, time.Now().Add(-24*time.Hour), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 4 || len(st.ByWard) != 2 || st.ByWard[0] != (Count{saiGon, 3}) || st.ByCategory[0] != (Count{"drugs", 2}) {
		t.Errorf("stats = %+v", st)
	}
	sum := 0
	for _, n := range st.ByHour {
		sum += n
	}
	if sum != 4 {
		t.Errorf("by hour sums to %d", sum)
	}
	if st.Acknowledge.N != 1 || st.Acknowledge.Median == nil || *st.Acknowledge.Median < 3590 || *st.Acknowledge.Median > 3700 ||
		st.Resolve.N != 1 || *st.Resolve.P90 < 3590 {
		t.Errorf("durations = %+v %+v", st.Acknowledge, st.Resolve)
	}
	// A ward officer's statistics cover their ward only.
	mine, _ := svc.Stats(ctx, officer, time.Now().Add(-24*time.Hour), time.Now().Add(time.Minute))
	if mine.Total != 3 {
		t.Errorf("ward stats total = %d", mine.Total)
	}
}

func TestTrack(t *testing.T) {
	svc, _ := newTestService(t, nil)
	ctx := context.Background()
	r, _ := svc.Submit(ctx, submission("theft", inSaiGon))
	svc.Advance(ctx, Officer{ID: "1", Wards: []string{saiGon}}, r.ID, Move{To: Acknowledged, Note: "Nghi phạm là hàng xóm"})
	for _, typed := range []string{r.Code, " " + r.Code[3:] + " ", "pa" + r.Code[3:]} {
		tr, err := svc.Track(ctx, "198.51.100.3", typed)
		if err != nil || tr.Status != Acknowledged || tr.Code != r.Code {
			t.Errorf("track %q = %+v, %v", typed, tr, err)
		}
	}
	if _, err := svc.Track(ctx, "198.51.100.3", "PA-2222-2222-22"); !apperr.IsKind(err, apperr.NotFound) {
		t.Errorf("unknown code: %v", err)
	}
}

// TestSubmissionsWaitTheirTurn fills every submission slot: a further
// report waits, and gives up when its request does, writing nothing.
func TestSubmissionsWaitTheirTurn(t *testing.T) {
	svc, pool := newTestService(t, func(c *Config) { c.Concurrency = 2 })
	svc.slots <- struct{}{}
	svc.slots <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := svc.Submit(ctx, submission("theft", inSaiGon)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	<-svc.slots
	if _, err := svc.Submit(context.Background(), submission("theft", inSaiGon)); err != nil {
		t.Fatalf("with a free slot: %v", err)
	}
	var n int
	pool.QueryRow(context.Background(), `SELECT count(*) FROM reports`).Scan(&n)
	if n != 1 {
		t.Errorf("%d reports stored, want 1", n)
	}
}
