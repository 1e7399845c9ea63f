// Package kiosktest gives tests of the kiosk's endpoints what a real
// station has: a registered station with its device token and open visits.
package kiosktest

import (
	"context"
	"testing"

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
