-- Security and reliability hardening.

-- Idempotency keys belong to a token, not to a subject: two tokens issued with the same `sub`
-- (every operator token is `operator`; ministries may reuse a system name) must never replay
-- each other's answers. Stored answers are retried within hours, so old ones are simply dropped.
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD COLUMN token_id text NOT NULL;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (token_id, key);

-- The retention purge removes settled deliveries by age.
CREATE INDEX webhook_deliveries_settled_idx ON webhook_deliveries (created_at) WHERE status <> 'pending';

-- A filtered subscription receives every event about the entities that match its filters. The
-- owner and domains of a contact or list-membership change, or of a deletion (whose state is
-- null), are those of the platform it belongs to; a platform that moved to another owner or lost
-- a domain is still announced to those who followed it under the old owner or domain.
CREATE OR REPLACE FUNCTION change_log_assign_seq() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    position bigint;
    owners text[] := ARRAY[]::text[];
    domains text[] := ARRAY[]::text[];
BEGIN
    UPDATE feed_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO position;
    UPDATE change_log SET seq = position WHERE id = NEW.id;
    IF NEW.entity = 'ministry' THEN
        owners := ARRAY[NEW.entity_key];
    ELSE
        SELECT ARRAY[p.ministry_code], p.domains INTO owners, domains
          FROM platforms p WHERE p.id = NEW.platform_id;
        owners := coalesce(owners, ARRAY[]::text[])
            || ARRAY[NEW.state ->> 'ministry', NEW.changes -> 'ministry' ->> 'old'];
        domains := coalesce(domains, ARRAY[]::text[])
            || ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(NEW.state -> 'domains') = 'array'
                                                          THEN NEW.state -> 'domains' ELSE '[]'::jsonb END))
            || ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(NEW.changes -> 'domains' -> 'old') = 'array'
                                                          THEN NEW.changes -> 'domains' -> 'old' ELSE '[]'::jsonb END));
    END IF;
    INSERT INTO webhook_deliveries (subscription_id, change_id)
    SELECT s.id, NEW.id
      FROM webhook_subscriptions s
     WHERE s.active
       AND (s.ministry IS NULL OR s.ministry = ANY (owners))
       AND (s.domain IS NULL OR s.domain = ANY (domains))
       AND (s.events IS NULL OR NEW.action = ANY (s.events) OR NEW.entity = ANY (s.events));
    RETURN NULL;
END;
$$;
