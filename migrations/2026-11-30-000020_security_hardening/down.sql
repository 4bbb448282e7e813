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

DROP INDEX webhook_deliveries_settled_idx;

DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys DROP COLUMN token_id;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (actor_sub, key);
