-- +goose Up
-- Migration 01901 sealed every value stored in plain text before: the plain
-- columns go, so no personal data stays in the clear.
ALTER TABLE reports DROP COLUMN contact;
ALTER TABLE ocr_results DROP COLUMN fields, DROP COLUMN text, DROP COLUMN lines;
ALTER TABLE ocr_results ALTER COLUMN sealed SET NOT NULL;
ALTER TABLE assistant_sessions DROP COLUMN state;
ALTER TABLE assistant_sessions ALTER COLUMN state_sealed SET NOT NULL;
ALTER TABLE assistant_fields DROP COLUMN value;
ALTER TABLE assistant_fields ALTER COLUMN value_sealed SET NOT NULL;
ALTER TABLE assistant_turns DROP COLUMN input, DROP COLUMN reply;
ALTER TABLE assistant_turns ALTER COLUMN input_sealed SET NOT NULL, ALTER COLUMN reply_sealed SET NOT NULL;
ALTER TABLE assistant_photos DROP COLUMN data;
ALTER TABLE assistant_photos ALTER COLUMN data_sealed SET NOT NULL;

-- +goose Down
-- The sealed values cannot be opened here (no key): the plain columns come
-- back empty.
ALTER TABLE assistant_photos ALTER COLUMN data_sealed DROP NOT NULL, ADD COLUMN data bytea;
ALTER TABLE assistant_turns ALTER COLUMN input_sealed DROP NOT NULL, ALTER COLUMN reply_sealed DROP NOT NULL,
    ADD COLUMN input text, ADD COLUMN reply text;
ALTER TABLE assistant_fields ALTER COLUMN value_sealed DROP NOT NULL, ADD COLUMN value text;
ALTER TABLE assistant_sessions ALTER COLUMN state_sealed DROP NOT NULL, ADD COLUMN state jsonb;
ALTER TABLE ocr_results ALTER COLUMN sealed DROP NOT NULL,
    ADD COLUMN fields jsonb NOT NULL DEFAULT '{}', ADD COLUMN text text NOT NULL DEFAULT '', ADD COLUMN lines jsonb NOT NULL DEFAULT '[]';
ALTER TABLE reports ADD COLUMN contact text;
