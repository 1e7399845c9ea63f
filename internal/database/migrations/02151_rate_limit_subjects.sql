-- A count whose key holds a subject only as its keyed digest (a phone
-- number, a code, a client address) keeps the subject sealed beside it, so
-- station rekey can make the digest again under a new data key and the
-- count holds across a key rotation (ratelimit.RekeyDigests).
-- +goose Up
ALTER TABLE rate_limits ADD COLUMN subject_sealed bytea;

-- +goose Down
ALTER TABLE rate_limits DROP COLUMN subject_sealed;
