package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/ocr"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
	"github.com/citizenstation/citizenstation/procedures/procedurestest"
)

const (
	oldKey = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="
	newKey = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE="
)

// TestRekey rotates the data key on a database holding a value in every
// sealed column, with station rekey, and reads everything back with the
// new key alone: the old key can go.
func TestRekey(t *testing.T) {
	ctx := context.Background()
	pool := rekeyDatabase(t)
	old := seal.MustTest(oldKey)
	seeded := seedSealed(t, pool, old)

	rotated, err := (&seal.Config{DataKey: newKey, PreviousKeys: oldKey}).Sealer()
	if err != nil {
		t.Fatal(err)
	}
	// New values are sealed under the new key as soon as the replicas
	// restart with it; the old ones wait for station rekey.
	if _, err := assistant.NewStore(pool, rotated).AddPhoto(ctx, seeded.session, "anh2.jpg", []byte("JPEG data of the second photo")); err != nil {
		t.Fatal(err)
	}
	out := rotate(t)
	for _, want := range []string{"dossier_fields.value_sealed", "data_key_check.sealed", "reports.contact_sealed",
		"ocr_results.sealed", "assistant_sessions.state_sealed", "assistant_fields.value_sealed",
		"assistant_turns.input_sealed", "assistant_turns.reply_sealed", "assistant_photos.data_sealed",
		"1 dossiers' digests made again", "previous keys may be removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("station rekey printed no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "assistant_photos.data_sealed                 2") {
		t.Errorf("the photo sealed under the new key was sealed again:\n%s", out)
	}
	// A second run has nothing to do.
	if again := rotate(t); strings.Count(again, " 0 values sealed again") != len(app.SealedColumns()) ||
		!strings.Contains(again, " 0 dossiers' digests") {
		t.Errorf("second run:\n%s", again)
	}

	assertOnlyNewKeyOpens(t, pool, seeded, old)
}

// rekeyDatabase is a fresh database for station's commands, open for the
// test.
func rekeyDatabase(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := database.Open(context.Background(), freshEnvironment(t), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// rotate runs station rekey with the new key current and the old one
// previous, and returns what it printed.
func rotate(t *testing.T) string {
	t.Helper()
	t.Setenv("STATION_DATA_KEY", newKey)
	t.Setenv("STATION_DATA_KEYS_PREVIOUS", oldKey)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"rekey"}, &cli{stdout: &out, stderr: &out}); err != nil {
		t.Fatalf("station rekey: %v\n%s", err, out.String())
	}
	return out.String()
}

