-- Voice messages: a recording posted to a conversation, transcribed, answered by the
-- assistant (an ai_action like a typed message) and the answer spoken. The audio lives
-- in the audio store (a local directory or S3); this table holds its keys.
CREATE TABLE voice_messages (
    id                    uuid PRIMARY KEY,
    user_id               uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id       uuid NOT NULL,
    -- The ai_action answering the message (created with it, so the client can follow
    -- its chat.* events from the start).
    action_id             uuid NOT NULL,
    workflow_id           text NOT NULL CONSTRAINT voice_messages_workflow_id_key UNIQUE,
    status                text NOT NULL DEFAULT 'transcribing'
                          CONSTRAINT voice_messages_status_check
                          CHECK (status IN ('transcribing', 'answering', 'speaking', 'completed', 'failed')),
    audio_key             text NOT NULL CONSTRAINT voice_messages_audio_key_check CHECK (char_length(audio_key) BETWEEN 1 AND 300),
    audio_format          text NOT NULL CONSTRAINT voice_messages_audio_format_check CHECK (char_length(audio_format) BETWEEN 1 AND 20),
    audio_bytes           integer NOT NULL CONSTRAINT voice_messages_audio_bytes_check CHECK (audio_bytes > 0),
    language              text CONSTRAINT voice_messages_language_check CHECK (char_length(language) BETWEEN 2 AND 3),
    -- What was heard, once (a retried transcription reads it back instead of hearing again).
    transcript            text CONSTRAINT voice_messages_transcript_check CHECK (char_length(transcript) <= 100000),
    duration_secs         real CONSTRAINT voice_messages_duration_check CHECK (duration_secs >= 0),
    -- The user's chat message holding the transcript.
    message_id            uuid,
    answer_audio_key      text CONSTRAINT voice_messages_answer_key_check CHECK (char_length(answer_audio_key) BETWEEN 1 AND 300),
    answer_format         text CONSTRAINT voice_messages_answer_format_check CHECK (char_length(answer_format) BETWEEN 1 AND 20),
    answer_duration_secs  real CONSTRAINT voice_messages_answer_duration_check CHECK (answer_duration_secs >= 0),
    -- Set once `voice.pending` was sent (the speech server was down), so it is sent once.
    pending_notified_at   timestamptz,
    error                 text CONSTRAINT voice_messages_error_check CHECK (char_length(error) <= 2000),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT voice_messages_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT voice_messages_conversation_fkey FOREIGN KEY (conversation_id, user_id)
        REFERENCES conversations (id, user_id) ON DELETE CASCADE
);
CREATE INDEX voice_messages_created_idx ON voice_messages (created_at);
CREATE INDEX voice_messages_user_created_idx ON voice_messages (user_id, created_at DESC);
CREATE TRIGGER voice_messages_updated_at BEFORE UPDATE ON voice_messages
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Audio objects to delete from the store. A deleted voice message (its retention ran
-- out, its conversation or its account was deleted) queues its objects here in the
-- same transaction, so no path that deletes rows can leave audio behind; the
-- `voice_retention` workflow deletes the objects, then these rows.
-- An upload is queued here *before* it is stored, due an hour later, and unqueued by
-- the transaction that records its voice message: a process that dies between the
-- upload and that commit leaves no audio behind either.
CREATE TABLE audio_deletions (
    audio_key   text PRIMARY KEY,
    not_before  timestamptz NOT NULL DEFAULT now(),
    queued_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audio_deletions_due_idx ON audio_deletions (not_before);
CREATE FUNCTION queue_audio_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audio_deletions (audio_key) VALUES (OLD.audio_key)
        ON CONFLICT (audio_key) DO UPDATE SET not_before = now();
    IF OLD.answer_audio_key IS NOT NULL THEN
        INSERT INTO audio_deletions (audio_key) VALUES (OLD.answer_audio_key)
            ON CONFLICT (audio_key) DO UPDATE SET not_before = now();
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER voice_messages_queue_audio_deletion AFTER DELETE ON voice_messages
    FOR EACH ROW EXECUTE FUNCTION queue_audio_deletion();

-- Where a chat message came from: typed, or heard from a voice message.
ALTER TABLE chat_messages ADD COLUMN source text NOT NULL DEFAULT 'chat'
    CONSTRAINT chat_messages_source_check CHECK (source IN ('chat', 'voice', 'mcp'));
