package httpserver

import (
	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

const stationKey = "httpserver.station"

// SetStation records the station a request was authenticated as (by its
// device token); only the device middleware calls it.
func SetStation(c *gin.Context, id string) { c.Set(stationKey, id) }

// StationOf returns the station the request was authenticated as, or ""
// for a caller that is no station (an evaluator). Handlers take the
// station from here, never from a body or a query.
func StationOf(c *gin.Context) string { return c.GetString(stationKey) }

// ErrNotStation answers a caller that is no station the service knows:
// no device token, or a wrong, rotated-out or revoked one.
var ErrNotStation = apperr.New(apperr.Unauthorized, "device_token_invalid", "Thiết bị chưa được xác thực. Vui lòng liên hệ quản trị viên.")

// RefuseStations is the station guard of a part built without the
// stations' registry: it refuses every caller with ErrNotStation.
func RefuseStations(c *gin.Context) { Error(c, ErrNotStation) }
