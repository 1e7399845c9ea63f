package httpserver

import "github.com/gin-gonic/gin"

const stationKey = "httpserver.station"

// SetStation records the station a request was authenticated as (by its
// device token); only the device middleware calls it.
func SetStation(c *gin.Context, id string) { c.Set(stationKey, id) }

// StationOf returns the station the request was authenticated as, or ""
// for a caller that is no station (an evaluator). Handlers take the
// station from here, never from a body or a query.
func StationOf(c *gin.Context) string { return c.GetString(stationKey) }
