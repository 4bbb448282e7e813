-- The change feed. A mirror must apply changes in the order they committed, and a plain identity
-- or transaction id does not give that order: a transaction that drew a lower number can commit
-- after one that drew a higher number, and a reader that had already moved past the higher one
-- would skip it forever. So each change gets its feed position at commit time instead: a
-- deferred trigger, run as its transaction commits, takes the single feed_clock row (held until
-- the commit completes) and numbers the transaction's changes next. A later transaction waits
-- for that lock, so positions follow commit order and a reader never sees a gap fill in behind it.

CREATE TABLE feed_clock (
    id  smallint PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL
);
INSERT INTO feed_clock VALUES (1, 0);

ALTER TABLE change_log
    ADD COLUMN seq bigint,
    ADD COLUMN version integer,
    ADD COLUMN state jsonb;

-- Changes recorded before this migration take positions in id order.
WITH numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM change_log)
UPDATE change_log SET seq = numbered.rn FROM numbered WHERE change_log.id = numbered.id;
UPDATE feed_clock SET seq = (SELECT coalesce(max(seq), 0) FROM change_log);

CREATE UNIQUE INDEX change_log_seq_idx ON change_log (seq);

CREATE FUNCTION change_log_assign_seq() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    position bigint;
BEGIN
    UPDATE feed_clock SET seq = seq + 1 WHERE id = 1 RETURNING seq INTO position;
    UPDATE change_log SET seq = position WHERE id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER change_log_assign_seq
    AFTER INSERT ON change_log
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION change_log_assign_seq();
