-- Overlap-check receipts: what a province asked, what the registry answered, and against which
-- state of the registry. The answer is stored as sent, so reading it back returns the same bytes
-- a province filed in its procurement record.
CREATE TABLE overlap_checks (
    id         uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    verdict    text NOT NULL CHECK (verdict IN ('likely_duplicate', 'possible_overlap', 'no_overlap')),
    request    jsonb NOT NULL,
    response   text NOT NULL
);
CREATE INDEX overlap_checks_created_idx ON overlap_checks (created_at);

-- Search compares words, not punctuation: "tích hợp, chia sẻ" must contain "tich hop chia se".
CREATE OR REPLACE FUNCTION ndp_fold(input text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN trim(regexp_replace(
        lower(public.unaccent('public.unaccent'::regdictionary, translate(input, 'đĐ', 'dD'))),
        '[^[:alnum:]]+', ' ', 'g'));
-- Recompute the stored search text with the new folding.
UPDATE platforms SET name_vi = name_vi;
