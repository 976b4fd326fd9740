-- Notes, the resource catalogue, a user's saved resources; embedding storage for
-- semantic search.
--
-- No pgvector: embeddings are real[] and similarity is computed by cosine_similarity()
-- below (or in Rust). Per-user note sets are small enough for an exact scan.
--
-- Embedding freshness: content_hash is generated from the embedded text; the indexer
-- stores the hash it embedded in embedding_hash. A row needs (re-)embedding exactly when
-- embedding_hash IS DISTINCT FROM content_hash, and the indexer writes back with
-- `WHERE id = $1 AND content_hash = $hash`, so an edit racing the indexer is never marked
-- fresh. The indexer also sets embedding_updated_at; the updated_at trigger skips those
-- writes so re-indexing does not look like a user edit.

CREATE FUNCTION cosine_similarity(a real[], b real[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT CASE WHEN cardinality(a) <> cardinality(b) OR na = 0 OR nb = 0 THEN NULL
                    ELSE dot / sqrt(na * nb) END
          FROM (SELECT sum(x::float8 * y) AS dot, sum(x::float8 * x) AS na, sum(y::float8 * y) AS nb
                  FROM unnest(a, b) AS t(x, y)) s
    $$;

CREATE TABLE notes (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id               uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title                 text NOT NULL
                          CONSTRAINT notes_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    -- Markdown. Capped well below the 1 MB tsvector limit.
    content               text NOT NULL DEFAULT ''
                          CONSTRAINT notes_content_check CHECK (char_length(content) <= 200000),
    summary               text CONSTRAINT notes_summary_check CHECK (char_length(summary) <= 5000),
    course_id             uuid,
    topic_id              uuid,
    tags                  text[] NOT NULL DEFAULT '{}'
                          CONSTRAINT notes_tags_check CHECK (tags_are_valid(tags)),
    archived_at           timestamptz,
    search                tsvector GENERATED ALWAYS AS (
                              setweight(to_tsvector('english', title), 'A')
                           || setweight(to_tsvector('english', content), 'B')
                           || setweight(to_tsvector('english', tags_to_text(tags)), 'C')
                          ) STORED,
    content_hash          text GENERATED ALWAYS AS (md5(title || E'\n' || content)) STORED,
    embedding             real[],
    embedding_model       text CONSTRAINT notes_embedding_model_check CHECK (char_length(embedding_model) BETWEEN 1 AND 200),
    embedding_hash        text,
    embedding_updated_at  timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notes_embedding_check
        CHECK (embedding IS NULL OR (array_ndims(embedding) = 1 AND cardinality(embedding) BETWEEN 1 AND 8192)),
    CONSTRAINT notes_course_fkey FOREIGN KEY (course_id, user_id)
        REFERENCES courses (id, user_id) ON DELETE SET NULL (course_id),
    CONSTRAINT notes_topic_fkey FOREIGN KEY (topic_id, user_id)
        REFERENCES topics (id, user_id) ON DELETE SET NULL (topic_id)
);
CREATE INDEX notes_user_updated_idx ON notes (user_id, updated_at DESC) WHERE archived_at IS NULL;
CREATE INDEX notes_user_created_idx ON notes (user_id, created_at DESC);
CREATE INDEX notes_user_archived_idx ON notes (user_id, archived_at DESC) WHERE archived_at IS NOT NULL;
CREATE INDEX notes_course_idx ON notes (course_id) WHERE course_id IS NOT NULL;
CREATE INDEX notes_topic_idx ON notes (topic_id) WHERE topic_id IS NOT NULL;
CREATE INDEX notes_search_idx ON notes USING gin (search);
CREATE INDEX notes_tags_idx ON notes USING gin (tags);
CREATE INDEX notes_embedding_stale_idx ON notes (updated_at)
    WHERE embedding_hash IS DISTINCT FROM content_hash;
CREATE TRIGGER notes_updated_at BEFORE UPDATE ON notes
    FOR EACH ROW WHEN (OLD.embedding_updated_at IS NOT DISTINCT FROM NEW.embedding_updated_at)
    EXECUTE FUNCTION set_updated_at();

-- Shared catalogue (not owned by one user). Rows a user adds are private to them
-- (is_public = false) until published, so one user's links and titles never show up in
-- another user's search. created_by is SET NULL, not CASCADE, because public rows are
-- referenced by other users' saves; private rows orphaned by an account deletion are
-- unreachable and can be purged with
-- `DELETE FROM resources WHERE created_by IS NULL AND NOT is_public`.
CREATE TABLE resources (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title                 text NOT NULL
                          CONSTRAINT resources_title_check CHECK (char_length(title) <= 300 AND btrim(title) <> ''),
    resource_type         text NOT NULL
                          CONSTRAINT resources_resource_type_check
                          CHECK (resource_type IN ('article', 'video', 'course', 'book', 'podcast',
                                                   'exercise', 'documentation', 'other')),
    url                   text NOT NULL
                          CONSTRAINT resources_url_check CHECK (char_length(url) <= 2048 AND url ~* '^https?://[^[:space:]]+$'),
    source                text CONSTRAINT resources_source_check CHECK (char_length(source) BETWEEN 1 AND 200),
    difficulty            text CONSTRAINT resources_difficulty_check
                          CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    duration_minutes      integer CONSTRAINT resources_duration_minutes_check CHECK (duration_minutes BETWEEN 0 AND 100000),
    thumbnail_url         text CONSTRAINT resources_thumbnail_url_check
                          CHECK (char_length(thumbnail_url) <= 2048 AND thumbnail_url ~* '^https?://[^[:space:]]+$'),
    description           text CONSTRAINT resources_description_check CHECK (char_length(description) <= 10000),
    created_by            uuid REFERENCES users (id) ON DELETE SET NULL,
    is_public             boolean NOT NULL DEFAULT false,
    search                tsvector GENERATED ALWAYS AS (
                              setweight(to_tsvector('english', title), 'A')
                           || setweight(to_tsvector('english', coalesce(description, '')), 'B')
                           || setweight(to_tsvector('english', coalesce(source, '')), 'C')
                          ) STORED,
    content_hash          text GENERATED ALWAYS AS (md5(title || E'\n' || coalesce(description, ''))) STORED,
    embedding             real[],
    embedding_model       text CONSTRAINT resources_embedding_model_check CHECK (char_length(embedding_model) BETWEEN 1 AND 200),
    embedding_hash        text,
    embedding_updated_at  timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT resources_embedding_check
        CHECK (embedding IS NULL OR (array_ndims(embedding) = 1 AND cardinality(embedding) BETWEEN 1 AND 8192))
);
-- Public catalogue entries are deduplicated by URL (upsert target:
-- ON CONFLICT (url) WHERE is_public); private copies of the same URL may coexist.
CREATE UNIQUE INDEX resources_public_url_key ON resources (url) WHERE is_public;
CREATE INDEX resources_created_by_idx ON resources (created_by, created_at DESC) WHERE created_by IS NOT NULL;
CREATE INDEX resources_public_type_idx ON resources (resource_type, created_at DESC) WHERE is_public;
CREATE INDEX resources_public_created_idx ON resources (created_at DESC) WHERE is_public;
CREATE INDEX resources_search_idx ON resources USING gin (search);
CREATE INDEX resources_embedding_stale_idx ON resources (updated_at)
    WHERE embedding_hash IS DISTINCT FROM content_hash;
CREATE TRIGGER resources_updated_at BEFORE UPDATE ON resources
    FOR EACH ROW WHEN (OLD.embedding_updated_at IS NOT DISTINCT FROM NEW.embedding_updated_at)
    EXECUTE FUNCTION set_updated_at();

CREATE TABLE user_resources (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    resource_id   uuid NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    progress      real NOT NULL DEFAULT 0 CONSTRAINT user_resources_progress_check CHECK (progress BETWEEN 0 AND 1),
    rating        integer CONSTRAINT user_resources_rating_check CHECK (rating BETWEEN 1 AND 5),
    notes         text CONSTRAINT user_resources_notes_check CHECK (char_length(notes) <= 10000),
    completed_at  timestamptz,
    saved_at      timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_resources_user_resource_key UNIQUE (user_id, resource_id)
);
CREATE INDEX user_resources_user_saved_idx ON user_resources (user_id, saved_at DESC);
CREATE INDEX user_resources_user_completed_idx ON user_resources (user_id, completed_at DESC)
    WHERE completed_at IS NOT NULL;
CREATE INDEX user_resources_resource_idx ON user_resources (resource_id);
CREATE TRIGGER user_resources_updated_at BEFORE UPDATE ON user_resources
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
