-- +goose Up
-- How many chunks hold each term, so that full-text search can leave out
-- words so common that ranking every chunk holding them would be slow.
ALTER TABLE procedure_terms ADD COLUMN chunks integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE procedure_terms DROP COLUMN chunks;
