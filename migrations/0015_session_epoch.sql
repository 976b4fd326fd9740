-- Ending every session of an account at once (password change, log out everywhere,
-- a Google sign-in taking over an unverified address, deletion): each access token
-- carries the epoch it was issued in, and one issued before the account's current
-- epoch is refused everywhere (REST, WebSocket, SSE, MCP). Monotonic: only ever
-- incremented, so a cached copy can be merged by taking the larger value.
ALTER TABLE users ADD COLUMN session_epoch bigint NOT NULL DEFAULT 0
    CONSTRAINT users_session_epoch_check CHECK (session_epoch >= 0);

-- The sessions list (one row per refresh-token family) reads a user's live tokens.
CREATE INDEX refresh_tokens_user_live_idx ON refresh_tokens (user_id, family_id, issued_at DESC)
    WHERE revoked_at IS NULL;
