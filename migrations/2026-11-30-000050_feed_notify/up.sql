-- Replicas keep representations in memory and must learn of every committed change at once. The
-- feed clock moves, in the committing transaction, for every change (change_log_assign_seq), so a
-- trigger on the clock announces each new position with NOTIFY, which PostgreSQL delivers only if
-- and when that transaction commits. The payload is "<position> <microseconds since the epoch>"
-- (the clock of the database server as the change was numbered), from which a replica measures
-- how late it heard. Anything that changes the registry outside the API (a script, by hand) must
-- move the clock too: `UPDATE feed_clock SET seq = seq + 1 WHERE id = 1;` in its transaction.

CREATE FUNCTION feed_clock_notify() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ndp_feed',
        NEW.seq::text || ' ' || floor(extract(epoch FROM clock_timestamp()) * 1000000)::bigint::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER feed_clock_notify
    AFTER UPDATE ON feed_clock
    FOR EACH ROW EXECUTE FUNCTION feed_clock_notify();
