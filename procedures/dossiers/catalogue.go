package dossiers

import (
	"context"
	"sync"
	"time"

	"github.com/citizenstation/citizenstation/procedures"
)

// entryCache keeps catalogue entries for a minute. Every dossier read needs
// its procedure's form and documents; the catalogue changes only when it is
// imported again, so a minute's delay is harmless and saves a query and a
// JSON decode per request. Entries are shared: callers must not modify them.
type entryCache struct {
	catalogue Catalogue
	ttl       time.Duration

	mu      sync.Mutex
	entries map[string]cachedEntry
}

type cachedEntry struct {
	entry   *procedures.Entry
	fetched time.Time
}

func newEntryCache(c Catalogue, ttl time.Duration) *entryCache {
	return &entryCache{catalogue: c, ttl: ttl, entries: map[string]cachedEntry{}}
}

func (c *entryCache) Get(ctx context.Context, slug string) (*procedures.Entry, error) {
	c.mu.Lock()
	ce, ok := c.entries[slug]
	c.mu.Unlock()
	if ok && time.Since(ce.fetched) < c.ttl {
		return ce.entry, nil
	}
	e, err := c.catalogue.Get(ctx, slug)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.entries[slug] = cachedEntry{entry: e, fetched: time.Now()}
	c.mu.Unlock()
	return e, nil
}
