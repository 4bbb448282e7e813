-- The registry's core: agencies, platforms, their contacts, ownership over time and the official
-- list editions. Controlled vocabularies are CHECK constraints so that no writer (the API, the seed
-- loader or a hand-written psql session) can store a value the API would not accept.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Folds Vietnamese text for diacritics-insensitive search: "Hóa đơn" -> "hoa don". unaccent() is
-- only STABLE because its dictionary could change; pinning the dictionary makes the wrapper safe to
-- declare IMMUTABLE, which generated columns and index expressions require.
CREATE FUNCTION ndp_fold(input text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, translate(input, 'đĐ', 'dD')));

CREATE TABLE ministries (
    code                 text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]{1,15}$'),
    code_vi              text NOT NULL CHECK (char_length(code_vi) BETWEEN 2 AND 16),
    name_vi              text NOT NULL CHECK (char_length(name_vi) BETWEEN 2 AND 200),
    name_en              text NOT NULL CHECK (char_length(name_en) BETWEEN 2 AND 200),
    abbr_en              text CHECK (char_length(abbr_en) BETWEEN 1 AND 16),
    kind                 text NOT NULL
                         CHECK (kind IN ('ministry', 'ministry_level_agency', 'government_agency')),
    agency_id            text CHECK (agency_id ~ '^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$'),
    agency_id_confidence text CHECK (agency_id_confidence IN ('confirmed', 'weak', 'inferred')),
    status               text NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'merged', 'dissolved')),
    successor_code       text REFERENCES ministries (code),
    succeeded_on         date,
    notes                text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'active') = (succeeded_on IS NULL)),
    CHECK (status <> 'merged' OR successor_code IS NOT NULL),
    CHECK (successor_code IS DISTINCT FROM code)
);
CREATE INDEX ministries_successor_idx ON ministries (successor_code);

