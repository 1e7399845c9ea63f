package ocr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// Store keeps results in PostgreSQL (table ocr_results) and scans as files
// under the data directory, named by their SHA-256 so that a scan sent twice
// is stored once.
type Store struct {
	db      *pgxpool.Pool
	dataDir string
}

// NewStore returns a store on db that keeps scans under dataDir/scans.
func NewStore(db *pgxpool.Pool, dataDir string) *Store {
	return &Store{db: db, dataDir: dataDir}
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
	fields, err := json.Marshal(res.Fields)
	if err != nil {
		return err
	}
	if res.Lines == nil {
		res.Lines = []Line{}
	}
	lines, err := json.Marshal(res.Lines)
	if err != nil {
		return err
	}
	err = s.db.QueryRow(ctx, `
		INSERT INTO ocr_results (kind, fields, text, lines, warnings, duration_ms, scan_path, scan_sha256, kiosk_session_id)
		VALUES ($1, $2, $3, $4, COALESCE($5::text[], '{}'), $6, NULLIF($7, ''), NULLIF($8, ''), NULLIF($9, ''))
		RETURNING id::text, created_at`,
		res.Kind, fields, res.Text, lines, res.Warnings, res.DurationMS, res.ScanPath, sum, res.KioskSessionID,
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
	var fields, lines []byte
	var scanPath, kiosk *string
	err := s.db.QueryRow(ctx, `
		SELECT id::text, kind, fields, text, lines, warnings, duration_ms, scan_path, kiosk_session_id, created_at
		FROM ocr_results WHERE id = $1::uuid`, id,
	).Scan(&res.ID, &res.Kind, &fields, &res.Text, &lines, &res.Warnings, &res.DurationMS, &scanPath, &kiosk, &res.CreatedAt)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.Is(err, pgx.ErrNoRows) || (errors.As(err, &pgErr) && pgErr.Code == "22P02") { // not a uuid
			return nil, errResultNotFound
		}
		return nil, fmt.Errorf("get OCR result: %w", err)
	}
	if err := json.Unmarshal(fields, &res.Fields); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(lines, &res.Lines); err != nil {
		return nil, err
	}
	if scanPath != nil {
		res.ScanPath = *scanPath
	}
	if kiosk != nil {
		res.KioskSessionID = *kiosk
	}
	return res, nil
}

// EraseKioskSession deletes the results of a kiosk session in tx and
// returns the scan files no other result uses, for the caller to remove
// once tx has committed (the kiosk package's Eraser).
func (s *Store) EraseKioskSession(ctx context.Context, tx pgx.Tx, kioskSessionID string) ([]string, error) {
	rows, err := tx.Query(ctx, `
		WITH gone AS (
			DELETE FROM ocr_results WHERE kiosk_session_id = $1 RETURNING scan_path
		)
		SELECT DISTINCT g.scan_path FROM gone g
		WHERE g.scan_path IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM ocr_results o WHERE o.scan_path = g.scan_path AND o.kiosk_session_id IS DISTINCT FROM $1)`,
		kioskSessionID)
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
