-- Accounts: users, refresh-token families, OAuth identities, audit log.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS citext;

-- Keeps updated_at honest without every query having to remember it.
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           citext NOT NULL,
    password_hash   text,
    name            text CHECK (name IS NULL OR char_length(name) BETWEEN 1 AND 100),
    role            text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    tier            text NOT NULL DEFAULT 'FREE'
                    CHECK (tier IN ('FREE', 'PREMIUM_MONTHLY', 'PREMIUM_YEARLY')),
    timezone        text NOT NULL DEFAULT 'UTC',
    preferences     jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(preferences) = 'object'),
    email_verified  boolean NOT NULL DEFAULT false,
    is_active       boolean NOT NULL DEFAULT true,
    last_login_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_role_idx ON users (role) WHERE role = 'admin';
CREATE INDEX users_tier_idx ON users (tier);
CREATE INDEX users_created_at_idx ON users (created_at);
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Refresh tokens are stored as SHA-256 hashes. Every login starts a family; each refresh
-- spends one token and issues the next in the same family. Presenting a spent token
-- (reuse) revokes the whole family.
CREATE TABLE refresh_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id    uuid NOT NULL,
    token_hash   bytea NOT NULL,
    issued_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    spent_at     timestamptz,
    revoked_at   timestamptz,
    user_agent   text,
    ip           inet,
    CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash),
    CHECK (expires_at > issued_at)
);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

CREATE TABLE oauth_identities (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider         text NOT NULL CHECK (provider IN ('google')),
    provider_subject text NOT NULL,
    email            citext,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT oauth_identities_provider_subject_key UNIQUE (provider, provider_subject)
);
CREATE INDEX oauth_identities_user_id_idx ON oauth_identities (user_id);

-- Audit entries outlive the user they describe (ON DELETE SET NULL), so an account
-- deletion is itself auditable.
CREATE TABLE audit_log (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    actor_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    subject_id   uuid REFERENCES users (id) ON DELETE SET NULL,
    action       text NOT NULL CHECK (char_length(action) BETWEEN 1 AND 100),
    details      jsonb NOT NULL DEFAULT '{}'::jsonb,
    request_id   text,
    ip           inet,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id);
CREATE INDEX audit_log_subject_id_idx ON audit_log (subject_id);
CREATE INDEX audit_log_action_created_idx ON audit_log (action, created_at DESC);
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at DESC);
