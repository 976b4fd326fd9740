-- Notifications and reminder deliveries, Stripe subscriptions and the webhook event
-- ledger, daily analytics, Idempotency-Key storage.
--
-- Notification preferences (channels on/off, quiet hours, default reminder minutes) live in
-- users.preferences (jsonb): they are read with the user on every request anyway and never
-- queried across users, so a table would add a join and nothing else.

-- Only read_at ever changes, and it is its own timestamp: no updated_at.
CREATE TABLE notifications (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text NOT NULL
                 CONSTRAINT notifications_kind_check CHECK (kind IN ('reminder', 'ai_action', 'billing', 'plan', 'system')),
    title        text NOT NULL
                 CONSTRAINT notifications_title_check CHECK (char_length(title) <= 200 AND btrim(title) <> ''),
    body         text CONSTRAINT notifications_body_check CHECK (char_length(body) <= 5000),
    data         jsonb NOT NULL DEFAULT '{}'::jsonb
                 CONSTRAINT notifications_data_check CHECK (jsonb_typeof(data) = 'object'),
    source_type  text CONSTRAINT notifications_source_type_check
                 CHECK (source_type IN ('task', 'schedule_block', 'goal', 'course', 'note', 'weekly_plan',
                                        'daily_plan', 'ai_action', 'subscription')),
    -- Not a foreign key: the notification stays readable after its source is deleted.
    source_id    uuid,
    -- Lets a retried workflow activity create its notification once:
    -- ON CONFLICT ON CONSTRAINT notifications_user_dedupe_key DO NOTHING.
    dedupe_key   text CONSTRAINT notifications_dedupe_key_check CHECK (char_length(dedupe_key) BETWEEN 1 AND 255),
    read_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notifications_id_user_id_key UNIQUE (id, user_id),
    CONSTRAINT notifications_user_dedupe_key UNIQUE (user_id, dedupe_key),
    CONSTRAINT notifications_source_check CHECK (source_id IS NULL OR source_type IS NOT NULL)
);
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_user_unread_idx ON notifications (user_id, created_at DESC) WHERE read_at IS NULL;

-- Exactly-once delivery: before sending on a channel, the dispatcher inserts
-- (reminder_key, occurrence_at, channel) with ON CONFLICT ON CONSTRAINT deliveries_once_key
-- DO NOTHING and only sends if it won the insert (or the existing row is still 'pending'
-- and it holds the row lock). reminder_key names the source, e.g. 'task:<uuid>' or
-- 'block:<uuid>'; occurrence_at is the occurrence the reminder is for, so a moved due date
-- gets a fresh key and a replayed workflow does not.
CREATE TABLE deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SET NULL: clearing notifications must not delete the row that guards against resending.
    notification_id  uuid,
    reminder_key     text NOT NULL CONSTRAINT deliveries_reminder_key_check CHECK (char_length(reminder_key) BETWEEN 1 AND 255),
    occurrence_at    timestamptz NOT NULL,
    -- When the reminder was due to fire (occurrence minus reminder minutes); lateness is
    -- delivered_at - fire_at.
    fire_at          timestamptz,
    channel          text NOT NULL CONSTRAINT deliveries_channel_check CHECK (channel IN ('websocket', 'email')),
    status           text NOT NULL DEFAULT 'pending'
                     CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    delivered_at     timestamptz,
    -- Fired after its time (e.g. the worker was down); the message says so.
    late             boolean NOT NULL DEFAULT false,
    attempts         integer NOT NULL DEFAULT 0 CONSTRAINT deliveries_attempts_check CHECK (attempts >= 0),
    last_error       text CONSTRAINT deliveries_last_error_check CHECK (char_length(last_error) <= 10000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deliveries_once_key UNIQUE (reminder_key, occurrence_at, channel),
    CONSTRAINT deliveries_notification_fkey FOREIGN KEY (notification_id, user_id)
        REFERENCES notifications (id, user_id) ON DELETE SET NULL (notification_id),
    CONSTRAINT deliveries_sent_check CHECK ((status = 'sent') = (delivered_at IS NOT NULL))
);
CREATE INDEX deliveries_user_created_idx ON deliveries (user_id, created_at DESC);
CREATE INDEX deliveries_notification_idx ON deliveries (notification_id) WHERE notification_id IS NOT NULL;
CREATE INDEX deliveries_unsent_idx ON deliveries (status, created_at) WHERE status IN ('pending', 'failed');
CREATE INDEX deliveries_delivered_idx ON deliveries (delivered_at) WHERE delivered_at IS NOT NULL;
CREATE TRIGGER deliveries_updated_at BEFORE UPDATE ON deliveries
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- One row per user, kept after cancellation/expiry (history lives in billing_events).
-- users.tier stays the source of truth for limits; the subscription workflow updates both
-- in one transaction.
CREATE TABLE subscriptions (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Nullable: an admin can grant a plan without a Stripe customer.
    stripe_customer_id      text CONSTRAINT subscriptions_stripe_customer_id_check
                            CHECK (char_length(stripe_customer_id) BETWEEN 1 AND 255),
    stripe_subscription_id  text CONSTRAINT subscriptions_stripe_subscription_id_check
                            CHECK (char_length(stripe_subscription_id) BETWEEN 1 AND 255),
    plan                    text NOT NULL DEFAULT 'FREE'
                            CONSTRAINT subscriptions_plan_check CHECK (plan IN ('FREE', 'PREMIUM_MONTHLY', 'PREMIUM_YEARLY')),
    status                  text NOT NULL DEFAULT 'incomplete'
                            CONSTRAINT subscriptions_status_check
                            CHECK (status IN ('incomplete', 'active', 'past_due', 'canceled', 'expired')),
    current_period_end      timestamptz,
    cancel_at_period_end    boolean NOT NULL DEFAULT false,
    grace_until             timestamptz,
    canceled_at             timestamptz,
    -- Stripe delivers events out of order; an event whose `created` is older than this
    -- watermark must not overwrite newer state.
    last_event_created      timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscriptions_user_id_key UNIQUE (user_id),
    CONSTRAINT subscriptions_stripe_customer_id_key UNIQUE (stripe_customer_id),
    CONSTRAINT subscriptions_stripe_subscription_id_key UNIQUE (stripe_subscription_id)
);
CREATE INDEX subscriptions_grace_idx ON subscriptions (grace_until) WHERE status = 'past_due';
CREATE INDEX subscriptions_period_end_idx ON subscriptions (current_period_end)
    WHERE status IN ('active', 'past_due', 'canceled');
