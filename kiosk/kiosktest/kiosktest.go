// Package kiosktest gives tests of the kiosk's endpoints what a real
// station has: a registered station with its device token and open visits.
package kiosktest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/kiosk"
)

// Station is a registered station as its kiosk knows it.
type Station struct {
	ID    string
	Token string
	svc   *kiosk.Service
}

// New registers a station in ward (Phường Sài Gòn when empty) on pool.
func New(t testing.TB, pool *pgxpool.Pool, ward string) *Station {
	t.Helper()
	return Add(t, kiosk.NewService(pool, kiosk.DefaultConfig(), nil), ward)
}

// Add registers a station in ward through svc.
func Add(t testing.TB, svc *kiosk.Service, ward string) *Station {
	t.Helper()
	if ward == "" {
		ward = "26740"
	}
	st, token, err := svc.AddStation(context.Background(), audit.Actor{Username: "test", Role: "test"},
		kiosk.NewStation{Name: "Trạm thử " + t.Name(), WardCode: ward, Address: "1 Lê Lợi"})
	if err != nil {
		t.Fatal(err)
	}
	return &Station{ID: st.ID, Token: token, svc: svc}
}

// Bearer is the Authorization header's value for the station.
func (s *Station) Bearer() string { return "Bearer " + s.Token }

// Visit opens a visit (kiosk session) at the station.
func (s *Station) Visit(t testing.TB) string {
	t.Helper()
	k, err := s.svc.StartSession(context.Background(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return k.ID
}

// LegacyStations adds, as rows written before stations named only official
// units, a station in ward 99901, whose boundary was imported as «Phường
// mẫu cũ», and one in ward 99902, which no table names.
func LegacyStations(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO wards (code, name, geom) VALUES ('99901', 'Phường mẫu cũ',
		ST_Multi(ST_MakeEnvelope(106.60, 10.70, 106.61, 10.71, 4326)))`); err != nil {
		t.Fatal(err)
	}
	// The official-list check is NOT VALID: it holds for new rows only, so
	// the old rows are written past it.
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE stations DROP CONSTRAINT stations_ward_official`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO stations (name, ward_code, token_hash) VALUES
			('Trạm cũ A', '99901', sha256('a'::bytea)), ('Trạm cũ B', '99902', sha256('b'::bytea))`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER TABLE stations ADD CONSTRAINT stations_ward_official
			FOREIGN KEY (ward_code) REFERENCES admin_units (code) NOT VALID`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
