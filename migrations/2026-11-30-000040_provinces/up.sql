-- Provinces as users of the registry: the 34 provincial-level units in force since 2025-07-01
-- (Resolution 202/2025/QH15) with the 2025 provinces merged into them, and tokens that write for a
-- province. The rows come from `seeds/provinces.csv` (`ndp-registry seed`).

CREATE TABLE provinces (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{2,8}$'),
    name_vi     text NOT NULL UNIQUE CHECK (char_length(name_vi) BETWEEN 2 AND 100),
    kind        text NOT NULL CHECK (kind IN ('city', 'province')),
    -- The day the unit took its present form; NULL when it was not merged in 2025.
    formed_on   date,
    -- Folded name (lower case, no diacritics, no "tỉnh"/"thành phố"): what a name given in a
    -- request is compared with.
    name_folded text NOT NULL UNIQUE CHECK (name_folded <> ''),
    -- Where the row comes from and how well it is attested (seeds/README.md).
    source      text NOT NULL CHECK (char_length(source) BETWEEN 2 AND 500),
    confidence  text NOT NULL CHECK (confidence IN ('official', 'general_knowledge'))
);

-- The provinces as they were before 2025-07-01, each with the unit it became part of. A unit
-- that absorbed others lists its own former self too ("Hồ Chí Minh" for HCM).
CREATE TABLE province_predecessors (
    province_code text NOT NULL REFERENCES provinces (code) ON DELETE CASCADE,
    position      smallint NOT NULL CHECK (position >= 1),
    name_vi       text NOT NULL CHECK (char_length(name_vi) BETWEEN 2 AND 100),
    folded        text NOT NULL UNIQUE CHECK (folded <> ''),
    PRIMARY KEY (province_code, position)
);

-- A token writes for a ministry, for a province, or (operator) for neither.
ALTER TABLE api_tokens
    ADD COLUMN province_code text REFERENCES provinces (code),
    ADD CONSTRAINT api_tokens_one_issuer CHECK (ministry_code IS NULL OR province_code IS NULL),
    DROP CONSTRAINT api_tokens_scopes_check,
    ADD CONSTRAINT api_tokens_scopes_check CHECK (scopes <@ ARRAY[
        'platforms:write', 'contacts:write', 'admin', 'adoptions:write', 'decisions:write']::text[]);

-- The history names the province a change was made for, as it names the ministry.
ALTER TABLE change_log ADD COLUMN actor_province text;
