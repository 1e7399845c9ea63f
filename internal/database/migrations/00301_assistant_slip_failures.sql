-- +goose Up
-- Wrong last-four-digit attempts on a slip; at ten the slip is void.
ALTER TABLE assistant_sessions ADD COLUMN slip_failures integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE assistant_sessions DROP COLUMN slip_failures;
