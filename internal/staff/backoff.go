package staff

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// Failed sign-ins count per username and client address, never per
// username alone, so that no one can lock a known user out: the user signs
// in from their own address whatever others try. Past LoginAttempts
// failures within LoginWindow each attempt from that address waits: 30 s,
// then twice as long after each further failure, at most the window.
// A username and address are kept only as a keyed digest of the two under
// the data key (failureKeys), so the table names no one.

// firstWait is the wait after the last free failure.
const firstWait = 30 * time.Second

// wait is how long an address must wait after its failures-th failure.
func (s *Service) wait(failures int) time.Duration {
	if failures < s.cfg.LoginAttempts {
		return 0
	}
	return min(firstWait<<min(failures-s.cfg.LoginAttempts, 20), s.cfg.LoginWindow)
}

// checkBackoff refuses an attempt of username from ip that comes before
// its wait is over.
func (s *Service) checkBackoff(ctx context.Context, username, ip string) error {
	var (
		failures int
		since    float64 // seconds since the last failure, by the database's clock
	)
	err := s.pool.QueryRow(ctx, `SELECT failures, extract(epoch FROM now() - last_failed_at)::float8
		FROM staff_login_failures WHERE subject = ANY($1) AND last_failed_at > now() - make_interval(secs => $2)
		ORDER BY last_failed_at DESC LIMIT 1`,
		s.failureKeys(username, ip), s.cfg.LoginWindow.Seconds()).Scan(&failures, &since)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	left := s.wait(failures) - time.Duration(since*float64(time.Second))
	if left <= 0 {
		return nil
	}
	return &apperr.Error{Kind: apperr.RateLimited, Code: "login_backoff", RetryAfter: left,
		Message: "Đăng nhập sai nhiều lần. Xin chờ một lúc rồi thử lại."}
}

// recordFailure counts a failed attempt of username from ip; failures
// older than the window are forgotten.
func (s *Service) recordFailure(ctx context.Context, username, ip string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO staff_login_failures (subject, failures) VALUES ($1, 1)
		ON CONFLICT (subject) DO UPDATE SET last_failed_at = now(),
			failures = CASE WHEN staff_login_failures.last_failed_at > now() - make_interval(secs => $2)
				THEN staff_login_failures.failures + 1 ELSE 1 END`,
		s.failureKeys(username, ip)[0], s.cfg.LoginWindow.Seconds())
	return err
}

// clearFailures forgets the failures of username from ip after a sign-in,
// and any failure older than a day.
func (s *Service) clearFailures(ctx context.Context, tx pgx.Tx, username, ip string) error {
	_, err := tx.Exec(ctx, `DELETE FROM staff_login_failures
		WHERE subject = ANY($1) OR last_failed_at < now() - interval '1 day'`, s.failureKeys(username, ip))
	return err
}

// failureContext binds the failures' digests to their purpose.
const failureContext = "staff-login/failures"

// failureKeys are the keys of the failures of username from ip: their
// digest under every data key, the current key's first (failures counted
// before a key rotation still count until they age out); without a
// sealer, the two as they are.
func (s *Service) failureKeys(username, ip string) [][]byte {
	subject := username + "\x00" + ip
	if s.cfg.Sealer == nil {
		return [][]byte{[]byte(subject)}
	}
	return s.cfg.Sealer.Digests(failureContext, subject)
}
