package ocr

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/database/dbtest"
	"github.com/citizenstation/citizenstation/internal/seal"
)

func TestStoreSavesGetsAndErasesKioskSessions(t *testing.T) {
	ctx := context.Background()
	store := NewStore(dbtest.New(t), t.TempDir(), seal.Ephemeral())
	newResult := func(session string) *Result {
		return &Result{
			Kind:           KindCCCDFront,
			Fields:         map[string]Field{"id_number": {Value: "079203001234", Confidence: 1, Source: SourceQR, Box: [4]int{1, 2, 3, 4}}},
			Text:           "CĂN CƯỚC CÔNG DÂN",
			Lines:          []Line{{Text: "CĂN CƯỚC CÔNG DÂN", Confidence: 0.9, Box: [4]int{5, 6, 7, 8}}},
			Warnings:       []string{"mrz_check_digit:date_of_birth"},
			DurationMS:     420,
			KioskSessionID: session,
		}
	}
	scan := []byte("the scan's bytes")
	a, b, c := newResult("visit-1"), newResult("visit-1"), newResult("visit-2")
	for _, r := range []*Result{a, b} {
		if err := store.Save(ctx, r, scan); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Save(ctx, c, []byte("another scan")); err != nil {
		t.Fatal(err)
	}
	if a.ID == "" || a.ScanPath == "" || a.ScanPath != b.ScanPath {
		t.Fatalf("a scan sent twice should be kept once: %q %q", a.ScanPath, b.ScanPath)
	}
	got, err := store.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Fields["id_number"], a.Fields["id_number"]) || got.Text != a.Text || got.Lines[0] != a.Lines[0] ||
		got.Warnings[0] != a.Warnings[0] || got.DurationMS != 420 || got.KioskSessionID != "visit-1" || got.CreatedAt.IsZero() {
		t.Fatalf("Get = %+v, want %+v", got, a)
	}
	if data, err := os.ReadFile(store.ScanFile(got)); err != nil || string(data) != string(scan) {
		t.Fatalf("scan file: %q, %v", data, err)
	}

	for _, id := range []string{"not-a-uuid", "00000000-0000-0000-0000-000000000000"} {
		if _, err := store.Get(ctx, id); apperr.CodeOf(err) != "ocr_result_not_found" {
			t.Errorf("Get(%q) = %v, want ocr_result_not_found", id, err)
		}
	}

	// The kiosk package erases a visit in its own transaction and removes
	// the files after commit.
	tx, err := store.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files, err := store.EraseKioskSession(ctx, tx, "visit-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0] != filepath.Join(store.dataDir, a.ScanPath) {
		t.Fatalf("files = %v, want the one scan of visit-1", files)
	}
	for _, id := range []string{a.ID, b.ID} {
		if _, err := store.Get(ctx, id); !apperr.IsKind(err, apperr.NotFound) {
			t.Errorf("result %s of the erased visit still there: %v", id, err)
		}
	}
	if _, err := store.Get(ctx, c.ID); err != nil {
		t.Errorf("another visit's result went too: %v", err)
	}
}

func TestEraseKeepsScansOtherResultsUse(t *testing.T) {
	ctx := context.Background()
	store := NewStore(dbtest.New(t), t.TempDir(), seal.Ephemeral())
	scan := []byte("shared scan")
	mine := &Result{Kind: KindForm, Fields: map[string]Field{}, KioskSessionID: "visit-1"}
	staffs := &Result{Kind: KindForm, Fields: map[string]Field{}} // filed at the counter, no visit
	for _, r := range []*Result{mine, staffs} {
		if err := store.Save(ctx, r, scan); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := store.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	files, err := store.EraseKioskSession(ctx, tx, "visit-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Fatalf("files = %v, want none: another result still uses the scan", files)
	}
}

// Results bound to no visit (an evaluator's, or kept before results were
// bound) are purged after a day, with their scans; a visit's stay until
// the visit ends.
func TestPurgeUnbound(t *testing.T) {
	ctx := context.Background()
	db := dbtest.New(t)
	store := NewStore(db, t.TempDir(), seal.Ephemeral())
	old := &Result{Kind: KindForm, Fields: map[string]Field{}}
	fresh := &Result{Kind: KindForm, Fields: map[string]Field{}}
	visit := &Result{Kind: KindForm, Fields: map[string]Field{}, KioskSessionID: "visit-1"}
	for i, r := range []*Result{old, fresh, visit} {
		if err := store.Save(ctx, r, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	db.Exec(ctx, `UPDATE ocr_results SET created_at = now() - interval '25 hours' WHERE id IN ($1, $2)`, old.ID, visit.ID)
	if err := store.PurgeUnbound(ctx, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get(ctx, old.ID); !apperr.IsKind(err, apperr.NotFound) {
		t.Errorf("a day-old unbound result is still there: %v", err)
	}
	if _, err := os.Stat(store.ScanFile(old)); !os.IsNotExist(err) {
		t.Errorf("its scan is still there: %v", err)
	}
	for _, r := range []*Result{fresh, visit} {
		if _, err := store.Get(ctx, r.ID); err != nil {
			t.Errorf("result %s went too: %v", r.ID, err)
		}
	}
}
