-- Photos a resident takes with the station's camera for a report, kept
-- with the conversation until the report is sent (then they live in the
-- report, EXIF stripped) or the visit ends.
-- +goose Up
CREATE TABLE assistant_photos (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id  uuid        NOT NULL REFERENCES assistant_sessions (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    data        bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assistant_photos_session ON assistant_photos (session_id, created_at);

-- +goose Down
DROP TABLE assistant_photos;
