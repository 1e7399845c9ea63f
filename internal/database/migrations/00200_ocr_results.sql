-- +goose Up
-- One row per recognised scan, so the assistant and staff can refer to it
-- by id. fields maps a field name to {value, confidence, source, box}.
-- The scan itself, when kept, is a file under the data directory named by
-- its SHA-256; several results may share one file.
CREATE TABLE ocr_results (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    kind             text        NOT NULL CHECK (kind IN ('cccd_front', 'cccd_qr', 'cccd_back_mrz', 'form')),
    fields           jsonb       NOT NULL DEFAULT '{}',
    text             text        NOT NULL DEFAULT '',
    lines            jsonb       NOT NULL DEFAULT '[]',
    warnings         text[]      NOT NULL DEFAULT '{}',
    duration_ms      integer     NOT NULL CHECK (duration_ms >= 0),
    scan_path        text,
    scan_sha256      text,
    kiosk_session_id text,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ocr_results_kiosk_session_idx ON ocr_results (kiosk_session_id) WHERE kiosk_session_id IS NOT NULL;
CREATE INDEX ocr_results_scan_path_idx ON ocr_results (scan_path) WHERE scan_path IS NOT NULL;

-- +goose Down
DROP TABLE ocr_results;
