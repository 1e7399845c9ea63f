package kiosk

import (
	"time"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// The age bands of the demand statistics. A visit keeps the band of the
// birth year on the card scanned during it, never the year: the figures
// count groups of residents, not people.
const (
	AgeUnder18 = "under_18"
	Age18to29  = "18_29"
	Age30to44  = "30_44"
	Age45to59  = "45_59"
	Age60to74  = "60_74"
	Age75Plus  = "75_plus"
	// Anonymous is the group of visits in which no card was scanned.
	Anonymous = "anonymous"
)

// AgeBands are the bands in order, Anonymous last.
var AgeBands = []string{AgeUnder18, Age18to29, Age30to44, Age45to59, Age60to74, Age75Plus, Anonymous}

// ElderlyAge is the age from which the Law on the Elderly counts a
// resident as elderly (người cao tuổi).
const ElderlyAge = 60

// AgeBand is the band of a resident born in birthYear, at now in Vietnam;
// "" for a year that cannot be a living resident's.
func AgeBand(birthYear int, now time.Time) string {
	age := now.In(vietnamese.Zone).Year() - birthYear
	switch {
	case birthYear < 1900 || age < 0:
		return ""
	case age < 18:
		return AgeUnder18
	case age < 30:
		return Age18to29
	case age < 45:
		return Age30to44
	case age < ElderlyAge:
		return Age45to59
	case age < 75:
		return Age60to74
	default:
		return Age75Plus
	}
}

// Elderly reports whether a band is of elderly residents.
func Elderly(band string) bool { return band == Age60to74 || band == Age75Plus }
