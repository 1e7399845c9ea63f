-- +goose Up
-- Staff accounts. Ward staff and duty officers work in the wards listed;
-- the command centre and admins see every ward, so their list may be empty.
CREATE TABLE staff_users (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text        NOT NULL UNIQUE CHECK (username = lower(username) AND username ~ '^[a-z0-9._-]{3,64}$'),
    password_hash text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('ward_staff', 'duty_officer', 'command_centre', 'admin')),
    wards         text[]      NOT NULL DEFAULT '{}',
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (role IN ('command_centre', 'admin') OR cardinality(wards) > 0)
);

-- Login sessions live here so that any replica can serve any request. The
-- cookie carries a random token; only its SHA-256 is stored, so a copy of
-- the table does not let anyone sign in.
CREATE TABLE staff_sessions (
    token_hash   bytea       PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    ip           text        NOT NULL DEFAULT '',
    user_agent   text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX staff_sessions_user_idx ON staff_sessions (user_id);
CREATE INDEX staff_sessions_expires_idx ON staff_sessions (expires_at);

-- The audit log: every read of personal data and every change, by whom and
-- from where. Rows are only ever added; the trigger below refuses UPDATE,
-- DELETE and TRUNCATE for everyone, the service included.
CREATE TABLE audit_log (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    user_id      bigint,
    username     text        NOT NULL DEFAULT '',
    role         text        NOT NULL DEFAULT '',
    action       text        NOT NULL,
    subject_kind text        NOT NULL DEFAULT '',
    subject_id   text        NOT NULL DEFAULT '',
    ward         text        NOT NULL DEFAULT '',
    ip           text        NOT NULL DEFAULT '',
    user_agent   text        NOT NULL DEFAULT '',
    details      jsonb       NOT NULL DEFAULT '{}'
);
-- Rows arrive in time order, so a BRIN index finds a time range at a
-- fraction of a B-tree's upkeep on every insert.
CREATE INDEX audit_log_at_idx ON audit_log USING brin (at);
CREATE INDEX audit_log_user_idx ON audit_log (username, at);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_kind, subject_id, at);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE staff_sessions;
DROP TABLE staff_users;
