package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/ocr"
)

// TestSealPlainMigration stores personal data in plain text as the schema
// before migration 01900 held it (a report's contact, an OCR reading, the
// guide's state, fields, turns and photo), then migrates: without the key
// migration 01901 stops and names the fix; with it every value is sealed,
// the plain columns are gone, and the services read the values back.
func TestSealPlainMigration(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	if err := database.MigrateDownTo(ctx, pool, 1900); err != nil {
		t.Fatal(err)
	}
	const session = "5b0c7a52-3f0e-4a51-9d0e-8f6a1c2b3d4e"
	for _, q := range []string{
		`WITH r AS (INSERT INTO reports (code, category, urgency, description, location_source, ward_source, channel, contact, acknowledge_due, resolve_due)
			VALUES ('RPT-OLD-1', 'theft', 'normal', 'Mất xe', 'none', 'none', 'kiosk', '0912 345 678', now(), now()) RETURNING id)
		 INSERT INTO report_routes (report_id, kind, code, reason) SELECT id, 'command_centre', 'hcm', 'test' FROM r`,
		`INSERT INTO ocr_results (id, kind, fields, text, lines, duration_ms, kiosk_session_id)
			VALUES ('0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b', 'cccd_front', '{"id_number": {"value": "079203001234", "confidence": 1}}',
			'CĂN CƯỚC 079203001234', '[{"text": "079203001234", "confidence": 0.9}]', 10, 'visit-1')`,
		`INSERT INTO assistant_sessions (id, stage, state, prompt_version, expires_at)
			VALUES ('` + session + `', 'collect', '{"opening": "cấp lại căn cước 079203001234"}', 'test', now() + interval '1 hour')`,
		`INSERT INTO assistant_fields (session_id, name, value, provenance) VALUES ('` + session + `', 'phone', '0903123456', 'typed')`,
		`INSERT INTO assistant_turns (session_id, seq, input_kind, input, reply, status, stage, route, prompt_version)
			VALUES ('` + session + `', 1, 'text', 'số tôi 0903123456', 'Số của Bác là 0903123456', 'answered', 'collect', 'field_answer', 'test')`,
		`INSERT INTO assistant_photos (session_id, name, data) VALUES ('` + session + `', 'anh.jpg', 'JPEG of 079203001234')`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	if _, err := database.Migrate(ctx, pool); err == nil || !strings.Contains(err.Error(), "plain text: run station migrate with the data key") {
		t.Fatalf("migrating plain data without the key: %v", err)
	}
	sealer := seal.MustTest("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=")
	if _, err := database.MigrateSealing(ctx, pool, app.SealPlain(pool, sealer)); err != nil {
		t.Fatal(err)
	}

	for _, table := range []string{"reports", "ocr_results", "assistant_sessions", "assistant_fields", "assistant_turns", "assistant_photos"} {
		texts := dbtest.Texts(t, pool, `SELECT t::text FROM `+table+` t`)
		if len(texts) == 0 {
			t.Fatalf("%s: no rows", table)
		}
		for _, text := range texts {
			// Bytes are shown in hex: look for the numbers' hex too.
			for _, plain := range []string{"079203001234", "0903123456", "0912 345 678", "3037393230333030", "3039303331323334"} {
				if strings.Contains(text, plain) {
					t.Errorf("%s holds %q after the migration", table, plain)
				}
			}
		}
	}
	res, err := ocr.NewStore(pool, t.TempDir(), sealer).Get(ctx, "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b")
	if err != nil || res.Fields["id_number"].Value != "079203001234" || res.Text != "CĂN CƯỚC 079203001234" || len(res.Lines) != 1 {
		t.Errorf("OCR result after the migration: %+v, %v", res, err)
	}
	store := assistant.NewStore(pool, sealer)
	sess, err := store.Get(ctx, session, time.Now())
	if err != nil || sess.Fields["phone"].Value != "0903123456" || sess.State.Opening != "cấp lại căn cước 079203001234" {
		t.Errorf("guide's session after the migration: %+v, %v", sess, err)
	}
	turns, err := store.Turns(ctx, session)
	if err != nil || len(turns) != 1 || turns[0].Input != "số tôi 0903123456" || turns[0].Reply != "Số của Bác là 0903123456" {
		t.Errorf("turns after the migration: %+v, %v", turns, err)
	}
	photos, err := store.Photos(ctx, session)
	if err != nil || len(photos) != 1 || string(photos[0].Data) != "JPEG of 079203001234" {
		t.Errorf("photos after the migration: %+v, %v", photos, err)
	}
	var contact []byte
	if err := pool.QueryRow(ctx, `SELECT contact_sealed FROM reports WHERE code = 'RPT-OLD-1'`).Scan(&contact); err != nil {
		t.Fatal(err)
	}
	if got, err := sealer.Open(contact, reports.SealedColumns()[0].Context([]string{"RPT-OLD-1"})); err != nil || got != "0912 345 678" {
		t.Errorf("report's contact after the migration: %q, %v", got, err)
	}
}
