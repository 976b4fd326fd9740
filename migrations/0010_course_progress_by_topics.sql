-- Course progress counts topics, not modules: a course of a 1-topic module and a
-- 3-topic module with one topic done is 25% done (it was the mean of the module means,
-- 50%). A module without topics counts as one unit, done when it is completed.
CREATE OR REPLACE FUNCTION refresh_course_progress(p_course_id uuid) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM courses WHERE id = p_course_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE courses c
       SET progress = sub.share
      FROM (SELECT coalesce(sum(m.progress * greatest(n.topics, 1)) / nullif(sum(greatest(n.topics, 1)), 0), 0)::real AS share
              FROM modules m
              CROSS JOIN LATERAL (SELECT count(*) AS topics FROM topics t WHERE t.module_id = m.id) n
             WHERE m.course_id = p_course_id) sub
     WHERE c.id = p_course_id
       AND c.progress IS DISTINCT FROM sub.share;
END;
$$;
