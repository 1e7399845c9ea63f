// Package live carries PostgreSQL notifications to this replica's live
// streams (the payment a kiosk waits on, the duty console's feed, the staff
// queue, station status). A replica holds one listening connection, taken
// out of the pool for good, however many streams it serves: a stream costs
// a goroutine and a small buffer, never a pooled connection. Notifications
// come through PostgreSQL, so a stream sees what any replica committed.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Notification is one NOTIFY on a channel. Resync is set instead of a
// payload after the listener reconnected: notifications may have been
// missed meanwhile, so a subscriber reads the state again.
type Notification struct {
	Channel string
	Payload string
	Resync  bool
}

// Listener listens on a fixed set of channels and fans each notification
// out to the subscribers of its channel.
type Listener struct {
	pool     *pgxpool.Pool
	log      *slog.Logger
	channels []string

	mu     sync.Mutex
	subs   map[string]map[*Subscription]struct{}
	closed bool

	ready     chan struct{}
	readyOnce sync.Once
}

// Subscription receives a channel's notifications on C. C is closed when
// the listener stops (the replica is shutting down): a stream ends then.
type Subscription struct {
	C  <-chan Notification
	c  chan Notification
	l  *Listener
	ch string
	// lost is set when the subscriber was too slow and notifications were
	// dropped; Lost reports it once.
	lost bool
}

// BufferSize is how many notifications a subscriber may fall behind
// before they are dropped (and Lost says so).
const BufferSize = 64

// New returns a listener for channels; call Run to start listening.
func New(pool *pgxpool.Pool, log *slog.Logger, channels ...string) *Listener {
	if log == nil {
		log = slog.Default()
	}
	return &Listener{pool: pool, log: log, channels: channels,
		subs: map[string]map[*Subscription]struct{}{}, ready: make(chan struct{})}
}

// ErrClosed is returned by Subscribe once the listener stopped.
var ErrClosed = errors.New("live: the listener has stopped")

// Subscribe registers a subscriber of channel, which must be one the
// listener was made for.
func (l *Listener) Subscribe(channel string) (*Subscription, error) {
	known := false
	for _, c := range l.channels {
		known = known || c == channel
	}
	if !known {
		return nil, fmt.Errorf("live: not listening on %q", channel)
	}
	c := make(chan Notification, BufferSize)
	s := &Subscription{C: c, c: c, l: l, ch: channel}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, ErrClosed
	}
	if l.subs[channel] == nil {
		l.subs[channel] = map[*Subscription]struct{}{}
	}
	l.subs[channel][s] = struct{}{}
	return s, nil
}

// Close ends the subscription; it is safe to call more than once and
// after the listener stopped.
func (s *Subscription) Close() {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if _, ok := s.l.subs[s.ch][s]; ok {
		delete(s.l.subs[s.ch], s)
		close(s.c)
	}
}

// Lost reports, once, that notifications were dropped for s.
func (s *Subscription) Lost() bool {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	lost := s.lost
	s.lost = false
	return lost
}

// Subscribers is the number of open subscriptions, for tests and metrics.
func (l *Listener) Subscribers() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.subs {
		n += len(m)
	}
	return n
}

// Ready is closed once the listener listens.
func (l *Listener) Ready() <-chan struct{} { return l.ready }

// Check is the readiness check: it passes once the listener listens.
func (l *Listener) Check(context.Context) error {
	select {
	case <-l.ready:
		return nil
	default:
		return errors.New("live: not listening yet")
	}
}

// Run listens until ctx ends, reconnecting after failures with a backoff;
// after a reconnection every subscriber gets a Resync. When ctx ends every
// subscription is closed, so the streams end before the server drains.
func (l *Listener) Run(ctx context.Context) error {
	defer l.stop()
	backoff := 100 * time.Millisecond
	for first := true; ; first = false {
		err := l.listen(ctx, !first)
		if ctx.Err() != nil {
			return nil
		}
		l.log.Warn("live: listener lost, reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (l *Listener) listen(ctx context.Context, resync bool) error {
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection leaves the pool for good: it only listens.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx))
	for _, ch := range l.channels {
		if _, err := pc.Exec(ctx, `LISTEN "`+ch+`"`); err != nil {
			return err
		}
	}
	l.readyOnce.Do(func() { close(l.ready) })
	if resync {
		for _, ch := range l.channels {
			l.deliver(Notification{Channel: ch, Resync: true})
		}
	}
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		l.deliver(Notification{Channel: n.Channel, Payload: n.Payload})
	}
}

// deliver hands n to every subscriber of its channel without ever waiting
// for a slow one.
func (l *Listener) deliver(n Notification) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.subs[n.Channel] {
		select {
		case s.c <- n:
		default:
			s.lost = true
		}
	}
}

// stop closes every subscription and refuses new ones.
func (l *Listener) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for _, m := range l.subs {
		for s := range m {
			close(s.c)
		}
	}
	l.subs = map[string]map[*Subscription]struct{}{}
}
