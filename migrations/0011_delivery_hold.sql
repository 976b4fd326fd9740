-- Quiet hours hold e-mail deliveries: the row stays 'pending' and records until when,
-- so operators can tell a held delivery from a stuck one.
ALTER TABLE deliveries ADD COLUMN held_until timestamptz;
CREATE INDEX deliveries_held_idx ON deliveries (held_until) WHERE held_until IS NOT NULL;
