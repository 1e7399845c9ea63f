-- +goose Up
-- Sign-in failures are kept per keyed digest of the username and client
-- address (under the data key), never the two in plain text: the failures
-- counted so far are forgotten (at most one sign-in window's backoff).
DELETE FROM staff_login_failures;
ALTER TABLE staff_login_failures DROP COLUMN username, DROP COLUMN ip,
    ADD COLUMN subject bytea PRIMARY KEY;

-- The sign-in limit per address and the reports' limits per address and
-- per device counted under the address itself or its unkeyed SHA-256,
-- which trying every address reverses: those counts go (at most one
-- window's); the service now keys them like the look-up limits.
DELETE FROM rate_limits
WHERE subject_sealed IS NULL AND (key LIKE 'login:ip:%' OR key LIKE 'report:ip:%' OR key LIKE 'report:device:%');

-- +goose Down
DELETE FROM staff_login_failures;
ALTER TABLE staff_login_failures DROP COLUMN subject,
    ADD COLUMN username text NOT NULL, ADD COLUMN ip text NOT NULL, ADD PRIMARY KEY (username, ip);
