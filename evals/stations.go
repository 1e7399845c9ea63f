package evals

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/kiosk"
)

// TestStations make and retire the stations that runs over --url play at,
// so that the flow suites file, pay and report as at a real station. The
// kiosk service is one.
type TestStations interface {
	AddStation(ctx context.Context, by audit.Actor, n kiosk.NewStation) (*kiosk.Station, string, error)
	Station(ctx context.Context, id string) (*kiosk.Station, error)
	Revoke(ctx context.Context, by audit.Actor, id string) error
}

// VisitOrders lets go of what a test visit left pending (the payments
// service), so the next attempt of a case can pay the same bill.
type VisitOrders interface {
	ExpireVisitOrders(ctx context.Context, stationID, visitID string) (int, error)
}

// testStationName marks the stations evaluators' runs make; only those
// can be retired or have their visits' orders let go through the API.
const testStationName = "Trạm đánh giá (thử nghiệm)"

var evalActor = audit.Actor{Role: "eval"}

// TestStation is what POST /api/v1/evals/stations answers: the station a
// run plays at and its device token.
type TestStation struct {
	ID       string `json:"id"`
	WardCode string `json:"ward_code"`
	Token    string `json:"token"`
}

func (h *Handler) addStation(c *gin.Context) {
	var req struct {
		WardCode string `json:"ward_code"`
	}
	if !httpserver.BindOptionalJSON(c, &req) {
		return
	}
	ward := strings.TrimSpace(req.WardCode)
	if ward == "" {
		var err error
		if ward, err = h.Store.AnyWard(c); err != nil {
			httpserver.Error(c, err)
			return
		}
	}
	st, token, err := h.Stations.AddStation(c, evalActor, kiosk.NewStation{Name: testStationName, WardCode: ward})
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, TestStation{ID: st.ID, WardCode: st.WardCode, Token: token})
}

// testStation returns the station of the request's :id when it is a
// test station, or answers 404.
func (h *Handler) testStation(c *gin.Context) (*kiosk.Station, bool) {
	st, err := h.Stations.Station(c, c.Param("id"))
	if err == nil && st.Name != testStationName {
		err = apperr.New(apperr.NotFound, "test_station_not_found", "Không có trạm thử nghiệm này.")
	}
	if err != nil {
		httpserver.Error(c, err)
		return nil, false
	}
	return st, true
}

func (h *Handler) retireStation(c *gin.Context) {
	st, ok := h.testStation(c)
	if !ok {
		return
	}
	if err := h.Stations.Revoke(c, evalActor, st.ID); err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) endVisit(c *gin.Context) {
	st, ok := h.testStation(c)
	if !ok {
		return
	}
	n, err := h.Orders.ExpireVisitOrders(c, st.ID, c.Param("visit"))
	httpserver.Reply(c, http.StatusOK, gin.H{"expired_orders": n}, err)
}

// AnyWard returns a ward the service knows, for a test station.
func (s *Store) AnyWard(ctx context.Context) (string, error) {
	var code string
	err := s.pool.QueryRow(ctx, `SELECT code FROM wards ORDER BY code LIMIT 1`).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", apperr.New(apperr.Invalid, "no_wards", "Chưa có phường/xã nào: hãy nạp danh sách phường trước (station import wards).")
	}
	if err != nil {
		return "", fmt.Errorf("a ward for the test station: %w", err)
	}
	return code, nil
}
