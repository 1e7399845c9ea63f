-- +goose Up
-- The names residents call each entry by (its name and aliases), folded, for
-- a third ranking by trigram similarity: it tells "đăng ký tạm trú" from
-- "xóa đăng ký tạm trú" and forgives typos in short queries.
CREATE TABLE procedure_names (
    slug   text NOT NULL REFERENCES procedure_entries (slug) ON DELETE CASCADE,
    folded text NOT NULL,
    PRIMARY KEY (slug, folded)
);
CREATE INDEX procedure_names_trgm_idx ON procedure_names USING gin (folded gin_trgm_ops);

-- +goose Down
DROP TABLE procedure_names;
