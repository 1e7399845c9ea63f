-- The code a resident keeps for a payment (TT and a tracking code), shown
-- beside its QR and on the paid screen: with the last four digits of the
-- bill's customer code or of the dossier's ID or phone number it finds the
-- payment and its receipt again after the visit ended. Orders made before
-- have none.
-- +goose Up
ALTER TABLE payments ADD COLUMN lookup_code text;
CREATE UNIQUE INDEX payments_lookup_code_idx ON payments (lookup_code) WHERE lookup_code IS NOT NULL;

-- +goose Down
DROP INDEX payments_lookup_code_idx;
ALTER TABLE payments DROP COLUMN lookup_code;
