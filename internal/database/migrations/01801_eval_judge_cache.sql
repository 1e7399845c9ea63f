-- +goose Up
-- A judge model's grades, keyed by a hash of the judge, the rubric and the
-- reply, so that a rerun grades only what changed (like eval_cache for the
-- answers).
CREATE TABLE eval_judge_cache (
    key        text             PRIMARY KEY,
    judge      text             NOT NULL,
    score      double precision NOT NULL,
    reason     text             NOT NULL,
    created_at timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX eval_judge_cache_created_idx ON eval_judge_cache (created_at);

-- +goose Down
DROP TABLE eval_judge_cache;
