DELETE FROM change_log WHERE entity IN ('adoption', 'decision');
ALTER TABLE change_log DROP CONSTRAINT change_log_entity_check,
    ADD CONSTRAINT change_log_entity_check
        CHECK (entity IN ('platform', 'contact', 'ministry', 'list'));
DROP TABLE overlap_decisions;
DROP TABLE adoptions;
