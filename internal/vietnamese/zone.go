package vietnamese

import "time"

// Zone is Vietnam's time: UTC+7 all year, without daylight saving. Dates a
// resident says ("hôm qua", "tuần trước") are days of this zone, and every
// page, receipt and figure counts hours and days in it. It is the one place
// the city's zone is defined; VNPay's clock (GMT+7) is this zone too.
var Zone = time.FixedZone("ICT", 7*3600)

// ZoneName is Zone for PostgreSQL (AT TIME ZONE), which knows it by name.
const ZoneName = "Asia/Ho_Chi_Minh"

// DayLayout is how Vietnamese papers write a day: 12/03/2026.
const DayLayout = "02/01/2006"

// Day writes t's day, in Zone, as papers do.
func Day(t time.Time) string { return t.In(Zone).Format(DayLayout) }

// Moment writes t, in Zone, as receipts do: "15:04 ngày 12/03/2026".
func Moment(t time.Time) string { return t.In(Zone).Format("15:04 ngày " + DayLayout) }

// ISODay writes a date kept as ISO ("2026-03-12") as papers do
// ("12/03/2026"); false for anything that is not such a date.
func ISODay(v string) (string, bool) {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return "", false
	}
	return d.Format(DayLayout), true
}
