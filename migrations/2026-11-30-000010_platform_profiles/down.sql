DROP TABLE overlap_feedback;
DROP INDEX overlap_checks_plan_trgm_idx;
ALTER TABLE overlap_checks DROP COLUMN plan_text, DROP COLUMN requester_province;
DROP INDEX platforms_search_trgm_idx;
ALTER TABLE platforms DROP COLUMN search_text;
ALTER TABLE platforms DROP COLUMN profile;
ALTER TABLE platforms ADD COLUMN search_text text NOT NULL GENERATED ALWAYS AS (ndp_fold(
    code || ' ' || name_vi || ' ' || name_en || ' ' ||
    coalesce(short_name, '') || ' ' || description)) STORED;
CREATE INDEX platforms_search_trgm_idx ON platforms USING gin (search_text gin_trgm_ops);
