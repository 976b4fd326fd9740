-- How long before its due a timed task reminds its owner (NULL: no reminder).
ALTER TABLE tasks
    ADD COLUMN reminder_minutes integer
        CONSTRAINT tasks_reminder_minutes_check CHECK (reminder_minutes BETWEEN 0 AND 10080);
