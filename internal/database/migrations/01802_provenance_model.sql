-- A value the language model proposed is marked "model" (it was "llm"). Both
-- are accepted while replicas of the earlier release may still be writing
-- "llm" during an upgrade; a later migration can drop "llm" from the checks.
-- +goose Up
ALTER TABLE assistant_fields DROP CONSTRAINT assistant_fields_provenance_check;
ALTER TABLE assistant_fields ADD CONSTRAINT assistant_fields_provenance_check
    CHECK (provenance IN ('typed', 'ocr', 'qr', 'mrz', 'model', 'llm'));
UPDATE assistant_fields SET provenance = 'model' WHERE provenance = 'llm';

ALTER TABLE dossier_fields DROP CONSTRAINT dossier_fields_provenance_check;
ALTER TABLE dossier_fields ADD CONSTRAINT dossier_fields_provenance_check
    CHECK (provenance IN ('typed', 'ocr', 'qr', 'mrz', 'model', 'llm', 'staff'));
UPDATE dossier_fields SET provenance = 'model' WHERE provenance = 'llm';

-- +goose Down
UPDATE assistant_fields SET provenance = 'llm' WHERE provenance = 'model';
UPDATE dossier_fields SET provenance = 'llm' WHERE provenance = 'model';
