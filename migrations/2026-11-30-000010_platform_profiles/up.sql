-- A platform's profile: what it does in a province's words (capabilities), who uses it, the other
-- names people give it, and what a province should do instead of building its own. Kept as one
-- JSON object with its own source and confidence; the API validates its shape.
ALTER TABLE platforms
    ADD COLUMN profile jsonb NOT NULL DEFAULT '{}'::jsonb
        CHECK (jsonb_typeof(profile) = 'object' AND octet_length(profile::text) <= 16384);

-- Search now reads the aliases and capabilities too. PostgreSQL 15 cannot change a generated
-- column's expression, so the column and its index are made again.
DROP INDEX platforms_search_trgm_idx;
ALTER TABLE platforms DROP COLUMN search_text;
ALTER TABLE platforms ADD COLUMN search_text text NOT NULL GENERATED ALWAYS AS (ndp_fold(
    code || ' ' || name_vi || ' ' || coalesce(short_name, '') || ' ' ||
    coalesce(profile ->> 'aliases', '') || ' ' || name_en || ' ' ||
    coalesce(profile ->> 'capabilities', '') || ' ' ||
    coalesce(profile ->> 'capabilities_en', '') || ' ' || description)) STORED;
CREATE INDEX platforms_search_trgm_idx ON platforms USING gin (search_text gin_trgm_ops);

-- Similar plans: what a receipt's plan is about (its significant words, folded) and the province
-- that asked, so that a later check can list other provinces' checks of the same purchase.
ALTER TABLE overlap_checks
    ADD COLUMN plan_text text NOT NULL DEFAULT '' CHECK (char_length(plan_text) <= 2000),
    ADD COLUMN requester_province text CHECK (char_length(requester_province) <= 100);
CREATE INDEX overlap_checks_plan_trgm_idx ON overlap_checks USING gin (plan_text gin_trgm_ops);

-- What a province or ministry judged of a receipt's candidates. Never changes the receipt.
CREATE TABLE overlap_feedback (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    check_id    uuid NOT NULL REFERENCES overlap_checks (id) ON DELETE CASCADE,
    platform    text NOT NULL CHECK (platform ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    judgement   text NOT NULL CHECK (judgement IN ('duplicate', 'related', 'unrelated')),
    note        text CHECK (char_length(note) <= 1000),
    -- Who judged: a token's ministry (or 'operator'), or NULL for an anonymous caller.
    judged_by   text CHECK (char_length(judged_by) <= 64),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX overlap_feedback_check_idx ON overlap_feedback (check_id);
