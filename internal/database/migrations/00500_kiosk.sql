-- +goose Up
-- Stations: the kiosks, each with a device token stored only as its SHA-256.
CREATE TABLE stations (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name           text        NOT NULL CHECK (name <> ''),
    ward_code      text        NOT NULL CHECK (ward_code <> ''),
    address        text        NOT NULL DEFAULT '',
    latitude       double precision CHECK (latitude BETWEEN -90 AND 90),
    longitude      double precision CHECK (longitude BETWEEN -180 AND 180),
    opening_hours  text        NOT NULL DEFAULT '',
    token_hash     bytea       NOT NULL UNIQUE,
    token_rotated_at timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- Liveness, written by every heartbeat and by the offline sweep.
    online         boolean     NOT NULL DEFAULT false,
    last_seen_at   timestamptz,
    app_version    text        NOT NULL DEFAULT '',
    uptime_seconds bigint      NOT NULL DEFAULT 0,
    network        jsonb       NOT NULL DEFAULT '{}',
    peripherals    jsonb       NOT NULL DEFAULT '[]'
);
CREATE INDEX stations_ward_idx ON stations (ward_code);
CREATE INDEX stations_online_seen_idx ON stations (last_seen_at) WHERE online;

-- Every up/down change and peripheral fault, with its time.
CREATE TABLE station_events (
    id          bigserial   PRIMARY KEY,
    station_id  uuid        NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    kind        text        NOT NULL,
    peripheral  text        NOT NULL DEFAULT '',
    detail      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX station_events_station_at_idx ON station_events (station_id, at DESC);

-- A resident's visit at a station. No personal data here: only what was
-- used, when, and how it ended.
CREATE TABLE kiosk_sessions (
    id               text        PRIMARY KEY DEFAULT gen_random_uuid()::text,
    station_id       uuid        NOT NULL REFERENCES stations (id),
    started_at       timestamptz NOT NULL DEFAULT now(),
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz,
    end_reason       text        CHECK (end_reason IN ('finish', 'idle', 'replaced')),
    services         text[]      NOT NULL DEFAULT '{}',
    outcomes         text[]      NOT NULL DEFAULT '{}',
    step             text        NOT NULL DEFAULT '',
    abandoned_step   text
);
CREATE INDEX kiosk_sessions_open_idx ON kiosk_sessions (last_activity_at) WHERE ended_at IS NULL;
CREATE INDEX kiosk_sessions_started_idx ON kiosk_sessions (started_at);

-- +goose Down
DROP TABLE kiosk_sessions;
DROP TABLE station_events;
DROP TABLE stations;
