-- +goose Up
-- Sign-in failures are kept per keyed digest of the username and client
-- address (under the data key), never the two in plain text: the failures
-- counted so far are forgotten (at most one sign-in window's backoff).
DROP TABLE staff_login_failures;
CREATE TABLE staff_login_failures (
    subject        bytea       PRIMARY KEY,
    failures       integer     NOT NULL,
    last_failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_login_failures_last_idx ON staff_login_failures (last_failed_at);

-- The sign-in limit per address and the reports' limits per address and
-- per device counted under the address itself or its unkeyed SHA-256,
-- which trying every address reverses: those counts go (at most one
-- window's); the service now keys them like the look-up limits.
DELETE FROM rate_limits
WHERE subject_sealed IS NULL AND (key LIKE 'login:ip:%' OR key LIKE 'report:ip:%' OR key LIKE 'report:device:%');

-- +goose Down
DROP TABLE staff_login_failures;
CREATE TABLE staff_login_failures (
    username       text        NOT NULL,
    ip             text        NOT NULL,
    failures       integer     NOT NULL,
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, ip)
);
CREATE INDEX staff_login_failures_last_idx ON staff_login_failures (last_failed_at);
