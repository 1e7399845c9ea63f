-- A call for a person keeps the service the resident was using (the
-- visit's last: a tile's key or a catalogue entry's slug), so that the
-- console says "Đang ở: khai từng mục (Đăng ký tạm trú)".
-- +goose Up
ALTER TABLE help_requests ADD COLUMN service text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE help_requests DROP COLUMN service;
