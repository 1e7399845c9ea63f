-- +goose Up
-- Typo correction and name similarity moved into the search's cached
-- vocabulary (procedures/search.go), so these indexes are no longer read.
DROP INDEX IF EXISTS procedure_terms_trgm_idx;
DROP INDEX IF EXISTS procedure_names_trgm_idx;

-- +goose Down
CREATE INDEX procedure_terms_trgm_idx ON procedure_terms USING gin (term gin_trgm_ops);
CREATE INDEX procedure_names_trgm_idx ON procedure_names USING gin (folded gin_trgm_ops);
