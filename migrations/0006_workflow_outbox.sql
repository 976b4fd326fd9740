-- Workflow starts that must not be lost. A request that changes data and must start a
-- workflow writes a row here in the same transaction; the API starts the workflow
-- right after commit and marks the row, and a relay retries rows left unstarted
-- (Temporal down, process killed between commit and start). Workflow ids are
-- deterministic, so a start that is retried after it succeeded is a no-op.
CREATE TABLE workflow_outbox (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid REFERENCES users (id) ON DELETE CASCADE,
    workflow_type  text NOT NULL CHECK (char_length(workflow_type) BETWEEN 1 AND 100),
    workflow_id    text NOT NULL CHECK (char_length(workflow_id) BETWEEN 1 AND 255),
    input          jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    attempts       integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error     text,
    CONSTRAINT workflow_outbox_workflow_id_key UNIQUE (workflow_id)
);
CREATE INDEX workflow_outbox_user_id_idx ON workflow_outbox (user_id);
CREATE INDEX workflow_outbox_pending_idx ON workflow_outbox (next_attempt_at)
    WHERE started_at IS NULL;
