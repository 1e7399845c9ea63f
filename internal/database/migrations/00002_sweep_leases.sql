-- +goose Up
-- Background sweeps run on one replica at a time: the replica holding a
-- sweep's unexpired lease runs it. A lease is taken and returned with one
-- short statement each, so no connection is held while the sweep works.
CREATE TABLE sweep_leases (
    name       text        PRIMARY KEY,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE sweep_leases;
