-- Why a duty officer closed a report, one of the reasons the duty console
-- lists for the closing status (reports.CloseReasons).
-- +goose Up
ALTER TABLE reports ADD COLUMN close_reason text;

-- +goose Down
ALTER TABLE reports DROP COLUMN close_reason;
