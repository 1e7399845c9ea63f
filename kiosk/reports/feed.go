package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/live"
)

// FeedChannel is the PostgreSQL NOTIFY channel of the live feed.
const FeedChannel = "reports_feed"

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
	b.Queue(`SELECT pg_notify($1, $2)`, FeedChannel, string(payload))
}

// Hub fans the feed out to this replica's live clients. It reads the feed
// through the replica's one listening connection (internal/live), however
// many clients it serves; events come through PostgreSQL, so a client sees
// reports stored by any replica.
type Hub struct {
	live *live.Listener
	sub  *live.Subscription
	log  *slog.Logger

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

// Subscription receives the events an officer may see. C is closed when
// the replica shuts down.
type Subscription struct {
	officer Officer
	C       chan FeedEvent
	// Lost is set when the client was too slow and events were dropped; it
	// should reload its list.
	lost bool
}

// NewHub returns a hub reading the feed from l, which must listen on
// FeedChannel; call Run to start handing events out.
func NewHub(l *live.Listener, log *slog.Logger) (*Hub, error) {
	if log == nil {
		log = slog.Default()
	}
	sub, err := l.Subscribe(FeedChannel)
	if err != nil {
		return nil, err
	}
	return &Hub{live: l, sub: sub, log: log, subs: map[*Subscription]struct{}{}}, nil
}

// Ready is closed once the hub listens.
func (h *Hub) Ready() <-chan struct{} { return h.live.Ready() }

// Check is the hub's readiness check: it passes once the hub listens.
func (h *Hub) Check(ctx context.Context) error {
	if err := h.live.Check(ctx); err != nil {
		return fmt.Errorf("reports feed: %w", err)
	}
	return nil
}

// Subscribe registers a client of officer o.
func (h *Hub) Subscribe(o Officer) *Subscription {
	s := &Subscription{officer: o, C: make(chan FeedEvent, 256)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.C)
		return s
	}
	h.subs[s] = struct{}{}
	return s
}

// Unsubscribe removes a client.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.C)
	}
}

// Run hands the feed's events to the clients until ctx ends or the
// listener stops; then every client's stream ends. After the listener
// reconnected, or when the hub itself fell behind, every client is told to
// resync, since events may have been missed.
func (h *Hub) Run(ctx context.Context) error {
	defer h.closeAll()
	defer h.sub.Close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n, ok := <-h.sub.C:
			if !ok {
				return nil
			}
			if n.Resync || h.sub.Lost() {
				h.broadcast(FeedEvent{Action: "resync", At: time.Now()})
			}
			if n.Resync {
				continue
			}
			var ev FeedEvent
			if err := json.Unmarshal([]byte(n.Payload), &ev); err != nil {
				h.log.Error("reports feed: bad payload", "err", err)
				continue
			}
			h.broadcast(ev)
		}
	}
}

// closeAll ends every client's stream.
func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		close(s.C)
	}
	h.subs = map[*Subscription]struct{}{}
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
