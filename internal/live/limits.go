package live

import (
	"sync"
	"time"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// Limits caps the streams open on this replica per station and per client
// address, so that no one caller holds the replica's streams. The counts
// are of this replica's own open connections, which no other replica
// needs.
type Limits struct {
	PerStation int
	PerAddress int

	mu   sync.Mutex
	open map[string]int
}

// Default caps: a kiosk shows one payment at a time (a few for reloads);
// an address may be a ward office's NAT in front of its consoles.
const (
	DefaultPerStation = 4
	DefaultPerAddress = 32
)

// NewLimits returns caps of perStation streams per station and perAddress
// per client address; 0 means the default.
func NewLimits(perStation, perAddress int) *Limits {
	if perStation <= 0 {
		perStation = DefaultPerStation
	}
	if perAddress <= 0 {
		perAddress = DefaultPerAddress
	}
	return &Limits{PerStation: perStation, PerAddress: perAddress, open: map[string]int{}}
}

var errTooManyStreams = &apperr.Error{Kind: apperr.RateLimited, Code: "too_many_streams",
	Message: "Thiết bị này đang mở quá nhiều kết nối theo dõi. Xin đóng bớt trang rồi thử lại.", RetryAfter: 30 * time.Second}

// Open counts one stream of station ("" for none) from addr, or refuses it
// when either is at its cap; release gives it back when the stream ends.
func (l *Limits) Open(station, addr string) (release func(), err error) {
	keys := []string{"addr:" + addr}
	caps := []int{l.PerAddress}
	if station != "" {
		keys, caps = append(keys, "station:"+station), append(caps, l.PerStation)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, k := range keys {
		if l.open[k] >= caps[i] {
			return nil, errTooManyStreams
		}
	}
	for _, k := range keys {
		l.open[k]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			for _, k := range keys {
				if l.open[k]--; l.open[k] <= 0 {
					delete(l.open, k)
				}
			}
		})
	}, nil
}
