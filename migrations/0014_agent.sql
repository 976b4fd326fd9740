-- The AI agent at work: idempotent chat turns, the monthly message quota, MCP tokens
-- and schedule-generation drafts.

-- A workflow activity that writes a message may run twice (retry after a crash): the
-- key makes the second write a no-op. `<action id>:<kind>:<n>`.
ALTER TABLE chat_messages ADD COLUMN dedupe_key text
    CONSTRAINT chat_messages_dedupe_key_check CHECK (char_length(dedupe_key) BETWEEN 1 AND 255);
ALTER TABLE chat_messages ADD CONSTRAINT chat_messages_dedupe_key_key UNIQUE (dedupe_key);
-- Keyset pagination of a conversation's history (newest first).
CREATE INDEX chat_messages_conversation_page_idx ON chat_messages (conversation_id, created_at DESC, id DESC);

-- Which tool iteration of the action a step belongs to, and why it waits.
ALTER TABLE ai_action_steps ADD COLUMN call_id text
    CONSTRAINT ai_action_steps_call_id_check CHECK (char_length(call_id) BETWEEN 1 AND 200);
ALTER TABLE ai_action_steps ADD CONSTRAINT ai_action_steps_action_call_key UNIQUE (action_id, call_id);
ALTER TABLE ai_action_steps ADD COLUMN changes jsonb NOT NULL DEFAULT '[]'::jsonb
    CONSTRAINT ai_action_steps_changes_check CHECK (jsonb_typeof(changes) = 'array');
ALTER TABLE ai_actions ADD COLUMN provider text
    CONSTRAINT ai_actions_provider_check CHECK (char_length(provider) <= 100);
ALTER TABLE ai_actions ADD COLUMN iterations integer NOT NULL DEFAULT 0
    CONSTRAINT ai_actions_iterations_check CHECK (iterations >= 0);
ALTER TABLE ai_actions ADD COLUMN pending_calls jsonb
    CONSTRAINT ai_actions_pending_calls_check CHECK (jsonb_typeof(pending_calls) = 'array');

-- Chat messages counted against the tier's monthly allowance. A counter (not a count of
-- chat_messages) so deleting a conversation does not give messages back; the
-- conditional upsert makes the check and the increment one atomic statement.
CREATE TABLE ai_message_counts (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- First day of the UTC month counted.
    month      date NOT NULL,
    messages   integer NOT NULL DEFAULT 0 CONSTRAINT ai_message_counts_messages_check CHECK (messages >= 0),
    PRIMARY KEY (user_id, month)
);

-- Bearer tokens for the MCP endpoint. Only a SHA-256 of the token is kept.
CREATE TABLE mcp_tokens (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CONSTRAINT mcp_tokens_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
    token_hash    bytea NOT NULL CONSTRAINT mcp_tokens_token_hash_key UNIQUE,
    scopes        text[] NOT NULL
                  CONSTRAINT mcp_tokens_scopes_check CHECK (scopes <@ ARRAY['read', 'write', 'delete']::text[]),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mcp_tokens_user_idx ON mcp_tokens (user_id, created_at DESC);

-- A generated schedule waiting for the user: the planner's blocks as JSON, accepted
-- (blocks created) or discarded.
CREATE TABLE schedule_drafts (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workflow_id   text NOT NULL CONSTRAINT schedule_drafts_workflow_id_key UNIQUE,
    status        text NOT NULL DEFAULT 'generating'
                  CONSTRAINT schedule_drafts_status_check
                  CHECK (status IN ('generating', 'ready', 'accepted', 'discarded', 'failed')),
    window_from   timestamptz NOT NULL,
    window_to     timestamptz NOT NULL,
    options       jsonb NOT NULL DEFAULT '{}'::jsonb,
    plan          jsonb,
    explanation   text CONSTRAINT schedule_drafts_explanation_check CHECK (char_length(explanation) <= 5000),
    created_blocks uuid[] NOT NULL DEFAULT '{}',
    error         text CONSTRAINT schedule_drafts_error_check CHECK (char_length(error) <= 2000),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT schedule_drafts_window_check CHECK (window_to > window_from)
);
CREATE INDEX schedule_drafts_user_idx ON schedule_drafts (user_id, created_at DESC);
CREATE TRIGGER schedule_drafts_updated_at BEFORE UPDATE ON schedule_drafts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
