-- +goose Up
-- The guide's tables hold what residents typed and said (ID and phone
-- numbers, names, addresses, photos): it is sealed at rest (package
-- internal/seal), bound to its session and place. The plain columns may be
-- empty from now on; migration 01901 (Go: the key never reaches the
-- database) seals the rows stored before, and 01902 drops the plain columns.
ALTER TABLE assistant_sessions ADD COLUMN state_sealed bytea;
ALTER TABLE assistant_sessions ALTER COLUMN state DROP NOT NULL;
ALTER TABLE assistant_fields ADD COLUMN value_sealed bytea;
ALTER TABLE assistant_fields ALTER COLUMN value DROP NOT NULL;
ALTER TABLE assistant_turns ADD COLUMN input_sealed bytea, ADD COLUMN reply_sealed bytea;
ALTER TABLE assistant_turns ALTER COLUMN input DROP NOT NULL, ALTER COLUMN reply DROP NOT NULL;
ALTER TABLE assistant_photos ADD COLUMN data_sealed bytea;
ALTER TABLE assistant_photos ALTER COLUMN data DROP NOT NULL;

-- +goose Down
ALTER TABLE assistant_photos DROP COLUMN data_sealed;
ALTER TABLE assistant_turns DROP COLUMN input_sealed, DROP COLUMN reply_sealed;
ALTER TABLE assistant_fields DROP COLUMN value_sealed;
ALTER TABLE assistant_sessions DROP COLUMN state_sealed;
