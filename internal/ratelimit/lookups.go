package ratelimit

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/database"
	"github.com/citizenstation/citizenstation/internal/seal"
)

// Lookups limits every look-up by a code that proves something — a
// dossier's tracking code with four digits, a payment's code with four
// characters, a security report's code — whichever way it comes (the
// API, a paper's link, the guide's "Tra cứu"): per code a day, and per
// client address (a station counts as one) an hour, one count per address
// for every kind, so switching kinds does not buy more guesses.
//
// With a sealer, codes and addresses are kept in rate_limits only as
// keyed digests, the subject sealed beside its count, so that station
// rekey makes the digests again under a new key (RekeyDigests) and the
// counts carry over.
type Lookups struct {
	perCode, perAddress *Limiter
	sealer              *seal.Sealer
}

// Default lookup limits, as STATION_TRACK_PER_CODE and STATION_TRACK_PER_IP.
const (
	DefaultLookupsPerCode    = 20
	DefaultLookupsPerAddress = 120
)

// NewLookups returns the limits of perCode look-ups per code a day and
// perAddress per client address an hour; sealer may be nil (keys then
// hold the code and address as they are).
func NewLookups(pool *pgxpool.Pool, sealer *seal.Sealer, perCode, perAddress int) *Lookups {
	return &Lookups{perCode: New(pool, perCode, 24*time.Hour), perAddress: New(pool, perAddress, time.Hour), sealer: sealer}
}

// Address counts a look-up from the client address from.
func (l *Lookups) Address(ctx context.Context, from string) error {
	return l.perAddress.allowSubject(ctx, l.sealer, "lookup:address:", from)
}

// Code counts a look-up of code, of kind ("dossier", "payment",
// "report"); code is in its canonical form.
func (l *Lookups) Code(ctx context.Context, kind, code string) error {
	return l.perCode.allowSubject(ctx, l.sealer, "lookup:code:"+kind+":", code)
}

// digestContext binds a rate-limit digest and its sealed subject to the
// key's purpose.
func digestContext(purpose string) string { return "rate-limit/" + purpose }

// subjectKey is the key of subject under purpose with the digest d.
func subjectKey(purpose string, d []byte) string { return purpose + hex.EncodeToString(d[:16]) }

// AllowSubject is Allow for a subject that must not be kept in the clear
// (a phone number, a code, an address): the key is purpose and the
// subject's digest under sealer's current key, the subject sealed beside
// the count; hits counted under a previous key's digest, before station
// rekey made them again, count too.
func (l *Limiter) AllowSubject(ctx context.Context, sealer *seal.Sealer, purpose, subject string) error {
	return l.allowSubject(ctx, sealer, purpose, subject)
}

func (l *Limiter) allowSubject(ctx context.Context, sealer *seal.Sealer, purpose, subject string) error {
	if sealer == nil {
		return l.Allow(ctx, purpose+subject)
	}
	digests := sealer.Digests(digestContext(purpose), subject)
	keys := make([]string, len(digests))
	for i, d := range digests {
		keys[i] = subjectKey(purpose, d)
	}
	now := l.now()
	start := now.Truncate(l.Window)
	var hits int
	err := l.pool.QueryRow(ctx, `
		WITH hit AS (
			INSERT INTO rate_limits (key, window_start, hits, subject_sealed) VALUES ($1, $2, 1, $3)
			ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1
			RETURNING hits)
		SELECT (SELECT hits FROM hit) + coalesce((SELECT sum(hits) FROM rate_limits
			WHERE key = ANY($4) AND window_start = $2), 0)::int`,
		keys[0], start, sealer.Seal(subject, digestContext(purpose)), keys[1:]).Scan(&hits)
	if err != nil {
		return fmt.Errorf("rate limit %s: %w", purpose, err)
	}
	return l.over(hits, start, now)
}

// RekeyDigests makes the digest keys of the counts kept by AllowSubject
// again under sealer's current key, in short transactions: each count
// under a previous key's digest is added to the same subject's count
// under the current key's, so a limit holds across a key rotation once the
// previous key is gone. Run again, it finds nothing. It returns how many
// counts it moved.
func RekeyDigests(ctx context.Context, pool *pgxpool.Pool, sealer *seal.Sealer) (int, error) {
	n, err := database.InBatches(ctx, pool, func(ctx context.Context, tx pgx.Tx) (int, error) {
		rows, err := tx.Query(ctx, `SELECT key, window_start, hits, subject_sealed FROM rate_limits
			WHERE subject_sealed IS NOT NULL AND get_byte(subject_sealed, 0) <> $1 LIMIT 200 FOR UPDATE`, int(sealer.CurrentID()))
		if err != nil {
			return 0, err
		}
		type count struct {
			key    string
			start  time.Time
			hits   int
			sealed []byte
		}
		todo, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (c count, err error) {
			return c, r.Scan(&c.key, &c.start, &c.hits, &c.sealed)
		})
		if err != nil {
			return 0, err
		}
		for _, c := range todo {
			purpose := c.key[:strings.LastIndex(c.key, ":")+1]
			subject, err := sealer.Open(c.sealed, digestContext(purpose))
			if err != nil {
				return 0, fmt.Errorf("rate limit %s: %w", purpose, err)
			}
			key := subjectKey(purpose, sealer.Digest(digestContext(purpose), subject))
			if _, err := tx.Exec(ctx, `DELETE FROM rate_limits WHERE key = $1 AND window_start = $2`, c.key, c.start); err != nil {
				return 0, err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO rate_limits (key, window_start, hits, subject_sealed) VALUES ($1, $2, $3, $4)
				ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + excluded.hits, subject_sealed = excluded.subject_sealed`,
				key, c.start, c.hits, sealer.Seal(subject, digestContext(purpose))); err != nil {
				return 0, err
			}
		}
		return len(todo), nil
	})
	if err != nil {
		return n, fmt.Errorf("rekey rate-limit digests: %w", err)
	}
	return n, nil
}
