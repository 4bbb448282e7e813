ALTER TABLE change_log DROP COLUMN actor_province;
DELETE FROM api_tokens WHERE province_code IS NOT NULL
    OR NOT scopes <@ ARRAY['platforms:write', 'contacts:write', 'admin']::text[];
ALTER TABLE api_tokens
    DROP CONSTRAINT api_tokens_scopes_check,
    ADD CONSTRAINT api_tokens_scopes_check
        CHECK (scopes <@ ARRAY['platforms:write', 'contacts:write', 'admin']::text[]),
    DROP CONSTRAINT api_tokens_one_issuer,
    DROP COLUMN province_code;
DROP TABLE province_predecessors;
DROP TABLE provinces;
