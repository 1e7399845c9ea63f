package ocr

import (
	"context"
	"strings"
	"testing"

	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/seal"
)

// TestStoreSealsReadings reads the raw row: no ID number, name or text the
// OCR read is stored in the clear, the visit reads it back, and a sealed
// reading moved to another visit does not open.
func TestStoreSealsReadings(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	store := NewStore(db, t.TempDir(), seal.MustTest("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="))
	res := &Result{
		Kind: KindCCCDFront,
		Fields: map[string]Field{"id_number": {Value: "079203001234", Confidence: 1, Source: SourceQR},
			"full_name": {Value: "NGUYỄN VĂN AN", Confidence: 0.9, Source: SourceText}},
		Text:           "CĂN CƯỚC CÔNG DÂN 079203001234 NGUYỄN VĂN AN",
		Lines:          []Line{{Text: "079203001234", Confidence: 0.9}},
		KioskSessionID: "visit-1",
	}
	if err := store.Save(ctx, res, nil); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := db.QueryRow(ctx, `SELECT r::text FROM ocr_results r WHERE id = $1`, res.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"079203001234", "NGUYỄN VĂN AN", "CĂN CƯỚC"} {
		if strings.Contains(raw, plain) {
			t.Errorf("raw row holds %q", plain)
		}
	}
	got, err := store.Get(ctx, res.ID)
	if err != nil || got.Fields["id_number"].Value != "079203001234" || got.Text != res.Text || len(got.Lines) != 1 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := db.Exec(ctx, `UPDATE ocr_results SET kiosk_session_id = 'visit-2' WHERE id = $1`, res.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get(ctx, res.ID); err == nil {
		t.Error("a reading moved to another visit opened")
	}
}
