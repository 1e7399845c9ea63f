-- +goose Up
-- Assistant sessions: a resident's conversation with the guide. The guide's
-- position is kept in state so that any replica can carry on the session.
CREATE TABLE assistant_sessions (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    station_id       text,
    kiosk_session_id text,
    stage            text        NOT NULL CHECK (stage IN ('identify', 'confirm', 'explain', 'collect', 'review', 'done', 'handoff')),
    procedure_slug   text,
    procedure_name   text,
    state            jsonb       NOT NULL DEFAULT '{}',
    prompt_version   text        NOT NULL,
    dossier_id       text,
    -- A printed slip: the code's hash and the hash of the last four digits
    -- of the resident's ID or phone number, salted with the session id.
    slip_code_hash   bytea       UNIQUE,
    slip_secret_hash bytea,
    version          integer     NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL
);
CREATE INDEX assistant_sessions_kiosk_idx ON assistant_sessions (kiosk_session_id) WHERE kiosk_session_id IS NOT NULL;
CREATE INDEX assistant_sessions_expires_idx ON assistant_sessions (expires_at);

-- Collected fields with where each value came from.
CREATE TABLE assistant_fields (
    session_id uuid        NOT NULL REFERENCES assistant_sessions (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    value      text        NOT NULL,
    provenance text        NOT NULL CHECK (provenance IN ('typed', 'ocr', 'qr', 'mrz', 'llm')),
    confidence double precision NOT NULL DEFAULT 1,
    confirmed  boolean     NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, name)
);

-- Every turn with the pipeline steps it went through. Inputs and replies
-- are stored with ID and phone numbers masked.
CREATE TABLE assistant_turns (
    session_id     uuid        NOT NULL REFERENCES assistant_sessions (id) ON DELETE CASCADE,
    seq            integer     NOT NULL,
    input_kind     text        NOT NULL CHECK (input_kind IN ('text', 'choice', 'ocr', 'start')),
    input          text        NOT NULL,
    reply          text        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('answered', 'clarify', 'out_of_scope', 'handoff', 'guarded', 'error')),
    stage          text        NOT NULL,
    route          text        NOT NULL,
    steps          jsonb       NOT NULL DEFAULT '[]',
    model          text,
    prompt_version text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, seq)
);

-- +goose Down
DROP TABLE assistant_turns;
DROP TABLE assistant_fields;
DROP TABLE assistant_sessions;
