package reports

import (
	"context"

	"github.com/citizenstation/citizenstation/kiosk"
)

// KioskStations gives reports what they need of the kiosk's stations: the
// ward a station serves and where it stands.
type KioskStations struct{ Kiosk *kiosk.Service }

// Station returns station id's ward and position.
func (k KioskStations) Station(ctx context.Context, id string) (Station, error) {
	st, err := k.Kiosk.Station(ctx, id)
	if err != nil {
		return Station{}, err
	}
	return Station{ID: st.ID, WardCode: st.WardCode, Lat: st.Latitude, Lng: st.Longitude}, nil
}

// Devices authenticates a kiosk by its device token, so that a report
// names its station only when it really comes from there.
type Devices interface {
	Authenticate(ctx context.Context, token string) (*kiosk.Device, error)
}
