-- Who a visit served, as the city's demand statistics count it and never
-- the person: the age band read from the birth year on a scanned card (the
-- year itself is not kept), and whether a helper came along (a relative, a
-- volunteer, ward staff). A visit with no card scanned is anonymous.
-- Expand only: replicas of the previous release ignore both columns.
-- +goose Up
ALTER TABLE kiosk_sessions
    ADD COLUMN age_band    text CHECK (age_band IN ('under_18', '18_29', '30_44', '45_59', '60_74', '75_plus')),
    ADD COLUMN with_helper boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE kiosk_sessions DROP COLUMN age_band, DROP COLUMN with_helper;
