-- Which state of a user's vectors of one model a process has in memory: the array
-- vector engine caches each user's vectors (VECTOR_CACHE_MB) and, before every query,
-- compares the version it loaded with this row. Every statement that writes chunks
-- gives the (user, model) pairs it touched a new version, in the writing transaction,
-- so a write is seen by the next query of any process once it commits.
--
-- Versions come from one sequence: a value is never given twice (even to a row
-- deleted and made again), so "same version" means "same chunks". A user with chunks
-- always has a row (the insert trigger makes it; existing chunks are counted below);
-- a query that finds no row reads the chunks from the table.
CREATE SEQUENCE knowledge_version_seq;
CREATE TABLE knowledge_versions (
    user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    model    text NOT NULL,
    version  bigint NOT NULL,
    PRIMARY KEY (user_id, model)
);
INSERT INTO knowledge_versions (user_id, model, version)
SELECT user_id, model, nextval('knowledge_version_seq')
  FROM (SELECT DISTINCT user_id, model FROM knowledge_chunks) c;

-- Inserted (or updated to) pairs: made or bumped. Once per statement (a source's
-- chunks are written by one statement per round), not once per row.
CREATE FUNCTION knowledge_versions_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO knowledge_versions AS v (user_id, model, version)
    SELECT user_id, model, nextval('knowledge_version_seq')
      FROM (SELECT DISTINCT user_id, model FROM new_rows ORDER BY user_id, model) c
    ON CONFLICT (user_id, model) DO UPDATE SET version = nextval('knowledge_version_seq');
    RETURN NULL;
END
$$;
-- Deleted (or updated away from) pairs: bumped, never made (an account being deleted
-- has lost its row already: no insert may reference it).
CREATE FUNCTION knowledge_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE knowledge_versions v SET version = nextval('knowledge_version_seq')
      FROM (SELECT DISTINCT user_id, model FROM old_rows ORDER BY user_id, model) c
     WHERE v.user_id = c.user_id AND v.model = c.model;
    RETURN NULL;
END
$$;
CREATE TRIGGER knowledge_chunks_version_insert AFTER INSERT ON knowledge_chunks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_versions_touch();
CREATE TRIGGER knowledge_chunks_version_update_new AFTER UPDATE ON knowledge_chunks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_versions_touch();
CREATE TRIGGER knowledge_chunks_version_update_old AFTER UPDATE ON knowledge_chunks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_versions_bump();
CREATE TRIGGER knowledge_chunks_version_delete AFTER DELETE ON knowledge_chunks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_versions_bump();
