-- Single-use tokens mailed to prove control of an address: password reset, e-mail
-- verification, confirming a change of address, reverting one. Only a SHA-256 of the
-- token is stored, so a read of this table cannot be replayed as a link.
--
-- `request_key` groups the tokens of one mailing: an activity retried after a send
-- that may have gone through issues a fresh token under the same key (the plaintext
-- is never stored to resend), and using any of them spends them all.
CREATE TABLE account_tokens (
    token_hash   bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose      text NOT NULL CONSTRAINT account_tokens_purpose_check
                 CHECK (purpose IN ('password_reset', 'verify_email', 'email_change', 'email_revert')),
    -- The address the token proves (the new one for a change, the old one for a revert).
    email        citext NOT NULL,
    request_key  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);

CREATE INDEX account_tokens_user_live_idx ON account_tokens (user_id, purpose)
    WHERE used_at IS NULL;
CREATE INDEX account_tokens_request_idx ON account_tokens (request_key);

-- When the address was last proven (NULL: never, or proven before this column).
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
