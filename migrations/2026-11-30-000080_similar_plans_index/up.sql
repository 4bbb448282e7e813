-- Similar plans are looked up among receipts whose requester names a province (db::overlap::similar
-- filters on it). Receipts without one (anonymous checks, scripts, benchmarks) were in the trigram
-- index too, so every repetition of a plan made the next look-up of it slower: each identical
-- receipt matches and is rechecked, only to be filtered out. The index now holds only the receipts
-- the look-up can return.
DROP INDEX overlap_checks_plan_trgm_idx;
CREATE INDEX overlap_checks_plan_trgm_idx ON overlap_checks USING gin (plan_text gin_trgm_ops)
    WHERE requester_province IS NOT NULL;
