-- The metrics scrape asks for the outbox backlog (count and oldest pending start) on
-- every scrape: a partial index on the pending rows' age keeps that a short
-- index scan, however large the table of started workflows grows.
CREATE INDEX workflow_outbox_pending_created_idx ON workflow_outbox (created_at)
    WHERE started_at IS NULL;
