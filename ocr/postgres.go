package ocr

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/jobs"
	"github.com/citizenstation/citizenstation/internal/seal"
)

// Store keeps results in PostgreSQL (table ocr_results) and scans as files
// under the data directory, named by their SHA-256 so that a scan sent twice
// is stored once.
type Store struct {
	db      *pgxpool.Pool
	dataDir string
	// sealer seals what was read (fields, text, lines) bound to the result
	// and its visit: nothing a scan read is stored in the clear.
	sealer *seal.Sealer
}

// readings is what a result read from a resident's papers, sealed as one.
type readings struct {
	Fields map[string]Field `json:"fields"`
	Text   string           `json:"text"`
	Lines  []Line           `json:"lines"`
}

// sealContext binds sealed readings to their result and visit.
func sealContext(id, kioskSessionID string) string {
	return "ocr/" + id + "/" + kioskSessionID
}

// newID is a random (version 4) UUID.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// NewStore returns a store on db that keeps scans under dataDir/scans and
// seals what they read with sealer, which must be set.
func NewStore(db *pgxpool.Pool, dataDir string, sealer *seal.Sealer) *Store {
	if sealer == nil {
		panic("ocr: NewStore without a sealer")
	}
	return &Store{db: db, dataDir: dataDir, sealer: sealer}
}

var errResultNotFound = apperr.New(apperr.NotFound, "ocr_result_not_found",
	"Không tìm thấy kết quả đọc giấy tờ này. Có thể phiên làm việc đã kết thúc và dữ liệu đã được xoá.")

// Save stores res and, when scan is not nil, the scan it was read from; it
// sets res.ID, res.CreatedAt and res.ScanPath.
func (s *Store) Save(ctx context.Context, res *Result, scan []byte) error {
	var sum string
	if scan != nil {
		h := sha256.Sum256(scan)
		sum = hex.EncodeToString(h[:])
		path, err := s.writeScan(sum, scan)
		if err != nil {
			return fmt.Errorf("keep scan: %w", err)
		}
		res.ScanPath = path
	}
	if res.Fields == nil {
		res.Fields = map[string]Field{}
	}
	if res.Lines == nil {
		res.Lines = []Line{}
	}
	id := newID()
	all, err := json.Marshal(readings{Fields: res.Fields, Text: res.Text, Lines: res.Lines})
	if err != nil {
		return err
	}
	err = s.db.QueryRow(ctx, `
		INSERT INTO ocr_results (id, kind, warnings, duration_ms, scan_path, scan_sha256, kiosk_session_id, sealed)
		VALUES ($7, $1, COALESCE($2::text[], '{}'), $3, NULLIF($4, ''), NULLIF($5, ''), NULLIF($6, ''), $8)
		RETURNING id::text, created_at`,
		res.Kind, res.Warnings, res.DurationMS, res.ScanPath, sum, res.KioskSessionID, id,
		s.sealer.Seal(string(all), sealContext(id, res.KioskSessionID)),
	).Scan(&res.ID, &res.CreatedAt)
	if err != nil {
		return fmt.Errorf("save OCR result: %w", err)
	}
	return nil
}

// writeScan writes the scan to scans/<2 hex>/<sha256> unless it is there,
// through a temporary file so that no half-written scan is ever seen.
func (s *Store) writeScan(sum string, scan []byte) (string, error) {
	rel := filepath.Join("scans", sum[:2], sum)
	abs := filepath.Join(s.dataDir, rel)
	if _, err := os.Stat(abs); err == nil {
		return rel, nil
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), ".scan-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(scan); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), abs); err != nil {
		return "", err
	}
	return rel, nil
}

// ScanFile returns the absolute path of a result's scan.
func (s *Store) ScanFile(res *Result) string {
	if res.ScanPath == "" {
		return ""
	}
	return filepath.Join(s.dataDir, res.ScanPath)
}

