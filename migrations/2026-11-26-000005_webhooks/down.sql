CREATE OR REPLACE FUNCTION change_log_assign_seq() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    position bigint;
BEGIN
    UPDATE feed_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO position;
    UPDATE change_log SET seq = position WHERE id = NEW.id;
    RETURN NULL;
END;
$$;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
