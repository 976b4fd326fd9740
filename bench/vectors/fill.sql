-- The vector benchmark's data: :users users with :per_user chunks each (384-dimension
-- random unit vectors, 4 chunks a source, ~700 characters of text a chunk), in the
-- knowledge_chunks table of migration 0019 and the versions of 0021 (with a stand-in
-- users table: the benchmark needs nothing else). Run with psql -v users=100 -v per_user=10000.
\set ON_ERROR_STOP 1
CREATE TABLE IF NOT EXISTS users (id uuid PRIMARY KEY);
\ir ../../migrations/0019_knowledge_chunks.sql
\ir ../../migrations/0021_knowledge_versions.sql
INSERT INTO users (id)
SELECT ('00000000-0000-0000-0000-' || lpad(u::text, 12, '0'))::uuid
  FROM generate_series(0, :users - 1) u;
ALTER TABLE knowledge_chunks SET (autovacuum_enabled = false);
INSERT INTO knowledge_chunks (user_id, source_type, source_id, chunk_index, content,
                              content_hash, model, dimension, embedding)
SELECT ('00000000-0000-0000-0000-' || lpad((g % :users)::text, 12, '0'))::uuid,
       'note',
       ('00000000-0000-0000-' || lpad(((g / :users) / 4)::text, 4, '0') || '-'
         || lpad((g % :users)::text, 12, '0'))::uuid,
       (g / :users) % 4,
       'chunk ' || g || ' ' || repeat('photosynthesis turns light into sugar ', 18),
       md5(g::text),
       'local/all-MiniLM-L6-v2',
       384,
       (SELECT array_agg((x / n)::real)
          FROM (SELECT x, sqrt(sum(x * x) OVER ()) AS n
                  FROM (SELECT random() - 0.5 AS x FROM generate_series(1, 384) WHERE g >= 0) r) s)
  FROM generate_series(0, :users * :per_user - 1) g;
ALTER TABLE knowledge_chunks RESET (autovacuum_enabled);
VACUUM ANALYZE knowledge_chunks;
