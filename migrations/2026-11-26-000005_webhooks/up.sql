-- Webhooks: subscriptions, and a transactional outbox of deliveries. A delivery row is written
-- by the same deferred trigger that numbers a change, so it commits with the change or not at
-- all, and a restart loses nothing: the worker finds pending rows in the table.

CREATE TABLE webhook_subscriptions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url        text NOT NULL CHECK (url ~ '^https?://' AND char_length(url) <= 500),
    secret     text NOT NULL CHECK (char_length(secret) BETWEEN 16 AND 200),
    ministry   text REFERENCES ministries (code),
    domain     text,
    events     text[],
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    change_id       bigint NOT NULL REFERENCES change_log (id) ON DELETE CASCADE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id DESC);

CREATE OR REPLACE FUNCTION change_log_assign_seq() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    position bigint;
    owner text;
BEGIN
    UPDATE feed_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO position;
    UPDATE change_log SET seq = position WHERE id = NEW.id;
    owner := CASE WHEN NEW.entity = 'ministry' THEN NEW.entity_key ELSE NEW.state ->> 'ministry' END;
    INSERT INTO webhook_deliveries (subscription_id, change_id)
    SELECT s.id, NEW.id
      FROM webhook_subscriptions s
     WHERE s.active
       AND (s.ministry IS NULL OR s.ministry = owner)
       AND (s.domain IS NULL OR coalesce(NEW.state -> 'domains' ? s.domain, false))
       AND (s.events IS NULL OR NEW.action = ANY (s.events) OR NEW.entity = ANY (s.events));
    RETURN NULL;
END;
$$;
