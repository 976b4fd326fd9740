-- A webhook event is recorded, then handed to its customer's lifecycle workflow
-- (signal-with-start). Events not yet handed off (Temporal down, process killed) are
-- retried by the API's relay; the workflow's apply activity is idempotent per event.
ALTER TABLE billing_events ADD COLUMN handed_off_at timestamptz;
CREATE INDEX billing_events_handoff_idx ON billing_events (received_at) WHERE handed_off_at IS NULL;
