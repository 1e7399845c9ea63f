package places

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Directions from the station: how far, which way, and how long on foot or
// by car, in the visitor's language, with a map link (and its QR code) that
// opens the route from the station on the visitor's phone.

const (
	earthRadiusM   = 6371000
	walkMPerMinute = 75  // an unhurried walk in the heat, 4.5 km/h
	rideMPerMinute = 300 // a taxi in city traffic, 18 km/h
	walkUpToM      = 2000
	tourFromM      = 25000
)

// distance is the great-circle distance in metres.
func distance(lat1, lng1, lat2, lng2 float64) float64 {
	φ1, φ2 := lat1*math.Pi/180, lat2*math.Pi/180
	dφ, dλ := φ2-φ1, (lng2-lng1)*math.Pi/180
	a := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * earthRadiusM * math.Asin(math.Sqrt(a))
}

// bearing is the initial compass bearing in degrees from the first point.
func bearing(lat1, lng1, lat2, lng2 float64) float64 {
	φ1, φ2 := lat1*math.Pi/180, lat2*math.Pi/180
	dλ := (lng2 - lng1) * math.Pi / 180
	y := math.Sin(dλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(dλ)
	return math.Mod(math.Atan2(y, x)*180/math.Pi+360, 360)
}

var compass = map[string][8]string{
	"vi": {"Bắc", "Đông Bắc", "Đông", "Đông Nam", "Nam", "Tây Nam", "Tây", "Tây Bắc"},
	"en": {"north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"},
}

func direction(deg float64, lang string) string {
	return compass[lang][int(math.Round(deg/45))%8]
}

// formatKm writes a distance the way each language does: "1,2 km", "1.2 km",
// "350 m".
func formatKm(m float64, lang string) string {
	if m < 1000 {
		return strconv.Itoa(int(math.Round(m/10)*10)) + " m"
	}
	s := strconv.FormatFloat(math.Round(m/100)/10, 'f', -1, 64) + " km"
	if lang == "vi" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func minutes(m, perMinute float64) int { return max(1, int(math.Round(m/perMinute))) }

// directFrom fills the result's distance, directions and map from o.
func (r *Result) directFrom(o Origin, lang string) error {
	m := distance(o.Lat, o.Lng, r.Lat, r.Lng)
	d := int(math.Round(m))
	r.DistanceM = &d
	way := direction(bearing(o.Lat, o.Lng, r.Lat, r.Lng), lang)
	mode := "walking"
	switch {
	case m < 50 && lang == "en":
		r.Directions = "Right here, beside this station."
	case m < 50:
		r.Directions = "Ngay cạnh trạm này."
	case m <= walkUpToM && lang == "en":
		r.Directions = fmt.Sprintf("About %s %s of this station: about %d minutes on foot.", formatKm(m, lang), way, minutes(m, walkMPerMinute))
	case m <= walkUpToM:
		r.Directions = fmt.Sprintf("Cách trạm khoảng %s về hướng %s: đi bộ khoảng %d phút.", formatKm(m, lang), way, minutes(m, walkMPerMinute))
	case m < tourFromM && lang == "en":
		mode = "driving"
		r.Directions = fmt.Sprintf("About %s %s of this station: about %d minutes by taxi or ride-hailing app.", formatKm(m, lang), way, minutes(m, rideMPerMinute))
	case m < tourFromM:
		mode = "driving"
		r.Directions = fmt.Sprintf("Cách trạm khoảng %s về hướng %s: đi taxi hoặc xe công nghệ khoảng %d phút.", formatKm(m, lang), way, minutes(m, rideMPerMinute))
	case lang == "en":
		mode = "driving"
		r.Directions = fmt.Sprintf("About %s %s of this station: a day trip, best with a tour or by bus.", formatKm(m, lang), way)
	default:
		mode = "driving"
		r.Directions = fmt.Sprintf("Cách trạm khoảng %s về hướng %s: nên đi theo tour hoặc xe buýt, đi về trong ngày.", formatKm(m, lang), way)
	}
	r.MapURL = mapURL(o, r.Lat, r.Lng, mode)
	png, err := qrcode.Encode(r.MapURL, qrcode.Medium, 256)
	if err != nil {
		return fmt.Errorf("map QR: %w", err)
	}
	r.MapQR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
	return nil
}

// mapURL opens the route on the visitor's phone (the Maps URLs scheme needs
// no key and works in any browser).
func mapURL(o Origin, lat, lng float64, mode string) string {
	v := url.Values{}
	v.Set("api", "1")
	v.Set("origin", fmt.Sprintf("%.5f,%.5f", o.Lat, o.Lng))
	v.Set("destination", fmt.Sprintf("%.5f,%.5f", lat, lng))
	v.Set("travelmode", mode)
	return "https://www.google.com/maps/dir/?" + v.Encode()
}