CREATE TRIGGER subscriptions_updated_at BEFORE UPDATE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Webhook ledger. The unique stripe_event_id makes handling idempotent (insert ... ON
-- CONFLICT DO NOTHING, process only if inserted or still 'received'/'failed'). Rows survive
-- account deletion (user_id SET NULL) as the accounting record.
CREATE TABLE billing_events (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    stripe_event_id  text NOT NULL CONSTRAINT billing_events_stripe_event_id_check
                     CHECK (char_length(stripe_event_id) BETWEEN 1 AND 255),
    event_type       text NOT NULL CONSTRAINT billing_events_event_type_check CHECK (char_length(event_type) BETWEEN 1 AND 255),
    user_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    customer_id      text CONSTRAINT billing_events_customer_id_check CHECK (char_length(customer_id) BETWEEN 1 AND 255),
    payload          jsonb NOT NULL CONSTRAINT billing_events_payload_check CHECK (jsonb_typeof(payload) = 'object'),
    event_created    timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'received'
                     CONSTRAINT billing_events_status_check CHECK (status IN ('received', 'processed', 'ignored', 'failed')),
    error            text CONSTRAINT billing_events_error_check CHECK (char_length(error) <= 10000),
    attempts         integer NOT NULL DEFAULT 0 CONSTRAINT billing_events_attempts_check CHECK (attempts >= 0),
    received_at      timestamptz NOT NULL DEFAULT now(),
    processed_at     timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT billing_events_stripe_event_id_key UNIQUE (stripe_event_id)
);
CREATE INDEX billing_events_status_received_idx ON billing_events (status, received_at);
CREATE INDEX billing_events_user_idx ON billing_events (user_id, event_created DESC) WHERE user_id IS NOT NULL;
CREATE INDEX billing_events_customer_idx ON billing_events (customer_id, event_created DESC) WHERE customer_id IS NOT NULL;
CREATE TRIGGER billing_events_updated_at BEFORE UPDATE ON billing_events
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Written by the aggregation workflow as an upsert on daily_analytics_user_day_key, so
-- re-running a day replaces its row. `day` is the user's local calendar day.
CREATE TABLE daily_analytics (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day              date NOT NULL,
    study_minutes    integer NOT NULL DEFAULT 0 CONSTRAINT daily_analytics_study_minutes_check CHECK (study_minutes BETWEEN 0 AND 1440),
    tasks_completed  integer NOT NULL DEFAULT 0 CONSTRAINT daily_analytics_tasks_completed_check CHECK (tasks_completed >= 0),
    topics_completed integer NOT NULL DEFAULT 0 CONSTRAINT daily_analytics_topics_completed_check CHECK (topics_completed >= 0),
    streak_days      integer NOT NULL DEFAULT 0 CONSTRAINT daily_analytics_streak_days_check CHECK (streak_days >= 0),
    -- Mean progress over the user's open goals at the end of the day; NULL with no open goals.
    goals_progress   real CONSTRAINT daily_analytics_goals_progress_check CHECK (goals_progress BETWEEN 0 AND 1),
    goals_completed  integer NOT NULL DEFAULT 0 CONSTRAINT daily_analytics_goals_completed_check CHECK (goals_completed >= 0),
    ai_messages      integer NOT NULL DEFAULT 0 CONSTRAINT daily_analytics_ai_messages_check CHECK (ai_messages >= 0),
    ai_tokens        bigint NOT NULL DEFAULT 0 CONSTRAINT daily_analytics_ai_tokens_check CHECK (ai_tokens >= 0),
    computed_at      timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT daily_analytics_user_day_key UNIQUE (user_id, day)
);
CREATE TRIGGER daily_analytics_updated_at BEFORE UPDATE ON daily_analytics
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Idempotency-Key: the handler first inserts (user_id, key, request_hash) with ON CONFLICT
-- ON CONSTRAINT idempotency_keys_user_key_key DO NOTHING. If it won, it runs the request and
-- stores the response; otherwise response_status IS NULL means "still in progress" (409),
-- a different request_hash means the key was reused for another request (422), and
-- otherwise the stored response is replayed. Rows older than the retention window are
-- purged by created_at.
CREATE TABLE idempotency_keys (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key              text NOT NULL CONSTRAINT idempotency_keys_key_check CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash     bytea NOT NULL,
    response_status  integer CONSTRAINT idempotency_keys_response_status_check CHECK (response_status BETWEEN 100 AND 599),
    response_body    jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_user_key_key UNIQUE (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
CREATE TRIGGER idempotency_keys_updated_at BEFORE UPDATE ON idempotency_keys
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
