DROP TRIGGER change_log_assign_seq ON change_log;
DROP FUNCTION change_log_assign_seq();
DROP INDEX change_log_seq_idx;
ALTER TABLE change_log DROP COLUMN seq, DROP COLUMN version, DROP COLUMN state;
DROP TABLE feed_clock;
