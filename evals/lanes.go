package evals

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/assistant"
	"github.com/citizenstation/citizenstation/internal/app"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/reports"
)

// A Lane is one scratch database with the service's parts wired on it, as
// station serve wires them. An attempt holds a lane from its first turn to
// its end; then the lane is put back as it was when the run began, so no
// attempt sees the orders, dossiers, reports or sessions of another and
// repeats of a case are honest samples.
type Lane struct {
	// Deps are the guide's parts on this lane's database, without a model.
	Deps assistant.Deps
	// StationID is the station the lane's conversations start at.
	StationID string
	// Recognise reads a fixture image into this lane's OCR store and returns
	// the result's id; nil when OCR is not available.
	Recognise func(ctx context.Context, path string) (string, error)

	pool     *pgxpool.Pool
	reset    string // the statements that empty what attempts write
	truncate string // the same for an owner who is not a superuser
}

// LaneConfig is the configuration of a lane's parts: base with payments to
// a test account (orders are made, nothing is paid), dossiers sealed under
// a key made for the run, and report limits one station cannot reach.
func LaneConfig(base app.Config, dataDir string) app.Config {
	cfg := base
	cfg.DataDir = dataDir
	key := make([]byte, 32)
	rand.Read(key)
	cfg.Keys = seal.Config{DataKey: base64.StdEncoding.EncodeToString(key)}
	if cfg.Payments.VietQRBIN == "" {
		cfg.Payments.VietQRBIN, cfg.Payments.VietQRAccount = "970403", "0011012345678"
	}
	// One station sends every suite's reports.
	cfg.Reports.RatePerDevice, cfg.Reports.RatePerPhone, cfg.Reports.RatePerStation, cfg.Reports.RatePerAddress = 1000, 1000, 1000, 1000
	return cfg
}

// PrepareScratch readies a scratch database holding a catalogue for the
// suites: the sample wards for report routing, and a station in the ward
// Sài Gòn that the conversations start at. It returns the station's id.
func PrepareScratch(ctx context.Context, pool *pgxpool.Pool, stations *kiosk.Service) (string, error) {
	if _, err := reports.ImportWards(ctx, pool, reports.SampleWards); err != nil {
		return "", fmt.Errorf("sample wards: %w", err)
	}
	lat, lng := 10.778, 106.707
	st, _, err := stations.AddStation(ctx, audit.Actor{Role: "eval"}, kiosk.NewStation{Name: "Trạm đánh giá", WardCode: "26740", Latitude: &lat, Longitude: &lng})
	if err != nil {
		return "", fmt.Errorf("eval station: %w", err)
	}
	return st.ID, nil
}

// NewLane makes a lane of parts wired on pool. Every table empty now is
// emptied again after each attempt; the catalogue, wards and station,
// written before, stay.
func NewLane(ctx context.Context, parts *app.Parts, stationID string) (*Lane, error) {
	pool := parts.Assistant.Pool
	rows, err := pool.Query(ctx, `
		SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`)
	if err != nil {
		return nil, fmt.Errorf("lane tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("lane tables: %w", err)
	}
	var empty []string
	for _, t := range tables {
		var any bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&any); err != nil {
			return nil, fmt.Errorf("lane table %s: %w", t, err)
		}
		if !any {
			empty = append(empty, t)
		}
	}
	l := &Lane{Deps: parts.Assistant, StationID: stationID, pool: pool}
	if len(empty) > 0 {
		// DELETE with triggers and foreign-key checks off (the lanes'
		// owner is the scratch databases' creator): much quicker than
		// TRUNCATE on small tables, and it passes the append-only audit
		// trigger without any order among foreign keys.
		var b strings.Builder
		b.WriteString("BEGIN; SET LOCAL session_replication_role = replica;")
		for _, t := range empty {
			b.WriteString(" DELETE FROM " + t + ";")
		}
		b.WriteString(" COMMIT;")
		l.reset = b.String()
		l.truncate = "TRUNCATE " + strings.Join(empty, ", ") + " RESTART IDENTITY CASCADE"
	}
	return l, nil
}

// Reset empties what the last attempt wrote.
func (l *Lane) Reset(ctx context.Context) error {
	if l.reset == "" {
		return nil
	}
	_, err := l.pool.Exec(ctx, l.reset)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "42501" {
		_, err = l.pool.Exec(ctx, l.truncate)
	}
	if err != nil {
		return fmt.Errorf("reset lane: %w", err)
	}
	return nil
}
