DROP TABLE idempotency_keys;
DROP TABLE change_log;
DROP TABLE api_tokens;
