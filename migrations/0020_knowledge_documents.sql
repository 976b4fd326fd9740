-- Every kind of knowledge search covers, as one relation: notes, tasks, goals,
-- courses, modules, topics and the resources a user added. Search ranks words on it
-- (each source keeps its own indexed tsvector), the indexer reads a source's text from
-- it, and the backfill walks it by id.
--
-- Goals, courses, modules and topics get the weighted `search` column notes, tasks
-- and resources already have (title A, text B), with its GIN index.
ALTER TABLE goals ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
 || setweight(to_tsvector('english', coalesce(description, '')), 'B')
) STORED;
ALTER TABLE courses ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
 || setweight(to_tsvector('english', coalesce(description, '')), 'B')
) STORED;
ALTER TABLE modules ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
 || setweight(to_tsvector('english', coalesce(description, '')), 'B')
) STORED;
ALTER TABLE topics ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A')
 || setweight(to_tsvector('english', coalesce(content, '')), 'B')
) STORED;
CREATE INDEX goals_search_idx ON goals USING gin (search);
CREATE INDEX courses_search_idx ON courses USING gin (search);
CREATE INDEX modules_search_idx ON modules USING gin (search);
CREATE INDEX topics_search_idx ON topics USING gin (search);

-- user_id: whose knowledge it is (a resource: who added it). body: the text besides
-- the title.
CREATE VIEW knowledge_documents AS
    SELECT user_id, 'note'::text AS source_type, id AS source_id, title, content AS body, search
      FROM notes
    UNION ALL
    SELECT user_id, 'task', id, title, coalesce(description, ''), search FROM tasks
    UNION ALL
    SELECT user_id, 'goal', id, title, coalesce(description, ''), search FROM goals
    UNION ALL
    SELECT user_id, 'course', id, title, coalesce(description, ''), search FROM courses
    UNION ALL
    SELECT user_id, 'module', id, title, coalesce(description, ''), search FROM modules
    UNION ALL
    SELECT user_id, 'topic', id, title, coalesce(content, ''), search FROM topics
    UNION ALL
    SELECT created_by, 'resource', id, title, concat_ws(E'\n', description, source), search
      FROM resources WHERE created_by IS NOT NULL;

-- A source that is deleted — by its own delete, with its course or module, or with
-- the account — loses its chunks in the same transaction: no write path can leave
-- vectors of a source that is gone.
-- The indexer takes the same per-source advisory lock before it writes (and then
-- checks that the source still exists), so a delete racing an indexing round never
-- leaves the round's vectors behind.
CREATE FUNCTION knowledge_lock(source_type text, source_id uuid) RETURNS void
    LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(hashtextextended(source_type || ':' || source_id::text, 0))
$$;
CREATE FUNCTION forget_knowledge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM knowledge_lock(TG_ARGV[0], OLD.id);
    DELETE FROM knowledge_chunks WHERE source_type = TG_ARGV[0] AND source_id = OLD.id;
    DELETE FROM knowledge_sources WHERE source_type = TG_ARGV[0] AND source_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER notes_forget_knowledge AFTER DELETE ON notes
    FOR EACH ROW EXECUTE FUNCTION forget_knowledge('note');
CREATE TRIGGER tasks_forget_knowledge AFTER DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION forget_knowledge('task');
CREATE TRIGGER goals_forget_knowledge AFTER DELETE ON goals
    FOR EACH ROW EXECUTE FUNCTION forget_knowledge('goal');
CREATE TRIGGER courses_forget_knowledge AFTER DELETE ON courses
    FOR EACH ROW EXECUTE FUNCTION forget_knowledge('course');
CREATE TRIGGER modules_forget_knowledge AFTER DELETE ON modules
    FOR EACH ROW EXECUTE FUNCTION forget_knowledge('module');
CREATE TRIGGER topics_forget_knowledge AFTER DELETE ON topics
    FOR EACH ROW EXECUTE FUNCTION forget_knowledge('topic');
CREATE TRIGGER resources_forget_knowledge AFTER DELETE ON resources
    FOR EACH ROW EXECUTE FUNCTION forget_knowledge('resource');

-- What the assistant's answers drew on: `[{source_type, source_id, title}]` on the
-- assistant's message, and gathered on its action for `chat.done`.
ALTER TABLE chat_messages ADD COLUMN sources jsonb
    CONSTRAINT chat_messages_sources_check CHECK (jsonb_typeof(sources) = 'array');
ALTER TABLE ai_actions ADD COLUMN sources jsonb
    CONSTRAINT ai_actions_sources_check CHECK (jsonb_typeof(sources) = 'array');
