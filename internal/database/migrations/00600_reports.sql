-- +goose Up
-- Security and public-order reports (package reports). PostGIS answers the
-- geometry questions: which ward contains a point, which is nearest, which
-- reports lie within a distance of each other.
CREATE EXTENSION IF NOT EXISTS postgis;

-- Ward boundaries imported from GeoJSON (station import wards FILE). Other
-- parts store ward codes as text, without a foreign key.
CREATE TABLE wards (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX wards_geom_idx ON wards USING gist (geom);

CREATE TABLE reports (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code            text NOT NULL UNIQUE,           -- the reporter's tracking code
    category        text NOT NULL,
    urgency         text NOT NULL CHECK (urgency IN ('critical', 'high', 'normal')),
    injury          boolean NOT NULL DEFAULT false,
    in_progress     boolean NOT NULL DEFAULT false,
    description     text NOT NULL,
    occurred_at     timestamptz,
    location        geography(Point, 4326),
    location_source text NOT NULL CHECK (location_source IN ('gps', 'exif', 'station', 'address', 'none')),
    address         text NOT NULL DEFAULT '',
    station_id      text,
    ward_code       text,                           -- the ward handling it now (changes on transfer)
    ward_source     text NOT NULL CHECK (ward_source IN ('polygon', 'station', 'nearest', 'address', 'none')),
    channel         text NOT NULL CHECK (channel IN ('kiosk', 'app', 'web')),
    contact         text,                           -- NULL: anonymous
    device_id       text,
    status          text NOT NULL DEFAULT 'received' CHECK (status IN
                    ('received', 'acknowledged', 'verifying', 'dispatched', 'resolved', 'unfounded', 'transferred')),
    duplicate_of    uuid REFERENCES reports (id),
    spam_at         timestamptz,                    -- marked as spam: kept for audit, hidden from lists
    spam_by         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    closed_at       timestamptz,
    acknowledge_due timestamptz NOT NULL,
    resolve_due     timestamptz NOT NULL,
    -- When the overdue sweep announced a missed SLA, once for each.
    ack_overdue_at     timestamptz,
    resolve_overdue_at timestamptz
) WITH (fillfactor = 90); -- room for HOT updates as officers move reports along
CREATE INDEX reports_ward_idx ON reports (ward_code, created_at DESC);
CREATE INDEX reports_created_idx ON reports (created_at DESC);
CREATE INDEX reports_open_due_idx ON reports (acknowledge_due) WHERE closed_at IS NULL;
CREATE INDEX reports_location_idx ON reports USING gist (location);
CREATE INDEX reports_duplicate_idx ON reports (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- Where a report was sent: its ward, the departments the rules name and the
-- command centre. Written in the report's own transaction.
CREATE TABLE report_routes (
    report_id  uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('ward', 'department', 'command_centre')),
    code       text NOT NULL,
    reason     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (report_id, kind, code)
);
CREATE INDEX report_routes_code_idx ON report_routes (kind, code);

-- A report is never stored unrouted: at commit it must have its command
-- centre copy, whatever code wrote it.
-- +goose StatementBegin
CREATE FUNCTION reports_must_be_routed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM report_routes WHERE report_id = NEW.id AND kind = 'command_centre') THEN
        RAISE EXCEPTION 'report % has no command centre route', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER reports_routed AFTER INSERT ON reports
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_must_be_routed();

-- Photos and video, stored without their metadata. They live in PostgreSQL
-- so that they are written in the report's transaction and every replica
-- can serve them.
CREATE TABLE report_media (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    report_id     uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('photo', 'video')),
    content_type  text NOT NULL,
    size          integer NOT NULL,
    sha256        text NOT NULL,
    duration_ms   integer,
    data          bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (report_id, position)
);
-- Photos and video are compressed already: store them without trying again.
ALTER TABLE report_media ALTER COLUMN data SET STORAGE EXTERNAL;

-- Every step of the duty-officer workflow, timed and attributed; append-only.
CREATE TABLE report_events (
    id          bigserial PRIMARY KEY,
    report_id   uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    action      text NOT NULL,                      -- received, transition, note, spam, duplicate
    from_status text,
    to_status   text,
    note        text NOT NULL DEFAULT '',
    target_kind text,
    target_code text,
    actor_id    text NOT NULL,
    actor_name  text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_events_report_idx ON report_events (report_id, id);

-- +goose Down
DROP TABLE report_events;
DROP TABLE report_media;
DROP TRIGGER reports_routed ON reports;
DROP FUNCTION reports_must_be_routed();
DROP TABLE report_routes;
DROP TABLE reports;
DROP TABLE wards;
