-- AI agent: conversations, messages, the action log (multi-step actions with their change
-- sets for undo), token usage for quotas.

CREATE TABLE conversations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            text CONSTRAINT conversations_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    -- What the conversation is about. context_type without context_id is allowed
    -- ("plan a new week" before the plan exists); NULL means a general chat.
    context_type     text CONSTRAINT conversations_context_type_check
                     CHECK (context_type IN ('course', 'module', 'topic', 'goal', 'task', 'schedule_block',
                                             'weekly_plan', 'daily_plan', 'plan_item', 'note', 'resource')),
    context_id       uuid,
    -- Bumped by the app on every message; the conversation list sorts by it.
    last_message_at  timestamptz NOT NULL DEFAULT now(),
    archived_at      timestamptz,
    -- "Clear history" hides messages created before cleared_at from history and from the
    -- model's context instead of deleting them, so action-log links stay valid.
    cleared_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversations_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT conversations_context_check CHECK (context_id IS NULL OR context_type IS NOT NULL)
);
CREATE INDEX conversations_user_recent_idx ON conversations (user_id, last_message_at DESC)
    WHERE archived_at IS NULL;
CREATE INDEX conversations_user_created_idx ON conversations (user_id, created_at DESC);
CREATE TRIGGER conversations_updated_at BEFORE UPDATE ON conversations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Append-only: no updated_at. An assistant turn is stored once its stream has finished.
CREATE TABLE chat_messages (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id    uuid NOT NULL,
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role               text NOT NULL
                       CONSTRAINT chat_messages_role_check CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    -- May be empty: an assistant turn can consist only of tool calls.
    content            text NOT NULL DEFAULT ''
                       CONSTRAINT chat_messages_content_check CHECK (char_length(content) <= 100000),
    -- OpenAI-style array of {id, type, function: {name, arguments}}.
    tool_calls         jsonb CONSTRAINT chat_messages_tool_calls_check CHECK (jsonb_typeof(tool_calls) = 'array'),
    tool_call_id       text CONSTRAINT chat_messages_tool_call_id_check CHECK (char_length(tool_call_id) BETWEEN 1 AND 200),
    prompt_tokens      integer CONSTRAINT chat_messages_prompt_tokens_check CHECK (prompt_tokens >= 0),
    completion_tokens  integer CONSTRAINT chat_messages_completion_tokens_check CHECK (completion_tokens >= 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chat_messages_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT chat_messages_conversation_fkey FOREIGN KEY (conversation_id, user_id)
        REFERENCES conversations (id, user_id) ON DELETE CASCADE,
    CONSTRAINT chat_messages_tool_check CHECK ((role = 'tool') = (tool_call_id IS NOT NULL)),
    CONSTRAINT chat_messages_tool_calls_role_check CHECK (tool_calls IS NULL OR role = 'assistant')
);
CREATE INDEX chat_messages_conversation_created_idx ON chat_messages (conversation_id, created_at);
CREATE INDEX chat_messages_user_created_idx ON chat_messages (user_id, created_at DESC);

CREATE TABLE ai_actions (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id        uuid,
    message_id             uuid,
    -- Where the request came from; MCP and voice actions may have no conversation.
    source                 text NOT NULL DEFAULT 'chat'
                           CONSTRAINT ai_actions_source_check CHECK (source IN ('chat', 'voice', 'mcp', 'system')),
    -- Temporal workflow id; NULL for single-step actions run inline.
    workflow_id            text CONSTRAINT ai_actions_workflow_id_check CHECK (char_length(workflow_id) BETWEEN 1 AND 255),
    status                 text NOT NULL DEFAULT 'pending'
                           CONSTRAINT ai_actions_status_check
                           CHECK (status IN ('pending', 'awaiting_confirmation', 'running', 'completed',
                                             'failed', 'rejected', 'expired', 'undone')),
    summary                text CONSTRAINT ai_actions_summary_check CHECK (char_length(summary) <= 2000),
    requires_confirmation  boolean NOT NULL DEFAULT false,
    expires_at             timestamptz,
    confirmed_at           timestamptz,
    completed_at           timestamptz,
    undone_at              timestamptz,
    error                  text CONSTRAINT ai_actions_error_check CHECK (char_length(error) <= 10000),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_actions_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT ai_actions_workflow_id_key UNIQUE (workflow_id),
    -- The action log outlives the chat it came from, so undo still works after a
    -- conversation is deleted.
    CONSTRAINT ai_actions_conversation_fkey FOREIGN KEY (conversation_id, user_id)
        REFERENCES conversations (id, user_id) ON DELETE SET NULL (conversation_id),
    CONSTRAINT ai_actions_message_fkey FOREIGN KEY (message_id, user_id)
        REFERENCES chat_messages (id, user_id) ON DELETE SET NULL (message_id),
    CONSTRAINT ai_actions_confirmation_check
        CHECK (status <> 'awaiting_confirmation' OR requires_confirmation),
    CONSTRAINT ai_actions_undone_check CHECK ((status = 'undone') = (undone_at IS NOT NULL))
);
CREATE INDEX ai_actions_user_created_idx ON ai_actions (user_id, created_at DESC);
CREATE INDEX ai_actions_user_status_idx ON ai_actions (user_id, status, created_at DESC);
CREATE INDEX ai_actions_conversation_idx ON ai_actions (conversation_id, created_at)
    WHERE conversation_id IS NOT NULL;
CREATE INDEX ai_actions_message_idx ON ai_actions (message_id) WHERE message_id IS NOT NULL;
-- Expiry sweep of unconfirmed actions.
CREATE INDEX ai_actions_awaiting_expires_idx ON ai_actions (expires_at)
    WHERE status = 'awaiting_confirmation';
-- Admin "failed actions" list.
CREATE INDEX ai_actions_failed_idx ON ai_actions (updated_at DESC) WHERE status = 'failed';
CREATE TRIGGER ai_actions_updated_at BEFORE UPDATE ON ai_actions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One row per tool call. before/after are the change set: undo restores `before` for the
-- entity (entity_type, entity_id); before = NULL means the step created it, after = NULL
-- means it deleted it.
CREATE TABLE ai_action_steps (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action_id     uuid NOT NULL,
    step_index    integer NOT NULL CONSTRAINT ai_action_steps_step_index_check CHECK (step_index >= 0),
    tool_name     text NOT NULL CONSTRAINT ai_action_steps_tool_name_check CHECK (char_length(tool_name) BETWEEN 1 AND 100),
    arguments     jsonb NOT NULL DEFAULT '{}'::jsonb,
    result        jsonb,
    status        text NOT NULL DEFAULT 'pending'
                  CONSTRAINT ai_action_steps_status_check
                  CHECK (status IN ('pending', 'running', 'completed', 'failed', 'skipped', 'undone')),
    error         text CONSTRAINT ai_action_steps_error_check CHECK (char_length(error) <= 10000),
    entity_type   text CONSTRAINT ai_action_steps_entity_type_check
                  CHECK (entity_type IN ('course', 'module', 'topic', 'goal', 'task', 'schedule_block',
                                         'schedule_block_exception', 'weekly_plan', 'daily_plan', 'plan_item',
                                         'note', 'resource', 'user_resource')),
    entity_id     uuid,
    before        jsonb,
    after         jsonb,
    started_at    timestamptz,
    finished_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ai_action_steps_action_fkey FOREIGN KEY (action_id, user_id)
        REFERENCES ai_actions (id, user_id) ON DELETE CASCADE,
    -- Not deferrable: Temporal retries an activity, and the step row is written with
    -- ON CONFLICT ON CONSTRAINT ai_action_steps_action_step_key.
    CONSTRAINT ai_action_steps_action_step_key UNIQUE (action_id, step_index),
    CONSTRAINT ai_action_steps_entity_check CHECK (entity_id IS NULL OR entity_type IS NOT NULL)
);
CREATE INDEX ai_action_steps_user_entity_idx ON ai_action_steps (user_id, entity_type, entity_id);
CREATE TRIGGER ai_action_steps_updated_at BEFORE UPDATE ON ai_action_steps
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE token_usage (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id    uuid,
    provider           text NOT NULL CONSTRAINT token_usage_provider_check CHECK (char_length(provider) BETWEEN 1 AND 100),
    model              text NOT NULL CONSTRAINT token_usage_model_check CHECK (char_length(model) BETWEEN 1 AND 200),
    kind               text NOT NULL
                       CONSTRAINT token_usage_kind_check CHECK (kind IN ('chat', 'embedding', 'stt', 'tts')),
    prompt_tokens      integer NOT NULL DEFAULT 0 CONSTRAINT token_usage_prompt_tokens_check CHECK (prompt_tokens >= 0),
    completion_tokens  integer NOT NULL DEFAULT 0 CONSTRAINT token_usage_completion_tokens_check CHECK (completion_tokens >= 0),
    -- Speech is billed by duration, not tokens.
    audio_seconds      real CONSTRAINT token_usage_audio_seconds_check CHECK (audio_seconds >= 0),
    -- Optional caller-chosen id (e.g. workflow id + activity id) so a retried activity
    -- records its usage once: ON CONFLICT ON CONSTRAINT token_usage_request_id_key DO NOTHING.
    request_id         text CONSTRAINT token_usage_request_id_check CHECK (char_length(request_id) BETWEEN 1 AND 255),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT token_usage_request_id_key UNIQUE (request_id),
    CONSTRAINT token_usage_conversation_fkey FOREIGN KEY (conversation_id, user_id)
        REFERENCES conversations (id, user_id) ON DELETE SET NULL (conversation_id)
);
-- Covering index: the quota check sums tokens over a window without touching the heap.
CREATE INDEX token_usage_user_created_idx ON token_usage (user_id, created_at)
    INCLUDE (prompt_tokens, completion_tokens);
CREATE INDEX token_usage_conversation_idx ON token_usage (conversation_id) WHERE conversation_id IS NOT NULL;
