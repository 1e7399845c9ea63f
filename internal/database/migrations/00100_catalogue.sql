-- +goose Up
-- The procedure catalogue: one row per entry (the whole entry as jsonb, plus
-- the columns lists filter on), the chunks search runs over, and one row that
-- records which import is current and which embedder made the vectors.

CREATE TABLE procedure_catalogue (
    id          boolean     PRIMARY KEY DEFAULT true CHECK (id), -- a single row
    version     bigint      NOT NULL,
    content_sha text        NOT NULL, -- of the entries and the embedder, for idempotent imports
    embedder    text        NOT NULL, -- e.g. local:v1 or ollama:nomic-embed-text
    dimension   integer     NOT NULL,
    entries     integer     NOT NULL,
    chunks      integer     NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE procedure_entries (
    slug       text  PRIMARY KEY,
    name       text  NOT NULL,
    grp        text  NOT NULL,
    kind       text  NOT NULL CHECK (kind IN ('procedure', 'service')),
    online     text  NOT NULL CHECK (online IN ('full', 'partial', 'none')),
    checked_on date  NOT NULL,
    body       jsonb NOT NULL
);
CREATE INDEX procedure_entries_group_idx ON procedure_entries (grp, kind);

-- The vector column's dimension is the default local embedder's; an import
-- with another embedder changes the column type and rebuilds the index in its
-- transaction.
CREATE TABLE procedure_chunks (
    id         bigserial PRIMARY KEY,
    slug       text      NOT NULL REFERENCES procedure_entries (slug) ON DELETE CASCADE,
    section    text      NOT NULL, -- overview, eligibility, step 2, documents, fees, ...
    ord        integer   NOT NULL, -- order within the entry
    body       text      NOT NULL, -- NFC, shown as the citation
    folded     text      NOT NULL, -- diacritics folded in Go, for matching
    tsv        tsvector  GENERATED ALWAYS AS (to_tsvector('simple', folded)) STORED,
    embedding  vector(384) NOT NULL
);
CREATE INDEX procedure_chunks_slug_idx ON procedure_chunks (slug);
CREATE INDEX procedure_chunks_tsv_idx ON procedure_chunks USING gin (tsv);
CREATE INDEX procedure_chunks_embedding_idx ON procedure_chunks USING hnsw (embedding vector_cosine_ops);

-- Every word of the catalogue's folded text, for correcting residents' typos
-- with trigram similarity before the full-text query.
CREATE TABLE procedure_terms (
    term text PRIMARY KEY
);
CREATE INDEX procedure_terms_trgm_idx ON procedure_terms USING gin (term gin_trgm_ops);

-- +goose Down
DROP TABLE procedure_terms;
DROP TABLE procedure_chunks;
DROP TABLE procedure_entries;
DROP TABLE procedure_catalogue;
