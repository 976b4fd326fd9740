-- A recurring task's series is anchored at the local wall time of its first due
-- (RFC 5545 DTSTART), kept as local time so "every Monday 09:00" follows the user's
-- time zone if they move. Every occurrence carries the anchor and its 1-based index,
-- so COUNT and BYDAY positions are evaluated against the whole series, not restarted
-- at each occurrence.
ALTER TABLE tasks
    ADD COLUMN recurrence_anchor timestamp,
    ADD COLUMN occurrence_index integer NOT NULL DEFAULT 1
        CONSTRAINT tasks_occurrence_index_check CHECK (occurrence_index >= 1),
    ADD CONSTRAINT tasks_recurrence_anchor_check
        CHECK (recurrence_rule IS NULL OR recurrence_anchor IS NOT NULL);
