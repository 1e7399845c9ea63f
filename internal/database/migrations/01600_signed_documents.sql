-- Every document the station or a ward signs (receipts, tracking slips,
-- review decisions, report acknowledgements): who signed it, when, and the
-- SHA-256 of the exact bytes handed out, so that anyone holding the
-- document can check on the public verification page that not one byte
-- changed. Nothing personal is kept here: the subject is a dossier's or a
-- report's id, never a name or a number.
-- +goose Up
CREATE TABLE signed_documents (
    id           uuid        PRIMARY KEY,
    kind         text        NOT NULL,
    title        text        NOT NULL,
    subject_kind text        NOT NULL,
    subject_id   text        NOT NULL,
    ward         text        NOT NULL DEFAULT '',
    signer       text        NOT NULL,
    signer_org   text        NOT NULL DEFAULT '',
    issuer       text        NOT NULL,
    cert_serial  text        NOT NULL,
    cert_sha256  bytea       NOT NULL,
    cert_not_after timestamptz NOT NULL,
    signed_at    timestamptz NOT NULL,
    sha256       bytea       NOT NULL,
    size         integer     NOT NULL
);
CREATE INDEX signed_documents_subject ON signed_documents (subject_kind, subject_id);

-- +goose Down
DROP TABLE signed_documents;
