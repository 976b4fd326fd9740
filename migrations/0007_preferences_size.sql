-- Preferences are merged key by key on each update, so a per-request size check alone
-- would let them grow without bound: cap the stored document.
ALTER TABLE users
    ADD CONSTRAINT users_preferences_size_check CHECK (octet_length(preferences::text) <= 16384);
