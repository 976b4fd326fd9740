-- Planning: courses -> modules -> topics, goals -> tasks, schedule blocks (+ per-occurrence
-- exceptions), weekly plans -> daily plans -> plan items; users.calendar_token.
--
-- Conventions used from here on:
-- * Every user-owned table, children included, carries user_id, and every table other rows
--   point at has UNIQUE (id, user_id). Links are composite FKs (x_id, user_id), so the
--   database itself refuses a row that points at another user's course/goal/task.
-- * Optional links use PostgreSQL 15's ON DELETE SET NULL (x_id): only the link column is
--   cleared, never user_id (which is NOT NULL).
-- * position columns: UNIQUE (parent, position) is DEFERRABLE INITIALLY DEFERRED so a
--   reorder can swap positions inside one transaction. A deferrable constraint cannot be an
--   ON CONFLICT arbiter; none of them is meant to be one.

-- Opaque secret for the read-only iCalendar feed URL (/calendar/{token}.ics). NULL until
-- the user enables the feed; rotating it means overwriting it.
ALTER TABLE users
    ADD COLUMN calendar_token text
        CONSTRAINT users_calendar_token_check
        CHECK (calendar_token IS NULL OR char_length(calendar_token) BETWEEN 32 AND 128),
    ADD CONSTRAINT users_calendar_token_key UNIQUE (calendar_token);

