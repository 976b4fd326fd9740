-- The hybrid search benchmark's data, in a database with every migration applied:
-- :users users; the first has :per_user / 4 notes of study text (a few hundred words
-- each, from a vocabulary of ~100 words) and their :per_user chunks, 4 a note; every
-- other user :per_user chunks of sources that are not rows. Chunks are written
-- interleaved (user after user), so one user's rows are scattered as they are when
-- written over time. Vectors: 384-dimension random unit vectors.
-- Run with psql -v users=10 -v per_user=10000.
\set ON_ERROR_STOP 1
INSERT INTO users (id, email)
SELECT ('00000000-0000-0000-0000-' || lpad(u::text, 12, '0'))::uuid, 'bench' || u || '@maigie.test'
  FROM generate_series(0, :users - 1) u;
CREATE TEMP TABLE vocabulary AS
SELECT row_number() OVER () - 1 AS i, w FROM unnest(string_to_array(
  'photosynthesis chlorophyll mitochondria enzyme protein cell membrane nucleus osmosis '
  'diffusion respiration glucose starch energy light reaction calvin cycle carbon dioxide '
  'oxygen water plant leaf root stem algebra equation matrix vector derivative integral '
  'limit function graph calculus probability statistics variance mean median theorem proof '
  'history revolution empire treaty war trade economy market supply demand inflation bank '
  'chemistry atom molecule bond acid base salt ion electron proton neutron periodic table '
  'physics force mass velocity acceleration momentum gravity wave frequency circuit current '
  'voltage resistance magnet literature poem novel author essay grammar vocabulary exam '
  'revision homework deadline lecture seminar reading notes summary', ' ')) w;
INSERT INTO notes (id, user_id, title, content)
SELECT ('00000000-0000-0000-' || lpad(n::text, 4, '0') || '-000000000000')::uuid,
       '00000000-0000-0000-0000-000000000000',
       'Note ' || n || ': ' || (SELECT w FROM vocabulary WHERE i = n % (SELECT count(*) FROM vocabulary)) || ' and '
         || (SELECT w FROM vocabulary WHERE i = (n * 7) % (SELECT count(*) FROM vocabulary)),
       (SELECT string_agg(v.w, ' ') FROM generate_series(1, 300) k
          JOIN vocabulary v ON v.i = (n * 31 + k * k * 17 + k) % (SELECT count(*) FROM vocabulary) WHERE n >= 0)
  FROM generate_series(0, :per_user / 4 - 1) n;
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
VACUUM ANALYZE notes;
