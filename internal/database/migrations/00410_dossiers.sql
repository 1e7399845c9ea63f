-- +goose Up
-- A dossier is one resident's filing of one procedure in one ward. The
-- procedure's name, fees and time limit are copied in when it is created,
-- so later catalogue edits do not change a dossier already under way.
CREATE TABLE dossiers (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tracking_code       text        NOT NULL UNIQUE,
    procedure_slug      text        NOT NULL,
    procedure_name      text        NOT NULL,
    ward                text        NOT NULL,
    status              text        NOT NULL DEFAULT 'draft' CHECK (status IN
                        ('draft', 'submitted', 'in_review', 'needs_supplement', 'approved', 'rejected', 'result_ready', 'completed')),
    -- Shown in lists: the name as typed and the ID number masked to its
    -- last four digits. The full number is only in dossier_fields, sealed.
    applicant_name      text        NOT NULL DEFAULT '',
    applicant_id_masked text        NOT NULL DEFAULT '',
    -- Keyed digests of the last four digits of the applicant's ID and phone,
    -- which a resident gives to follow the dossier.
    verify_digests      bytea[]     NOT NULL DEFAULT '{}',
    -- The secret a resident's kiosk holds to attach and submit; only its
    -- SHA-256 is kept.
    secret_hash         bytea       NOT NULL,
    kiosk_session_id    text,
    fees                jsonb       NOT NULL DEFAULT '[]',
    fee_amount          bigint      NOT NULL DEFAULT 0 CHECK (fee_amount >= 0),
    -- The fee is not known yet: the catalogue lists several cases and none
    -- was chosen, or the amount is unconfirmed. Staff settle it at the ward.
    fee_unconfirmed     boolean     NOT NULL DEFAULT false,
    fee_paid_at         timestamptz,
    fee_payment_id      text,
    -- Set when the resident asked to submit but the fee was still due; the
    -- payment then submits the dossier.
    submit_requested_at timestamptz,
    processing_days     integer     NOT NULL DEFAULT 0,
    processing_text     text        NOT NULL DEFAULT '',
    submitted_at        timestamptz,
    expected_on         date,
    decided_at          timestamptz,
    -- The last message to the resident: what to supplement, or why rejected.
    resident_message    text        NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
-- The review queue, oldest first: a ward's dossiers of one status, or of
-- several (read in order and filtered), and the same across every ward.
CREATE INDEX dossiers_queue_idx ON dossiers (ward, status, submitted_at, id);
CREATE INDEX dossiers_ward_submitted_idx ON dossiers (ward, submitted_at, id);
CREATE INDEX dossiers_status_idx ON dossiers (status, submitted_at, id);
CREATE INDEX dossiers_submitted_idx ON dossiers (submitted_at, id);
CREATE INDEX dossiers_kiosk_session_idx ON dossiers (kiosk_session_id) WHERE kiosk_session_id IS NOT NULL;

-- One row per form field. Values of ID numbers and phones are sealed with
-- AES-GCM (value_sealed) and then value is NULL.
CREATE TABLE dossier_fields (
    dossier_id   uuid        NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    value        text,
    value_sealed bytea,
    provenance   text        NOT NULL CHECK (provenance IN ('typed', 'ocr', 'qr', 'mrz', 'llm', 'staff')),
    confidence   real        NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    box          integer[]   CHECK (box IS NULL OR cardinality(box) = 4),
    updated_by   text        NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_id, name),
    CHECK ((value IS NULL) <> (value_sealed IS NULL))
);

-- The values a field had before staff corrected it.
CREATE TABLE dossier_field_history (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id   uuid        NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    value        text,
    value_sealed bytea,
    provenance   text        NOT NULL,
    confidence   real        NOT NULL,
    box          integer[],
    replaced_by  text        NOT NULL,
    reason       text        NOT NULL DEFAULT '',
    replaced_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_field_history_dossier_idx ON dossier_field_history (dossier_id, name, id);

-- Scans and documents, stored under the data directory by SHA-256.
CREATE TABLE dossier_attachments (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    dossier_id       uuid        NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    document         integer,    -- index into the procedure's documents; NULL for other papers
    sha256           text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type     text        NOT NULL,
    size             bigint      NOT NULL,
    filename         text        NOT NULL DEFAULT '',
    kiosk_session_id text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_attachments_dossier_idx ON dossier_attachments (dossier_id, created_at);
CREATE INDEX dossier_attachments_sha_idx ON dossier_attachments (sha256);

-- Every status change: who, when, why.
CREATE TABLE dossier_events (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id  uuid        NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    user_id     bigint,
    actor       text        NOT NULL,
    role        text        NOT NULL,
    reason      text        NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_events_dossier_idx ON dossier_events (dossier_id, id);

-- A value sealed with the data key, so that a service started with another
-- key refuses to start instead of failing on every read.
CREATE TABLE data_key_check (
    id     integer PRIMARY KEY CHECK (id = 1),
    sealed bytea   NOT NULL
);

-- +goose Down
DROP TABLE data_key_check;
DROP TABLE dossier_events;
DROP TABLE dossier_attachments;
DROP TABLE dossier_field_history;
DROP TABLE dossier_fields;
DROP TABLE dossiers;
