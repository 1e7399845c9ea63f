// Package ratelimit counts requests per key in fixed windows kept in
// PostgreSQL, so that every replica of the service shares one count.
package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/jobs"
)

// Limiter allows Limit hits per key in each Window.
type Limiter struct {
	pool   *pgxpool.Pool
	Limit  int
	Window time.Duration
	now    func() time.Time
}

// New returns a limiter of limit hits per window.
func New(pool *pgxpool.Pool, limit int, window time.Duration) *Limiter {
	return &Limiter{pool: pool, Limit: limit, Window: window, now: time.Now}
}

// Allow records a hit for key and returns an apperr.RateLimited error, with
// the time to wait, when the key is over its limit in the current window.
// Keys should name their purpose, for example "track:" + code.
func (l *Limiter) Allow(ctx context.Context, key string) error {
	now := l.now()
	start := now.Truncate(l.Window)
	var hits int
	err := l.pool.QueryRow(ctx, `
		INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1
		RETURNING hits`, key, start).Scan(&hits)
	if err != nil {
		return fmt.Errorf("rate limit %s: %w", key, err)
	}
	return l.over(hits, start, now)
}

// over is the refusal of a key with hits in the window from start, or nil.
func (l *Limiter) over(hits int, start, now time.Time) error {
	if hits > l.Limit {
		return &apperr.Error{
			Kind:       apperr.RateLimited,
			Code:       "rate_limited",
			Message:    "Bạn đã thử quá nhiều lần. Xin vui lòng chờ một lát rồi thử lại.",
			RetryAfter: start.Add(l.Window).Sub(now),
		}
	}
	return nil
}

// Purge deletes windows that ended before cutoff; run it now and then.
func Purge(ctx context.Context, pool *pgxpool.Pool, cutoff time.Time) (int64, error) {
	tag, err := pool.Exec(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, cutoff)
	return tag.RowsAffected(), err
}

// PurgeJob is the sweep that deletes windows older than a day, so the table
// stays small on a service that runs for months.
func PurgeJob(pool *pgxpool.Pool) jobs.Sweep {
	return jobs.Sweep{Name: "rate-limit-purge", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := Purge(ctx, pool, time.Now().Add(-24*time.Hour))
		return err
	}}
}
