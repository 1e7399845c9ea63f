-- The assistant answers the tourist information itself: one more stage,
-- the visitor's search of the station's places.
-- +goose Up
ALTER TABLE assistant_sessions DROP CONSTRAINT assistant_sessions_stage_check;
ALTER TABLE assistant_sessions ADD CONSTRAINT assistant_sessions_stage_check
    CHECK (stage IN ('identify', 'confirm', 'explain', 'collect', 'review', 'done', 'handoff', 'bills', 'pay', 'places'));

-- +goose Down
UPDATE assistant_sessions SET stage = 'identify' WHERE stage = 'places';
ALTER TABLE assistant_sessions DROP CONSTRAINT assistant_sessions_stage_check;
ALTER TABLE assistant_sessions ADD CONSTRAINT assistant_sessions_stage_check
    CHECK (stage IN ('identify', 'confirm', 'explain', 'collect', 'review', 'done', 'handoff', 'bills', 'pay'));