// Get returns the stored result with the given id.
func (s *Store) Get(ctx context.Context, id string) (*Result, error) {
	res := &Result{}
	var sealed []byte
	var scanPath, kiosk *string
	err := s.db.QueryRow(ctx, `
		SELECT id::text, kind, warnings, duration_ms, scan_path, kiosk_session_id, created_at, sealed
		FROM ocr_results WHERE id = $1::uuid`, id,
	).Scan(&res.ID, &res.Kind, &res.Warnings, &res.DurationMS, &scanPath, &kiosk, &res.CreatedAt, &sealed)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.Is(err, pgx.ErrNoRows) || (errors.As(err, &pgErr) && pgErr.Code == "22P02") { // not a uuid
			return nil, errResultNotFound
		}
		return nil, fmt.Errorf("get OCR result: %w", err)
	}
	if scanPath != nil {
		res.ScanPath = *scanPath
	}
	if kiosk != nil {
		res.KioskSessionID = *kiosk
	}
	all, err := s.sealer.Open(sealed, sealContext(res.ID, res.KioskSessionID))
	if err != nil {
		return nil, fmt.Errorf("OCR result %s: %w", res.ID, err)
	}
	var r readings
	if err := json.Unmarshal([]byte(all), &r); err != nil {
		return nil, err
	}
	res.Fields, res.Text, res.Lines = r.Fields, r.Text, r.Lines
	return res, nil
}

// SealPlain seals the readings of results stored in the clear before
// migration 01051 and empties their plain columns, in short batches; it
// is part of migration 01901 (app.SealPlain), after which 01902 drops the
// plain columns.
func SealPlain(ctx context.Context, pool *pgxpool.Pool, sealer *seal.Sealer) (int, error) {
	n, err := sealer.SealPlain(ctx, pool, seal.Plain{
		Select: `
			SELECT id::text, coalesce(kiosk_session_id, ''), json_build_object('fields', fields, 'text', text, 'lines', lines)::text
			FROM ocr_results WHERE sealed IS NULL ORDER BY id LIMIT 200 FOR UPDATE SKIP LOCKED`,
		Update: `UPDATE ocr_results SET sealed = $3, fields = '{}', text = '', lines = '[]'
			WHERE id = $1::uuid AND coalesce(kiosk_session_id, '') = $2`,
		Seal: func(s *seal.Sealer, id, visit, all string) ([]byte, error) {
			return s.Seal(all, sealContext(id, visit)), nil
		},
	})
	if err != nil {
		return n, fmt.Errorf("seal OCR results: %w", err)
	}
	return n, nil
}

// EraseKioskSession deletes the results of a kiosk session in tx and
// returns the scan files no other result uses, for the caller to remove
// once tx has committed (the kiosk package's Eraser).
func (s *Store) EraseKioskSession(ctx context.Context, tx pgx.Tx, kioskSessionID string) ([]string, error) {
	return s.erase(ctx, tx, `kiosk_session_id = $1`, kioskSessionID)
}

// PurgeUnbound deletes the results bound to no visit (an evaluator's, or
// one kept before results were bound to visits) older than age, with
// their scan files.
func (s *Store) PurgeUnbound(ctx context.Context, age time.Duration) error {
	var files []string
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) (err error) {
		files, err = s.erase(ctx, tx, `kiosk_session_id IS NULL AND created_at < now() - make_interval(secs => $1)`, age.Seconds())
		return err
	})
	for _, f := range files {
		os.Remove(f)
	}
	return err
}

// PurgeJob is the hourly sweep of results bound to no visit, a day old.
func (s *Store) PurgeJob() jobs.Sweep {
	return jobs.Sweep{Name: "ocr-purge-unbound", Every: time.Hour, Run: func(ctx context.Context) error {
		return s.PurgeUnbound(ctx, 24*time.Hour)
	}}
}

// erase deletes in tx the results where cond holds (with arg as $1) and
// returns the scan files no remaining result uses.
func (s *Store) erase(ctx context.Context, tx pgx.Tx, cond string, arg any) ([]string, error) {
	rows, err := tx.Query(ctx, `
		WITH gone AS (
			DELETE FROM ocr_results WHERE `+cond+` RETURNING id, scan_path
		)
		SELECT DISTINCT g.scan_path FROM gone g
		WHERE g.scan_path IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM ocr_results o WHERE o.scan_path = g.scan_path AND o.id NOT IN (SELECT id FROM gone))`,
		arg)
	if err != nil {
		return nil, fmt.Errorf("erase OCR results: %w", err)
	}
	paths, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("erase OCR results: %w", err)
	}
	files := make([]string, len(paths))
	for i, p := range paths {
		files[i] = filepath.Join(s.dataDir, p)
	}
	return files, nil
}

// SealedColumns name the OCR results' sealed column and its context, for
// station rekey.
func SealedColumns() []seal.Column {
	return []seal.Column{{Table: "ocr_results", Column: "sealed", Keys: []string{"id::text", "coalesce(kiosk_session_id, '')"},
		Context: func(k []string) string { return sealContext(k[0], k[1]) }}}
}
