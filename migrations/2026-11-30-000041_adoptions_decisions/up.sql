-- What each province does with each national platform, and what it decided after an overlap
-- check. Both are written by province tokens and recorded in the change log (entities `adoption`
-- and `decision`), so they reach the change feed and the webhook outbox like every other change.

CREATE TABLE adoptions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    province_code text NOT NULL REFERENCES provinces (code),
    platform_id   bigint NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    status        text NOT NULL CHECK (status IN (
                      'planned', 'connecting', 'in_use', 'stopped', 'not_applicable')),
    since         date NOT NULL,
    local_system  text CHECK (char_length(local_system) BETWEEN 2 AND 300),
    note          text CHECK (char_length(note) BETWEEN 1 AND 2000),
    evidence_url  text CHECK (evidence_url ~ '^https?://[^\s/]+' AND char_length(evidence_url) <= 500),
    version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (province_code, platform_id)
);
CREATE INDEX adoptions_platform_idx ON adoptions (platform_id, status);

-- A province's decision on an overlap-check receipt. The receipt (overlap_checks.response) is
-- never touched: the decision is a row of its own, one per receipt.
CREATE TABLE overlap_decisions (
    check_id      uuid PRIMARY KEY REFERENCES overlap_checks (id) ON DELETE CASCADE,
    province_code text NOT NULL REFERENCES provinces (code),
    decision      text NOT NULL CHECK (decision IN ('reuse', 'connect', 'proceed', 'cancelled')),
    platform_id   bigint REFERENCES platforms (id),
    justification text CHECK (char_length(justification) BETWEEN 10 AND 4000),
    decided_at    timestamptz NOT NULL DEFAULT now(),
    decided_by    text NOT NULL,
    CHECK (decision NOT IN ('reuse', 'connect') OR platform_id IS NOT NULL),
    CHECK (decision <> 'proceed' OR justification IS NOT NULL)
);
CREATE INDEX overlap_decisions_decided_idx ON overlap_decisions (decision, decided_at);

ALTER TABLE change_log DROP CONSTRAINT change_log_entity_check,
    ADD CONSTRAINT change_log_entity_check
        CHECK (entity IN ('platform', 'contact', 'ministry', 'list', 'adoption', 'decision'));
