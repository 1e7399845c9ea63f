package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// feedChannel is the PostgreSQL NOTIFY channel of the live feed.
const feedChannel = "reports_feed"

// FeedEvent is one line of the live feed: a report arrived or moved. It
// carries no description, contact or notes; officers fetch the report.
type FeedEvent struct {
	ReportID    string    `json:"report_id"`
	Code        string    `json:"code"`
	Action      string    `json:"action"` // received, transition, note, spam, resync
	Ward        string    `json:"ward,omitempty"`
	FromWard    string    `json:"from_ward,omitempty"` // the ward a transfer left
	Category    string    `json:"category,omitempty"`
	Urgency     Urgency   `json:"urgency,omitempty"`
	Status      Status    `json:"status,omitempty"`
	DuplicateOf string    `json:"duplicate_of,omitempty"`
	At          time.Time `json:"at"`
}

// notify queues ev on the feed; PostgreSQL delivers it when tx commits, so
// the feed never announces a report that was not stored.
func notify(ctx context.Context, tx pgx.Tx, ev FeedEvent) error {
	b := &pgx.Batch{}
	queueNotify(b, ev)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("notify feed: %w", err)
	}
	return nil
}

// queueNotify adds the notification of ev to a batch sent in a transaction.
func queueNotify(b *pgx.Batch, ev FeedEvent) {
	payload, _ := json.Marshal(ev) // plain strings and times: cannot fail
	b.Queue(`SELECT pg_notify($1, $2)`, feedChannel, string(payload))
}

// Hub fans the feed out to this replica's live clients. Each replica holds
// one listening connection, however many clients it serves; events come
// through PostgreSQL, so a client sees reports stored by any replica.
type Hub struct {
	pool *pgxpool.Pool
	log  *slog.Logger

	mu   sync.Mutex
	subs map[*Subscription]struct{}
	// ready is closed once the first LISTEN is in place.
	ready     chan struct{}
	readyOnce sync.Once
}

// Subscription receives the events an officer may see.
type Subscription struct {
	officer Officer
	C       chan FeedEvent
	// Lost is set when the client was too slow and events were dropped; it
	// should reload its list.
	lost bool
}

// NewHub returns a hub; call Run to start listening.
func NewHub(pool *pgxpool.Pool, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.Default()
	}
	return &Hub{pool: pool, log: log, subs: map[*Subscription]struct{}{}, ready: make(chan struct{})}
}

// Ready is closed once the hub listens.
func (h *Hub) Ready() <-chan struct{} { return h.ready }

// Check is the hub's readiness check: it passes once the hub listens.
func (h *Hub) Check(context.Context) error {
	select {
	case <-h.ready:
		return nil
	default:
		return fmt.Errorf("reports feed: not listening yet")
	}
}

// Subscribe registers a client of officer o.
func (h *Hub) Subscribe(o Officer) *Subscription {
	s := &Subscription{officer: o, C: make(chan FeedEvent, 256)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Unsubscribe removes a client.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// Run listens until ctx ends, reconnecting after failures. After a
// reconnection every client is told to resync, since events may have been
// missed meanwhile.
func (h *Hub) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for first := true; ; first = false {
		err := h.listen(ctx, !first)
		if ctx.Err() != nil {
			return nil
		}
		h.log.Warn("reports feed: listener lost, reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (h *Hub) listen(ctx context.Context, resync bool) error {
	conn, err := h.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection is taken out of the pool for good: it only listens.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx))
	if _, err := pc.Exec(ctx, "LISTEN "+feedChannel); err != nil {
		return err
	}
	h.readyOnce.Do(func() { close(h.ready) })
	if resync {
		h.broadcast(FeedEvent{Action: "resync", At: time.Now()})
	}
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var ev FeedEvent
		if err := json.Unmarshal([]byte(n.Payload), &ev); err != nil {
			h.log.Error("reports feed: bad payload", "err", err)
			continue
		}
		h.broadcast(ev)
	}
}

// broadcast hands ev to every client that may see it, without ever waiting
// for a slow one.
func (h *Hub) broadcast(ev FeedEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if ev.Action != "resync" && !s.officer.Sees(ev.Ward) && !(ev.FromWard != "" && s.officer.Sees(ev.FromWard)) {
			continue
		}
		select {
		case s.C <- ev:
		default:
			s.lost = true
		}
	}
}

// takeLost reports, once, that events were dropped for s.
func (h *Hub) takeLost(s *Subscription) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	lost := s.lost
	s.lost = false
	return lost
}
