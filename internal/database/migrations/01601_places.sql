-- Tourist information: places, events and safety tips for visitors, in
-- Vietnamese and English, loaded by `station import` from the reviewed
-- dataset and corrected by ward staff. A row staff edited (edited_by set) is
-- never overwritten by an import.
-- +goose Up
CREATE TABLE places (
    slug        text        PRIMARY KEY,
    kind        text        NOT NULL,
    name        text        NOT NULL,
    name_en     text        NOT NULL,
    summary     text        NOT NULL,
    summary_en  text        NOT NULL,
    address     text        NOT NULL,
    location    geography(Point, 4326) NOT NULL,
    hours       text        NOT NULL DEFAULT '',
    hours_en    text        NOT NULL DEFAULT '',
    aliases     text[]      NOT NULL DEFAULT '{}',
    source_name text        NOT NULL,
    source_url  text        NOT NULL DEFAULT '',
    checked_on  date        NOT NULL,
    uncertain   text[]      NOT NULL DEFAULT '{}',
    edited_by   text,
    edited_at   timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE visitor_tips (
    position   integer     PRIMARY KEY,
    text       text        NOT NULL,
    text_en    text        NOT NULL,
    checked_on date        NOT NULL
);

-- +goose Down
DROP TABLE visitor_tips;
DROP TABLE places;
