-- +goose Up
-- "Gọi cán bộ": a resident at a station asks for a person. The request goes
-- to the staff of the station's ward and to the duty console at once; left
-- unacknowledged it climbs (level 1: duty officers alerted again and the
-- kiosk shows the ward's phone number; level 2: the command centre). No
-- personal data: the station, the step the resident was on, a reason code.
CREATE TABLE help_requests (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    station_id        uuid        NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    ward_code         text        NOT NULL,
    kiosk_session_id  text,
    step              text        NOT NULL DEFAULT '',
    reason            text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    level             smallint    NOT NULL DEFAULT 0 CHECK (level BETWEEN 0 AND 2),
    escalated_at      timestamptz,
    acknowledged_at   timestamptz,
    acknowledged_by   bigint      REFERENCES staff_users (id) ON DELETE SET NULL,
    acknowledged_name text        NOT NULL DEFAULT '',
    cancelled_at      timestamptz
);
CREATE INDEX help_requests_open_idx ON help_requests (ward_code, created_at)
    WHERE acknowledged_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX help_requests_station_created_idx ON help_requests (station_id, created_at);

-- The name a resident is told ("Anh/Chị Nam ở phường đã nhận…"); the
-- username when empty.
ALTER TABLE staff_users ADD COLUMN display_name text NOT NULL DEFAULT '';

-- The number a resident is told to call when nobody came, per ward; the
-- service's hotline where a ward has none.
CREATE TABLE ward_contacts (
    ward_code  text PRIMARY KEY,
    phone      text NOT NULL CHECK (phone ~ '^[0-9 .+]{3,20}$'),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE ward_contacts;
ALTER TABLE staff_users DROP COLUMN display_name;
DROP TABLE help_requests;
