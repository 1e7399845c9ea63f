-- +goose Up
-- Vectors live in their own table: a 384-float vector makes a chunk row so
-- wide that each takes a page of its own, and full-text search, which reads
-- the tsvector of every chunk it ranks, then reads a page per chunk.
DROP INDEX IF EXISTS procedure_chunks_embedding_idx;
ALTER TABLE procedure_chunks DROP COLUMN embedding;
CREATE TABLE procedure_vectors (
    chunk_id  bigint      PRIMARY KEY REFERENCES procedure_chunks (id) ON DELETE CASCADE,
    embedding vector(384) NOT NULL
);
CREATE INDEX procedure_vectors_embedding_idx ON procedure_vectors USING hnsw (embedding vector_cosine_ops);
-- The catalogue must be imported again to fill the new table.
DELETE FROM procedure_catalogue;

-- +goose Down
DROP TABLE procedure_vectors;
ALTER TABLE procedure_chunks ADD COLUMN embedding vector(384);
CREATE INDEX procedure_chunks_embedding_idx ON procedure_chunks USING hnsw (embedding vector_cosine_ops);
DELETE FROM procedure_catalogue;
