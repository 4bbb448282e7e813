-- Writes: the tokens the CLI issues, the audit trail of every change, and idempotent retries.

-- Tokens issued by `ndp-registry token issue`. The token itself is never stored: only what an
-- operator needs to list and revoke it. A revoked jti is refused even when the token was minted
-- elsewhere (a ministry SSO with the asymmetric key), so revocation rows may lack issue details.
CREATE TABLE api_tokens (
    jti           text PRIMARY KEY CHECK (char_length(jti) BETWEEN 8 AND 100),
    subject       text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 200),
    ministry_code text REFERENCES ministries (code),
    scopes        text[] NOT NULL,
    label         text CHECK (char_length(label) <= 200),
    issued_at     timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    revoked_at    timestamptz,
    CHECK (scopes <@ ARRAY['platforms:write', 'contacts:write', 'admin']::text[])
);

-- Every change, written in the same transaction as the change itself: who, when, what, and the
-- field-level diff {"field": {"old": ..., "new": ...}}. `platform_id` ties contact and list
-- changes to the platform whose history shows them. `tx` is the writing transaction's id, which
-- tells a reader of the log whether an earlier transaction may still commit.
CREATE TABLE change_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx             bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    at             timestamptz NOT NULL DEFAULT now(),
    entity         text NOT NULL CHECK (entity IN ('platform', 'contact', 'ministry', 'list')),
    entity_key     text NOT NULL,
    platform_id    bigint REFERENCES platforms (id) ON DELETE CASCADE,
    action         text NOT NULL CHECK (char_length(action) BETWEEN 2 AND 40),
    changes        jsonb NOT NULL DEFAULT '{}'::jsonb,
    actor_sub      text NOT NULL,
    actor_ministry text,
    actor_jti      text
);
CREATE INDEX change_log_platform_idx ON change_log (platform_id, id DESC);
CREATE INDEX change_log_entity_idx ON change_log (entity, entity_key, id DESC);

-- Responses to POSTs sent with an Idempotency-Key, so a retry gets the original answer.
CREATE TABLE idempotency_keys (
    actor_sub    text NOT NULL,
    key          text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    request_hash text NOT NULL,
    status       smallint NOT NULL,
    location     text,
    etag         text,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (actor_sub, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
