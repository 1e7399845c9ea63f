-- +goose Up
-- Failed staff sign-ins per username and client address: past the free
-- attempts each further one waits twice as long as the one before, so no
-- one can lock a known user out from their own address.
CREATE TABLE staff_login_failures (
    username       text        NOT NULL,
    ip             text        NOT NULL,
    failures       integer     NOT NULL,
    last_failed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, ip)
);
CREATE INDEX staff_login_failures_last_idx ON staff_login_failures (last_failed_at);

-- +goose Down
DROP TABLE staff_login_failures;
