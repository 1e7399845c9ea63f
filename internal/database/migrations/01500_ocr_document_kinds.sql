-- +goose Up
-- The OCR reads the 2024 "Căn cước" card, passports, birth certificates and
-- bills too.
ALTER TABLE ocr_results DROP CONSTRAINT ocr_results_kind_check;
ALTER TABLE ocr_results ADD CONSTRAINT ocr_results_kind_check CHECK (kind IN ('cccd_front', 'cccd_qr', 'cccd_back_mrz', 'form',
    'cancuoc_front', 'cancuoc_back', 'passport', 'birth_certificate', 'bill'));

-- +goose Down
DELETE FROM ocr_results WHERE kind NOT IN ('cccd_front', 'cccd_qr', 'cccd_back_mrz', 'form');
ALTER TABLE ocr_results DROP CONSTRAINT ocr_results_kind_check;
ALTER TABLE ocr_results ADD CONSTRAINT ocr_results_kind_check CHECK (kind IN ('cccd_front', 'cccd_qr', 'cccd_back_mrz', 'form'));
