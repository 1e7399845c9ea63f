package vietnamese

import "time"

// Zone is Vietnam's time: UTC+7 all year, without daylight saving. Dates a
// resident says ("hôm qua", "tuần trước") are days of this zone.
var Zone = time.FixedZone("ICT", 7*3600)