// assertOnlyNewKeyOpens reads every sealed column and every seeded value
// through the services with the new key alone, and checks the old key no
// longer opens the guide's session.
func assertOnlyNewKeyOpens(t *testing.T, pool *pgxpool.Pool, seeded seededValues, old *seal.Sealer) {
	t.Helper()
	ctx := context.Background()
	fresh := seal.MustTest(newKey)
	for _, col := range app.SealedColumns() {
		assertOpens(t, pool, fresh, col)
	}
	cat := procedurestest.Load(t, pool)
	ds, err := dossiers.NewService(ctx, pool, cat, dossiers.Config{Sealer: fresh, DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("dossiers with the new key alone: %v", err)
	}
	for _, last4 := range []string{"1234", "3456"} {
		if _, err := ds.Track(ctx, audit.Actor{IP: "10.0.0.9"}, seeded.tracking, last4); err != nil {
			t.Errorf("tracking with %s after the rotation: %v", last4, err)
		}
	}
	res, err := ocr.NewStore(pool, t.TempDir(), fresh).Get(ctx, seeded.ocr)
	if err != nil || res.Fields["id_number"].Value != "079203001234" {
		t.Errorf("OCR result: %+v, %v", res, err)
	}
	store := assistant.NewStore(pool, fresh)
	sess, err := store.Get(ctx, seeded.session, time.Now())
	if err != nil || sess.Fields["phone"].Value != "0903123456" || sess.State.Opening != "cấp lại căn cước 079203001234" {
		t.Fatalf("guide's session: %+v, %v", sess, err)
	}
	turns, err := store.Turns(ctx, seeded.session)
	if err != nil || len(turns) != 2 || turns[1].Input != "số điện thoại 0903123456" {
		t.Errorf("turns: %+v, %v", turns, err)
	}
	photos, err := store.Photos(ctx, seeded.session)
	if err != nil || len(photos) != 2 || string(photos[0].Data) != "JPEG data of the first photo" {
		t.Errorf("photos: %d, %v", len(photos), err)
	}
	// Without the new key nothing opens any more.
	if _, err := store.Get(ctx, seeded.session, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := assistant.NewStore(pool, old).Get(ctx, seeded.session, time.Now()); err == nil {
		t.Error("the old key alone still opens the guide's session")
	}
}

type seededValues struct{ tracking, ocr, session string }

// seedSealed stores, sealed under sealer, a dossier with an ID number and a
// phone, a report's contact, an OCR result and a guide's session with
// fields, turns and a photo.
func seedSealed(t *testing.T, pool *pgxpool.Pool, sealer *seal.Sealer) seededValues {
	t.Helper()
	ctx := context.Background()
	var s seededValues
	ds, err := dossiers.NewService(ctx, pool, procedurestest.Load(t, pool), dossiers.Config{Sealer: sealer, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ds.Create(ctx, audit.Actor{IP: "10.0.0.8"}, dossiers.NewDossier{Procedure: "residence.info-confirm", Ward: "26740",
		Fields: map[string]dossiers.FieldInput{
			"full_name": {Value: "Nguyễn Thị Lan"}, "date_of_birth": {Value: "1950-03-12"}, "sex": {Value: "Nữ"},
			"id_number": {Value: "079203001234"}, "phone": {Value: "0903123456"},
			"place_of_residence": {Value: "12 Nguyễn Huệ, phường Sài Gòn"}, "delivery": {Value: "paper"}}})
	if err != nil {
		t.Fatal(err)
	}
	s.tracking = c.TrackingCode
	// A correction keeps the value it replaces in the history, sealed.
	if _, err := ds.UpdateFields(ctx, audit.Actor{IP: "10.0.0.8"}, c.ID, c.Secret,
		map[string]dossiers.FieldInput{"id_number": {Value: "079203001234"}}); err != nil {
		t.Fatal(err)
	}
	col := app.SealedColumns()
	var reportContext string
	for _, c := range col {
		if c.Table == "reports" {
			reportContext = c.Context([]string{"RPT-TEST-1"})
		}
	}
	if _, err := pool.Exec(ctx, `WITH r AS (INSERT INTO reports (code, category, urgency, description, location_source, ward_source, channel, contact_sealed, acknowledge_due, resolve_due)
		VALUES ('RPT-TEST-1', 'theft', 'normal', 'Mất xe', 'none', 'none', 'kiosk', $1, now(), now()) RETURNING id)
		INSERT INTO report_routes (report_id, kind, code, reason) SELECT id, 'command_centre', 'hcm', 'test' FROM r`, sealer.Seal("0912 345 678", reportContext)); err != nil {
		t.Fatal(err)
	}
	res := &ocr.Result{Kind: ocr.KindCCCDFront, Fields: map[string]ocr.Field{"id_number": {Value: "079203001234", Confidence: 1}}}
	if err := ocr.NewStore(pool, t.TempDir(), sealer).Save(ctx, res, nil); err != nil {
		t.Fatal(err)
	}
	s.ocr = res.ID
	store := assistant.NewStore(pool, sealer)
	sess := &assistant.Session{Stage: assistant.StageCollect, PromptVersion: "test", ExpiresAt: time.Now().Add(time.Hour),
		State: assistant.State{Opening: "cấp lại căn cước 079203001234"}}
	if err := store.Create(ctx, sess, assistant.Turn{InputKind: "start", Reply: "Chào Bác", Status: assistant.StatusAnswered,
		Stage: assistant.StageIdentify, Route: assistant.RouteNavigation, PromptVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	sess.Fields = map[string]assistant.Value{"phone": {Value: "0903123456", Provenance: "typed", Confidence: 1}}
	if err := store.SaveTurn(ctx, sess, assistant.Turn{InputKind: "text", Input: "số điện thoại 0903123456", Reply: "Cảm ơn Bác",
		Status: assistant.StatusAnswered, Stage: assistant.StageCollect, Route: assistant.RouteField, PromptVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddPhoto(ctx, sess.ID, "anh.jpg", []byte("JPEG data of the first photo")); err != nil {
		t.Fatal(err)
	}
	s.session = sess.ID
	return s
}

// assertOpens opens every value of col with sealer alone.
func assertOpens(t *testing.T, pool *pgxpool.Pool, sealer *seal.Sealer, col seal.Column) {
	t.Helper()
	keys := "''"
	if len(col.Keys) > 0 {
		keys = strings.Join(col.Keys, ", ")
	}
	rows, err := pool.Query(context.Background(), fmt.Sprintf(`SELECT %s, %s FROM %s WHERE %s IS NOT NULL`, col.Column, keys, col.Table, col.Column))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		k := make([]string, len(vals)-1)
		for i, v := range vals[1:] {
			k[i] = fmt.Sprint(v)
		}
		if _, err := sealer.Open(vals[0].([]byte), col.Context(k)); err != nil {
			t.Errorf("%s at %v: %v", col, k, err)
		}
		n++
	}
	if n == 0 {
		t.Errorf("%s: no value to open (the seed missed it)", col)
	}
}

// TestRekeyKeepsRateLimits: the rate limits whose keys are keyed digests
// (a reporter's phone number, the look-ups by code) hold through a key
// rotation — while both keys are configured, and after station rekey with
// the old key gone — so a rotation never hands out a fresh allowance.
func TestRekeyKeepsRateLimits(t *testing.T) {
	ctx := context.Background()
	pool := rekeyDatabase(t)
	if _, err := reports.ImportWards(ctx, pool, reports.SampleWards); err != nil {
		t.Fatal(err)
	}
	rules, err := reports.ShippedRules()
	if err != nil {
		t.Fatal(err)
	}
	reportsUnder := func(s *seal.Sealer) *reports.Service {
		cfg := reports.DefaultConfig()
		cfg.Sealer, cfg.RatePerPhone = s, 2
		return reports.NewService(pool, cfg, rules, nil)
	}
	lat, lng := 10.778, 106.707
	report := func(s *seal.Sealer, n int) error {
		_, err := reportsUnder(s).Submit(ctx, reports.Submission{Category: "theft", Description: "Mất xe máy trước cổng.",
			Lat: &lat, Lng: &lng, Channel: reports.App, Contact: "0903 123 456", ClientIP: fmt.Sprintf("198.51.100.%d", n)})
		return err
	}
	cat := procedurestest.Load(t, pool)
	dossiersUnder := func(s *seal.Sealer) *dossiers.Service {
		ds, err := dossiers.NewService(ctx, pool, cat, dossiers.Config{Sealer: s, DataDir: t.TempDir(), TrackPerCode: 2})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	old := seal.MustTest(oldKey)
	c, err := dossiersUnder(old).Create(ctx, audit.Actor{IP: "10.0.0.8"}, dossiers.NewDossier{Procedure: "residence.info-confirm", Ward: "26740",
		Fields: map[string]dossiers.FieldInput{"full_name": {Value: "Nguyễn Thị Lan"}, "id_number": {Value: "079203001234"}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := report(old, i); err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		if _, err := dossiersUnder(old).Track(ctx, audit.Actor{IP: "10.0.0.9"}, c.TrackingCode, "0000"); !apperr.IsKind(err, apperr.NotFound) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	limited := func(when string, s *seal.Sealer) {
		t.Helper()
		if err := report(s, 9); !apperr.IsKind(err, apperr.RateLimited) {
			t.Errorf("%s: a third report from the phone: %v", when, err)
		}
		if _, err := dossiersUnder(s).Track(ctx, audit.Actor{IP: "10.0.0.10"}, c.TrackingCode, "1234"); !apperr.IsKind(err, apperr.RateLimited) {
			t.Errorf("%s: a third lookup of the code: %v", when, err)
		}
	}
	limited("under the old key", old)
	rotated, err := (&seal.Config{DataKey: newKey, PreviousKeys: oldKey}).Sealer()
	if err != nil {
		t.Fatal(err)
	}
	limited("rotated, before rekey", rotated)

	if out := rotate(t); !strings.Contains(out, "rate_limits.key") {
		t.Fatalf("station rekey:\n%s", out)
	}
	limited("after rekey, the old key gone", seal.MustTest(newKey))
	var stale int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM rate_limits WHERE subject_sealed IS NOT NULL AND get_byte(subject_sealed, 0) <> $1`,
		int(seal.MustTest(newKey).CurrentID())).Scan(&stale); err != nil || stale != 0 {
		t.Errorf("%d counts left under the old key (%v)", stale, err)
	}
}
