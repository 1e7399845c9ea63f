-- +goose Up
-- Openings the guide did not understand: those that found no procedure,
-- those whose candidates the resident refused, and those abandoned at the
-- list of candidates. The text is masked (numbers and names) before it is
-- stored; nothing links it to a session or a resident. Staff with
-- catalogue rights resolve one by teaching the catalogue the phrase.
CREATE TABLE assistant_misses (
    id            bigserial   PRIMARY KEY,
    kind          text        NOT NULL CHECK (kind IN ('not_found', 'none_of_these', 'abandoned')),
    text          text        NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
    station_id    text,
    offered       text[]      NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz,
    resolved_by   text,
    resolved_slug text,
    resolved_as   text        CHECK (resolved_as IN ('alias', 'example', 'dismissed'))
);
CREATE INDEX assistant_misses_open_idx ON assistant_misses (created_at DESC) WHERE resolved_at IS NULL;

-- Phrases staff taught the catalogue, kept apart from the shipped entries
-- so that every import adds them again: an alias is a name residents use
-- for the procedure, an example a whole sentence that asks for it.
CREATE TABLE procedure_learned_phrases (
    slug       text        NOT NULL,
    phrase     text        NOT NULL CHECK (length(phrase) BETWEEN 1 AND 500),
    kind       text        NOT NULL CHECK (kind IN ('alias', 'example')),
    miss_id    bigint      REFERENCES assistant_misses (id) ON DELETE SET NULL,
    added_by   text        NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (slug, phrase)
);

-- +goose Down
DROP TABLE procedure_learned_phrases;
DROP TABLE assistant_misses;
