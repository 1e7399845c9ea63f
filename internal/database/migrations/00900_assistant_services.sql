-- The assistant carries residents through the kiosk's own services: two
-- more stages, the bills found and the payment QR shown.
-- +goose Up
ALTER TABLE assistant_sessions DROP CONSTRAINT assistant_sessions_stage_check;
ALTER TABLE assistant_sessions ADD CONSTRAINT assistant_sessions_stage_check
    CHECK (stage IN ('identify', 'confirm', 'explain', 'collect', 'review', 'done', 'handoff', 'bills', 'pay'));

-- +goose Down
UPDATE assistant_sessions SET stage = 'review' WHERE stage IN ('bills', 'pay');
ALTER TABLE assistant_sessions DROP CONSTRAINT assistant_sessions_stage_check;
ALTER TABLE assistant_sessions ADD CONSTRAINT assistant_sessions_stage_check
    CHECK (stage IN ('identify', 'confirm', 'explain', 'collect', 'review', 'done', 'handoff'));
