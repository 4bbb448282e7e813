DROP INDEX overlap_checks_plan_trgm_idx;
CREATE INDEX overlap_checks_plan_trgm_idx ON overlap_checks USING gin (plan_text gin_trgm_ops);
