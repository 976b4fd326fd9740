-- The user's knowledge, cut for search: each source (a note today; tasks, goals,
-- resources, courses, modules and topics next) becomes overlapping chunks, each with
-- its text, a hash of that text (an unchanged chunk is never embedded again), the
-- vector and the model that made it (a new model or dimension re-embeds).
--
-- Full-text ranking reads the sources' own search columns (it works the moment a
-- source is written, and while the embedding provider is down); chunks serve the
-- meaning. Vectors are real[] here: the engine that scans a user's chunks needs no extension.
-- The SQL stays pgvector-compatible (`embedding::vector` casts) for the engine that
-- has it.
CREATE TABLE knowledge_chunks (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source_type   text NOT NULL CONSTRAINT knowledge_chunks_source_type_check
                  CHECK (source_type IN ('note', 'resource', 'task', 'goal', 'course', 'module', 'topic')),
    source_id     uuid NOT NULL,
    chunk_index   integer NOT NULL CONSTRAINT knowledge_chunks_index_check CHECK (chunk_index >= 0),
    content       text NOT NULL,
    content_hash  text NOT NULL,
    model         text NOT NULL,
    dimension     integer NOT NULL,
    embedding     real[] NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT knowledge_chunks_source_key UNIQUE (source_type, source_id, chunk_index),
    CONSTRAINT knowledge_chunks_embedding_check
        CHECK (array_ndims(embedding) = 1 AND cardinality(embedding) = dimension)
);

-- A user's chunks of one model: what the semantic scan reads.
CREATE INDEX knowledge_chunks_user_model_idx ON knowledge_chunks (user_id, model, source_type);

-- Where each source's index stands: `pending` from the write that changed it until
-- its chunks are written (a provider that is down leaves it pending, retried).
CREATE TABLE knowledge_sources (
    source_type   text NOT NULL,
    source_id     uuid NOT NULL,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'pending'
                  CONSTRAINT knowledge_sources_status_check CHECK (status IN ('pending', 'indexed')),
    model         text,
    chunks        integer NOT NULL DEFAULT 0,
    -- How many times its chunks were written (a burst of edits is one).
    rounds        integer NOT NULL DEFAULT 0,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    indexed_at    timestamptz,
    PRIMARY KEY (source_type, source_id)
);
CREATE INDEX knowledge_sources_pending_idx ON knowledge_sources (requested_at)
    WHERE status = 'pending';