CREATE TABLE list_editions (
    key            text PRIMARY KEY CHECK (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    document       text NOT NULL CHECK (char_length(document) BETWEEN 2 AND 100),
    title_vi       text NOT NULL CHECK (char_length(title_vi) BETWEEN 2 AND 300),
    title_en       text NOT NULL CHECK (char_length(title_en) BETWEEN 2 AND 300),
    issued_on      date NOT NULL,
    declared_total integer CHECK (declared_total >= 0),
    source         text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- How many platforms an edition declares for each owner, as the document states it; the
-- registered memberships may be fewer while the annex is not yet entered.
CREATE TABLE list_declared_counts (
    list_key       text NOT NULL REFERENCES list_editions (key) ON DELETE CASCADE,
    ministry_code  text NOT NULL REFERENCES ministries (code),
    declared_count integer NOT NULL CHECK (declared_count >= 0),
    PRIMARY KEY (list_key, ministry_code)
);

CREATE TABLE platforms (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name_vi            text NOT NULL CHECK (char_length(name_vi) BETWEEN 2 AND 300),
    name_en            text NOT NULL CHECK (char_length(name_en) BETWEEN 2 AND 300),
    short_name         text CHECK (char_length(short_name) BETWEEN 1 AND 60),
    description        text NOT NULL DEFAULT '' CHECK (char_length(description) <= 4000),
    ministry_code      text NOT NULL REFERENCES ministries (code),
    operator           text CHECK (char_length(operator) BETWEEN 1 AND 300),
    domains            text[] NOT NULL DEFAULT '{}' CHECK (domains <@ ARRAY[
                           'identity', 'public_services', 'government_operations', 'data_sharing',
                           'digital_infrastructure', 'cybersecurity', 'public_finance', 'tax',
                           'customs', 'trade', 'investment_planning', 'banking', 'social_insurance',
                           'social_welfare', 'labour', 'health', 'education', 'justice',
                           'home_affairs', 'transport', 'construction', 'land_environment',
                           'science_technology', 'inspection', 'ethnic_religious_affairs',
                           'foreign_affairs', 'immigration', 'defence_security', 'media']::text[]),
    audiences          text[] NOT NULL DEFAULT '{}' CHECK (audiences <@ ARRAY[
                           'government', 'citizens', 'businesses', 'foreigners', 'health_facilities',
                           'education_institutions', 'credit_institutions',
                           'research_organisations']::text[]),
    status             text NOT NULL DEFAULT 'unknown' CHECK (status IN (
                           'planned', 'in_development', 'piloting', 'operational', 'suspended',
                           'retired', 'unknown')),
    url                text CHECK (url ~ '^https?://[^\s/]+' AND char_length(url) <= 500),
    ndxp_status        text NOT NULL DEFAULT 'unknown' CHECK (ndxp_status IN (
                           'connected', 'in_progress', 'not_connected', 'not_applicable', 'unknown')),
    legal_basis_number text CHECK (char_length(legal_basis_number) BETWEEN 2 AND 100),
    legal_basis_date   date,
    source             text CHECK (char_length(source) <= 2000),
    confidence         text NOT NULL DEFAULT 'owner_declared' CHECK (confidence IN (
                           'owner_declared', 'two_sources', 'one_source', 'weak', 'unconfirmed')),
    version            integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    -- What `q` searches, folded once at write time so that a search is an index lookup.
    search_text        text NOT NULL GENERATED ALWAYS AS (ndp_fold(
                           code || ' ' || name_vi || ' ' || name_en || ' ' ||
                           coalesce(short_name, '') || ' ' || description)) STORED,
    CHECK (legal_basis_date IS NULL OR legal_basis_number IS NOT NULL)
);
CREATE INDEX platforms_ministry_idx ON platforms (ministry_code);
CREATE INDEX platforms_updated_at_idx ON platforms (updated_at);
CREATE INDEX platforms_domains_idx ON platforms USING gin (domains);
CREATE INDEX platforms_audiences_idx ON platforms USING gin (audiences);
CREATE INDEX platforms_search_trgm_idx ON platforms USING gin (search_text gin_trgm_ops);

-- Who owned a platform when. The 2025 mergers close one row and open another on the effective
-- date instead of rewriting the owner; valid_from is NULL when the start predates the registry.
CREATE TABLE platform_ownerships (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform_id   bigint NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    ministry_code text NOT NULL REFERENCES ministries (code),
    valid_from    date,
    valid_to      date,
    reason        text CHECK (char_length(reason) <= 1000),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);
CREATE UNIQUE INDEX platform_ownerships_current_idx
    ON platform_ownerships (platform_id) WHERE valid_to IS NULL;
CREATE INDEX platform_ownerships_platform_idx ON platform_ownerships (platform_id, valid_from);

CREATE TABLE list_memberships (
    list_key    text NOT NULL REFERENCES list_editions (key) ON DELETE CASCADE,
    platform_id bigint NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    source      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (list_key, platform_id)
);
CREATE INDEX list_memberships_platform_idx ON list_memberships (platform_id);

-- An operating unit's official contact channel. Contacts are personal data when they name a
-- person (Decree 13/2023/ND-CP): only what the owning ministry chose to publish is stored.
CREATE TABLE contacts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform_id bigint NOT NULL REFERENCES platforms (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN (
                    'operations', 'technical_support', 'business', 'security')),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 200),
    unit        text CHECK (char_length(unit) BETWEEN 2 AND 300),
    email       text CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND char_length(email) <= 254),
    phone       text CHECK (phone ~ '^\+?[0-9][0-9 .()-]{5,30}$'),
    url         text CHECK (url ~ '^https?://[^\s/]+' AND char_length(url) <= 500),
    notes       text CHECK (char_length(notes) <= 1000),
    source      text CHECK (char_length(source) <= 1000),
    version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (email IS NOT NULL OR phone IS NOT NULL OR url IS NOT NULL)
);
CREATE INDEX contacts_platform_idx ON contacts (platform_id);
