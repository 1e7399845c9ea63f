-- +goose Up
-- Past evaluation runs, listed for the staff console; the whole report
-- (every case, attempt and transcript) is kept as JSON.
CREATE TABLE eval_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz      NOT NULL,
    finished_at  timestamptz      NOT NULL,
    passed       boolean          NOT NULL,
    pass_rate    double precision NOT NULL,
    suites       integer          NOT NULL,
    cases        integer          NOT NULL,
    -- label is what the evaluator called the run (a git ref, a prompt change).
    label        text             NOT NULL DEFAULT '',
    -- summary holds per suite and provider: name, provider, model, prompt
    -- version, pass rate, threshold, passed.
    summary      jsonb            NOT NULL,
    report       jsonb            NOT NULL
);
CREATE INDEX eval_runs_started_idx ON eval_runs (started_at DESC);

-- Model answers, keyed by a hash of provider, model, prompt version, inputs
-- and repeat number, so that a rerun with nothing changed costs nothing.
CREATE TABLE eval_cache (
    key            text        PRIMARY KEY,
    provider       text        NOT NULL,
    model          text        NOT NULL,
    prompt_version text        NOT NULL,
    transcript     jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eval_cache_created_idx ON eval_cache (created_at);

-- +goose Down
DROP TABLE eval_cache;
DROP TABLE eval_runs;
