-- +goose Up
-- What the OCR read from a resident's papers (fields, text, lines) is sealed
-- at rest (package internal/seal), bound to the result and its visit; the
-- plain columns stay empty for sealed rows. Rows kept from before are
-- purged with their visit or within a day (ocr-purge-unbound).
ALTER TABLE ocr_results ADD COLUMN sealed bytea;

-- +goose Down
ALTER TABLE ocr_results DROP COLUMN sealed;
