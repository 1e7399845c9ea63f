-- When the sources of a scanned value disagreed (a card's front and its QR
-- code, the MRZ on its back), the readings that lost, for the staff
-- reviewer: JSON [{"value","provenance","document"}], sealed like an ID
-- number since a reading may be one. NULL when the sources agreed; a
-- staff correction clears it.
-- document is the OCR kind of the scan the value itself was read on
-- (cccd_front, cccd_back_mrz, ...), to name it beside the others.
-- +goose Up
ALTER TABLE dossier_fields ADD COLUMN conflicts_sealed bytea,
    ADD COLUMN document text NOT NULL DEFAULT '' CHECK (length(document) <= 40);

-- +goose Down
ALTER TABLE dossier_fields DROP COLUMN conflicts_sealed, DROP COLUMN document;