-- array_to_string() is only STABLE (element output functions in general may depend on
-- settings); for text[] it is immutable, which generated tsvector columns require.
CREATE FUNCTION tags_to_text(tags text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(array_to_string(tags, ' '), '') $$;

-- Per-element checks cannot be written inline in a CHECK (no subqueries).
CREATE FUNCTION tags_are_valid(tags text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT tags IS NOT NULL
           AND cardinality(tags) <= 20
           AND coalesce(array_ndims(tags), 1) = 1
           AND NOT EXISTS (
                SELECT 1 FROM unnest(tags) AS t(tag)
                 WHERE tag IS NULL OR btrim(tag) = '' OR char_length(tag) > 50)
    $$;

-- ---------------------------------------------------------------------------------------
-- Courses -> modules -> topics
-- ---------------------------------------------------------------------------------------
CREATE TABLE courses (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            text NOT NULL
                     CONSTRAINT courses_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    description      text CONSTRAINT courses_description_check CHECK (char_length(description) <= 10000),
    difficulty       text CONSTRAINT courses_difficulty_check
                     CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    estimated_hours  real CONSTRAINT courses_estimated_hours_check
                     CHECK (estimated_hours > 0 AND estimated_hours <= 10000),
    target_date      date,
    -- Maintained by the topic/module roll-up triggers below.
    progress         real NOT NULL DEFAULT 0 CONSTRAINT courses_progress_check CHECK (progress BETWEEN 0 AND 1),
    is_ai_generated  boolean NOT NULL DEFAULT false,
    completed_at     timestamptz,
    archived_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT courses_id_user_id_key UNIQUE (id, user_id)
);
CREATE INDEX courses_user_created_idx ON courses (user_id, created_at DESC);
CREATE INDEX courses_user_active_idx ON courses (user_id, updated_at DESC) WHERE archived_at IS NULL;
CREATE INDEX courses_user_target_date_idx ON courses (user_id, target_date) WHERE target_date IS NOT NULL;
CREATE TRIGGER courses_updated_at BEFORE UPDATE ON courses
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE modules (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    course_id        uuid NOT NULL,
    title            text NOT NULL
                     CONSTRAINT modules_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    description      text CONSTRAINT modules_description_check CHECK (char_length(description) <= 10000),
    position         integer NOT NULL CONSTRAINT modules_position_check CHECK (position >= 0),
    completed        boolean NOT NULL DEFAULT false,
    completed_at     timestamptz,
    -- Maintained by the roll-up triggers: share of completed topics, or 0/1 from
    -- `completed` when the module has no topics.
    progress         real NOT NULL DEFAULT 0 CONSTRAINT modules_progress_check CHECK (progress BETWEEN 0 AND 1),
    is_ai_generated  boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT modules_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT modules_course_fkey FOREIGN KEY (course_id, user_id)
        REFERENCES courses (id, user_id) ON DELETE CASCADE,
    CONSTRAINT modules_course_position_key UNIQUE (course_id, position) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT modules_completed_check CHECK (completed = (completed_at IS NOT NULL))
);
CREATE INDEX modules_user_id_idx ON modules (user_id);
CREATE TRIGGER modules_updated_at BEFORE UPDATE ON modules
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE topics (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    module_id        uuid NOT NULL,
    title            text NOT NULL
                     CONSTRAINT topics_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    content          text CONSTRAINT topics_content_check CHECK (char_length(content) <= 100000),
    position         integer NOT NULL CONSTRAINT topics_position_check CHECK (position >= 0),
    completed        boolean NOT NULL DEFAULT false,
    completed_at     timestamptz,
    estimated_hours  real CONSTRAINT topics_estimated_hours_check
                     CHECK (estimated_hours > 0 AND estimated_hours <= 1000),
    is_ai_generated  boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT topics_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT topics_module_fkey FOREIGN KEY (module_id, user_id)
        REFERENCES modules (id, user_id) ON DELETE CASCADE,
    CONSTRAINT topics_module_position_key UNIQUE (module_id, position) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT topics_completed_check CHECK (completed = (completed_at IS NOT NULL))
);
CREATE INDEX topics_user_id_idx ON topics (user_id);
CREATE TRIGGER topics_updated_at BEFORE UPDATE ON topics
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Progress roll-up lives in the database so every writer (REST, agent tools, MCP, undo)
-- keeps module/course progress right without remembering to. The parent row is locked
-- first: under READ COMMITTED the next statement then takes a fresh snapshot that already
-- sees a concurrent sibling's committed change, so two topics completed at once cannot
-- both compute from a stale count.
CREATE FUNCTION refresh_module_progress(p_module_id uuid) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM modules WHERE id = p_module_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE modules m
       SET progress = coalesce(
               (SELECT avg(t.completed::int)::real FROM topics t WHERE t.module_id = m.id),
               m.completed::int::real)
     WHERE m.id = p_module_id
       AND m.progress IS DISTINCT FROM coalesce(
               (SELECT avg(t.completed::int)::real FROM topics t WHERE t.module_id = m.id),
               m.completed::int::real);
END;
$$;

CREATE FUNCTION refresh_course_progress(p_course_id uuid) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM courses WHERE id = p_course_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE courses c
       SET progress = coalesce((SELECT avg(m.progress)::real FROM modules m WHERE m.course_id = c.id), 0)
     WHERE c.id = p_course_id
       AND c.progress IS DISTINCT FROM
           coalesce((SELECT avg(m.progress)::real FROM modules m WHERE m.course_id = c.id), 0);
END;
$$;

CREATE FUNCTION topics_rollup() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM refresh_module_progress(OLD.module_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.module_id <> OLD.module_id) THEN
        PERFORM refresh_module_progress(NEW.module_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER topics_rollup
    AFTER INSERT OR DELETE OR UPDATE OF completed, module_id ON topics
    FOR EACH ROW EXECUTE FUNCTION topics_rollup();

CREATE FUNCTION modules_rollup() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- A module's own `completed` only counts when it has no topics.
    IF TG_OP = 'UPDATE' AND NEW.completed <> OLD.completed THEN
        PERFORM refresh_module_progress(NEW.id);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM refresh_course_progress(OLD.course_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.course_id <> OLD.course_id) THEN
        PERFORM refresh_course_progress(NEW.course_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER modules_rollup
    AFTER INSERT OR DELETE OR UPDATE OF progress, completed, course_id ON modules
    FOR EACH ROW EXECUTE FUNCTION modules_rollup();

-- ---------------------------------------------------------------------------------------
-- Goals -> tasks
-- ---------------------------------------------------------------------------------------
CREATE TABLE goals (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            text NOT NULL
                     CONSTRAINT goals_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    description      text CONSTRAINT goals_description_check CHECK (char_length(description) <= 10000),
    priority         text NOT NULL DEFAULT 'medium'
                     CONSTRAINT goals_priority_check CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    status           text NOT NULL DEFAULT 'NOT_STARTED'
                     CONSTRAINT goals_status_check
                     CHECK (status IN ('NOT_STARTED', 'IN_PROGRESS', 'COMPLETED', 'ABANDONED')),
    time_horizon     text CONSTRAINT goals_time_horizon_check CHECK (time_horizon IN ('short', 'medium', 'long')),
    target_date      date,
    -- Set by the app (manually or from its tasks); goals may be tracked without tasks.
    progress         real NOT NULL DEFAULT 0 CONSTRAINT goals_progress_check CHECK (progress BETWEEN 0 AND 1),
    is_ai_generated  boolean NOT NULL DEFAULT false,
    completed_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT goals_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT goals_completed_check CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL))
);
CREATE INDEX goals_user_created_idx ON goals (user_id, created_at DESC);
CREATE INDEX goals_user_status_idx ON goals (user_id, status);
CREATE INDEX goals_user_target_date_idx ON goals (user_id, target_date)
    WHERE target_date IS NOT NULL AND status IN ('NOT_STARTED', 'IN_PROGRESS');
CREATE TRIGGER goals_updated_at BEFORE UPDATE ON goals
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE tasks (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id               uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    goal_id               uuid,
    title                 text NOT NULL
                          CONSTRAINT tasks_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    description           text CONSTRAINT tasks_description_check CHECK (char_length(description) <= 10000),
    priority              text NOT NULL DEFAULT 'medium'
                          CONSTRAINT tasks_priority_check CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    tags                  text[] NOT NULL DEFAULT '{}'
                          CONSTRAINT tasks_tags_check CHECK (tags_are_valid(tags)),
    -- A task is due either at an instant (due_at) or on a whole day in the user's time zone
    -- (due_date); never both.
    due_at                timestamptz,
    due_date              date,
    recurrence_rule       text CONSTRAINT tasks_recurrence_rule_check
                          CHECK (char_length(recurrence_rule) <= 1000 AND recurrence_rule ~* 'FREQ='),
    recurrence_mode       text NOT NULL DEFAULT 'from_due'
                          CONSTRAINT tasks_recurrence_mode_check CHECK (recurrence_mode IN ('from_due', 'from_completion')),
    recurrence_parent_id  uuid,
    completed             boolean NOT NULL DEFAULT false,
    completed_at          timestamptz,
    -- Sort key only. Not unique: tasks are created concurrently (recurrence, agent, REST)
    -- and mostly stand alone; ties fall back to created_at.
    position              integer NOT NULL DEFAULT 0 CONSTRAINT tasks_position_check CHECK (position >= 0),
    is_ai_generated       boolean NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    search                tsvector GENERATED ALWAYS AS (
                              setweight(to_tsvector('english', title), 'A')
                           || setweight(to_tsvector('english', coalesce(description, '')), 'B')
                           || setweight(to_tsvector('english', tags_to_text(tags)), 'C')
                          ) STORED,
    CONSTRAINT tasks_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT tasks_goal_fkey FOREIGN KEY (goal_id, user_id)
        REFERENCES goals (id, user_id) ON DELETE SET NULL (goal_id),
    CONSTRAINT tasks_recurrence_parent_fkey FOREIGN KEY (recurrence_parent_id, user_id)
        REFERENCES tasks (id, user_id) ON DELETE SET NULL (recurrence_parent_id),
    -- Completing a recurring task inserts its successor with
    -- ON CONFLICT ON CONSTRAINT tasks_next_occurrence_key DO NOTHING: retries and double
    -- clicks can never create two next occurrences.
    CONSTRAINT tasks_next_occurrence_key UNIQUE (recurrence_parent_id),
    CONSTRAINT tasks_recurrence_parent_check CHECK (recurrence_parent_id <> id),
    CONSTRAINT tasks_due_check CHECK (due_at IS NULL OR due_date IS NULL),
    CONSTRAINT tasks_completed_check CHECK (completed = (completed_at IS NOT NULL))
);
CREATE INDEX tasks_user_created_idx ON tasks (user_id, created_at DESC);
CREATE INDEX tasks_user_pending_due_at_idx ON tasks (user_id, due_at) WHERE NOT completed;
CREATE INDEX tasks_user_pending_due_date_idx ON tasks (user_id, due_date) WHERE NOT completed;
CREATE INDEX tasks_user_completed_idx ON tasks (user_id, completed_at DESC) WHERE completed;
CREATE INDEX tasks_user_priority_idx ON tasks (user_id, priority, created_at DESC);
CREATE INDEX tasks_goal_idx ON tasks (goal_id, position) WHERE goal_id IS NOT NULL;
-- Reminder reconciliation after restarts scans pending timed tasks across users.
CREATE INDEX tasks_pending_due_at_idx ON tasks (due_at) WHERE NOT completed AND due_at IS NOT NULL;
CREATE INDEX tasks_search_idx ON tasks USING gin (search);
CREATE INDEX tasks_tags_idx ON tasks USING gin (tags);
CREATE TRIGGER tasks_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------
-- Schedule
-- ---------------------------------------------------------------------------------------
-- Overlaps are allowed on purpose (people do double-book); conflict detection is a query
-- that reports them, not an exclusion constraint that refuses them.
CREATE TABLE schedule_blocks (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title              text NOT NULL
                       CONSTRAINT schedule_blocks_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    description        text CONSTRAINT schedule_blocks_description_check CHECK (char_length(description) <= 10000),
    -- start_at/end_at are the first occurrence; `timezone` (IANA name, validated by the app)
    -- is the zone the RRULE is expanded in, so a weekly 09:00 stays 09:00 across DST.
    -- No default: silently using UTC would shift recurring blocks twice a year.
    start_at           timestamptz NOT NULL,
    end_at             timestamptz NOT NULL,
    timezone           text NOT NULL CONSTRAINT schedule_blocks_timezone_check CHECK (char_length(timezone) BETWEEN 1 AND 64),
    block_type         text NOT NULL DEFAULT 'study'
                       CONSTRAINT schedule_blocks_block_type_check
                       CHECK (block_type IN ('study', 'class', 'task', 'break', 'exercise', 'personal', 'work', 'other')),
    course_id          uuid,
    goal_id            uuid,
    task_id            uuid,
    recurrence_rule    text CONSTRAINT schedule_blocks_recurrence_rule_check
                       CHECK (char_length(recurrence_rule) <= 1000 AND recurrence_rule ~* 'FREQ='),
    -- End of the last occurrence when the RRULE is bounded (UNTIL/COUNT), NULL when
    -- unbounded or not recurring. Lets range queries skip finished series; leaving it NULL
    -- is always correct, only less selective.
    recurrence_end_at  timestamptz,
    reminder_minutes   integer CONSTRAINT schedule_blocks_reminder_minutes_check
                       CHECK (reminder_minutes BETWEEN 0 AND 10080),
    completed_at       timestamptz,
    is_ai_generated    boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schedule_blocks_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT schedule_blocks_time_range_check CHECK (end_at > start_at),
    CONSTRAINT schedule_blocks_recurrence_end_check
        CHECK (recurrence_end_at IS NULL OR (recurrence_rule IS NOT NULL AND recurrence_end_at >= end_at)),
    CONSTRAINT schedule_blocks_course_fkey FOREIGN KEY (course_id, user_id)
        REFERENCES courses (id, user_id) ON DELETE SET NULL (course_id),
    CONSTRAINT schedule_blocks_goal_fkey FOREIGN KEY (goal_id, user_id)
        REFERENCES goals (id, user_id) ON DELETE SET NULL (goal_id),
    CONSTRAINT schedule_blocks_task_fkey FOREIGN KEY (task_id, user_id)
        REFERENCES tasks (id, user_id) ON DELETE SET NULL (task_id)
);
CREATE INDEX schedule_blocks_user_start_idx ON schedule_blocks (user_id, start_at);
CREATE INDEX schedule_blocks_user_recurring_idx ON schedule_blocks (user_id, start_at)
    WHERE recurrence_rule IS NOT NULL;
CREATE INDEX schedule_blocks_course_idx ON schedule_blocks (course_id) WHERE course_id IS NOT NULL;
CREATE INDEX schedule_blocks_goal_idx ON schedule_blocks (goal_id) WHERE goal_id IS NOT NULL;
CREATE INDEX schedule_blocks_task_idx ON schedule_blocks (task_id) WHERE task_id IS NOT NULL;
-- Reminder reconciliation after restarts.
CREATE INDEX schedule_blocks_reminder_idx ON schedule_blocks (start_at)
    WHERE reminder_minutes IS NOT NULL AND completed_at IS NULL;
CREATE TRIGGER schedule_blocks_updated_at BEFORE UPDATE ON schedule_blocks
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One row per occurrence of a recurring block that differs from the rule (RFC 5545
-- RECURRENCE-ID semantics): cancelled, moved/retitled, or completed. occurrence_start is the
-- start the RRULE generated, so it stays the key even when the occurrence is moved.
CREATE TABLE schedule_block_exceptions (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    block_id           uuid NOT NULL,
    occurrence_start   timestamptz NOT NULL,
    cancelled          boolean NOT NULL DEFAULT false,
    override_start_at  timestamptz,
    override_end_at    timestamptz,
    override_title     text CONSTRAINT schedule_block_exceptions_override_title_check
                       CHECK (char_length(override_title) <= 200 AND btrim(override_title) <> ''),
    completed_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schedule_block_exceptions_block_fkey FOREIGN KEY (block_id, user_id)
        REFERENCES schedule_blocks (id, user_id) ON DELETE CASCADE,
    CONSTRAINT schedule_block_exceptions_occurrence_key UNIQUE (block_id, occurrence_start),
    CONSTRAINT schedule_block_exceptions_override_check
        CHECK ((override_start_at IS NULL) = (override_end_at IS NULL)
               AND (override_end_at IS NULL OR override_end_at > override_start_at)),
    CONSTRAINT schedule_block_exceptions_cancelled_check
        CHECK (NOT cancelled OR (override_start_at IS NULL AND override_title IS NULL AND completed_at IS NULL))
);
CREATE INDEX schedule_block_exceptions_user_occurrence_idx
    ON schedule_block_exceptions (user_id, occurrence_start);
CREATE INDEX schedule_block_exceptions_user_override_idx
    ON schedule_block_exceptions (user_id, override_start_at) WHERE override_start_at IS NOT NULL;
CREATE TRIGGER schedule_block_exceptions_updated_at BEFORE UPDATE ON schedule_block_exceptions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------
-- Weekly plans -> daily plans -> plan items
-- ---------------------------------------------------------------------------------------
CREATE TABLE weekly_plans (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    week_start       date NOT NULL,
    focus_areas      text[] NOT NULL DEFAULT '{}'
                     CONSTRAINT weekly_plans_focus_areas_check CHECK (tags_are_valid(focus_areas)),
    summary          text CONSTRAINT weekly_plans_summary_check CHECK (char_length(summary) <= 10000),
    status           text NOT NULL DEFAULT 'draft'
                     CONSTRAINT weekly_plans_status_check CHECK (status IN ('draft', 'active', 'completed')),
    is_ai_generated  boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT weekly_plans_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT weekly_plans_user_week_key UNIQUE (user_id, week_start)
);
CREATE INDEX weekly_plans_user_status_idx ON weekly_plans (user_id, status);
CREATE TRIGGER weekly_plans_updated_at BEFORE UPDATE ON weekly_plans
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE daily_plans (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_date        date NOT NULL,
    weekly_plan_id   uuid,
    summary          text CONSTRAINT daily_plans_summary_check CHECK (char_length(summary) <= 10000),
    status           text NOT NULL DEFAULT 'draft'
                     CONSTRAINT daily_plans_status_check CHECK (status IN ('draft', 'active', 'completed')),
    is_ai_generated  boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT daily_plans_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT daily_plans_user_date_key UNIQUE (user_id, plan_date),
    -- A day plan can exist without a week plan, so deleting the week keeps its days.
    CONSTRAINT daily_plans_weekly_plan_fkey FOREIGN KEY (weekly_plan_id, user_id)
        REFERENCES weekly_plans (id, user_id) ON DELETE SET NULL (weekly_plan_id)
);
CREATE INDEX daily_plans_weekly_plan_idx ON daily_plans (weekly_plan_id, plan_date)
    WHERE weekly_plan_id IS NOT NULL;
CREATE TRIGGER daily_plans_updated_at BEFORE UPDATE ON daily_plans
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE plan_items (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    daily_plan_id    uuid NOT NULL,
    title            text NOT NULL
                     CONSTRAINT plan_items_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    notes            text CONSTRAINT plan_items_notes_check CHECK (char_length(notes) <= 10000),
    status           text NOT NULL DEFAULT 'todo'
                     CONSTRAINT plan_items_status_check CHECK (status IN ('todo', 'in_progress', 'done', 'skipped')),
    priority         text NOT NULL DEFAULT 'medium'
                     CONSTRAINT plan_items_priority_check CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    position         integer NOT NULL CONSTRAINT plan_items_position_check CHECK (position >= 0),
    goal_id          uuid,
    task_id          uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plan_items_daily_plan_fkey FOREIGN KEY (daily_plan_id, user_id)
        REFERENCES daily_plans (id, user_id) ON DELETE CASCADE,
    CONSTRAINT plan_items_daily_plan_position_key UNIQUE (daily_plan_id, position) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT plan_items_goal_fkey FOREIGN KEY (goal_id, user_id)
        REFERENCES goals (id, user_id) ON DELETE SET NULL (goal_id),
    CONSTRAINT plan_items_task_fkey FOREIGN KEY (task_id, user_id)
        REFERENCES tasks (id, user_id) ON DELETE SET NULL (task_id)
);
CREATE INDEX plan_items_user_status_idx ON plan_items (user_id, status);
CREATE INDEX plan_items_goal_idx ON plan_items (goal_id) WHERE goal_id IS NOT NULL;
CREATE INDEX plan_items_task_idx ON plan_items (task_id) WHERE task_id IS NOT NULL;
CREATE TRIGGER plan_items_updated_at BEFORE UPDATE ON plan_items
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
