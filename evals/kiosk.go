package evals

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"

	"github.com/citizenstation/citizenstation/assistant/flows"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/kiosk"
	"github.com/citizenstation/citizenstation/kiosk/payments"
	"github.com/citizenstation/citizenstation/kiosk/reports"
	"github.com/citizenstation/citizenstation/procedures"
	"github.com/citizenstation/citizenstation/procedures/dossiers"
)

// WithKioskServices gives the in-process assistant the real kiosk services,
// so the flow suites play as at a station: a station in the sample ward Sài
// Gòn, the demo biller and payments (orders are made, nothing is paid),
// dossiers sealed under a key made for the run, and the report routing.
// It writes stations, orders, dossiers and reports into in.Pool: give it a
// scratch database, never the service's own, or duty officers would see the
// suites' reports.
func (in *InProcess) WithKioskServices(ctx context.Context, dataDir string) error {
	catalogue, ok := in.Catalogue.(*procedures.Catalogue)
	if !ok {
		return fmt.Errorf("kiosk services need the PostgreSQL catalogue")
	}
	quiet := slog.New(slog.DiscardHandler)
	stations := kiosk.NewService(in.Pool, kiosk.DefaultConfig(), quiet)
	lat, lng := 10.778, 106.707
	st, _, err := stations.AddStation(ctx, audit.Actor{Role: "eval"}, kiosk.NewStation{Name: "Trạm đánh giá", WardCode: "26734", Latitude: &lat, Longitude: &lng})
	if err != nil {
		return fmt.Errorf("eval station: %w", err)
	}
	in.StationID = st.ID

	key := make([]byte, 32)
	rand.Read(key)
	dcfg := dossiers.DefaultConfig()
	dcfg.DataKey, dcfg.DataDir = base64.StdEncoding.EncodeToString(key), dataDir
	dossierSvc, err := dossiers.NewService(ctx, in.Pool, catalogue, dcfg)
	if err != nil {
		return err
	}
	pcfg := payments.DefaultConfig()
	pcfg.VietQRBIN, pcfg.VietQRAccount = "970403", "0011012345678"
	demo, err := payments.NewDemoBiller("")
	if err != nil {
		return err
	}
	fees := payments.DossierFees{Dossiers: dossierSvc}
	pay := payments.NewService(in.Pool, pcfg, quiet, fees, demo)

	if _, err := reports.ImportWards(ctx, in.Pool, reports.SampleWards); err != nil {
		return err
	}
	rules, err := reports.ShippedRules()
	if err != nil {
		return err
	}
	rcfg := reports.DefaultConfig()
	// One station sends every suite's reports.
	rcfg.RatePerDevice, rcfg.RatePerPhone, rcfg.RatePerStation, rcfg.RatePerAddress = 1000, 1000, 1000, 1000
	rep := reports.NewService(in.Pool, rcfg, rules, reports.KioskStations{Kiosk: stations})

	in.Dossiers = flows.Dossiers{Dossiers: dossierSvc, Stations: stations}
	in.Services = flows.Services(flows.Parts{Pool: in.Pool, Payments: pay, Fees: fees, Reports: rep, Dossiers: dossierSvc, Kiosk: stations})
	return nil
}
