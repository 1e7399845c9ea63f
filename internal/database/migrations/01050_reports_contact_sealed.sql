-- +goose Up
-- Reporters' contacts are sealed at rest (package internal/seal), bound to
-- the report's code. The data key never reaches the database, so this
-- migration cannot seal the contacts already stored: the service seals
-- them when it starts (reports.Service.SealContacts, from app.Wire) and
-- empties the plain column, which nothing writes any more.
ALTER TABLE reports ADD COLUMN contact_sealed bytea;

-- +goose Down
UPDATE reports SET contact = NULL WHERE contact_sealed IS NOT NULL;
ALTER TABLE reports DROP COLUMN contact_sealed;
