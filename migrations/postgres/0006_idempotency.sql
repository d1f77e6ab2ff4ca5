-- Results of POST requests sent with an `Idempotency-Key` header, so a client that retries
-- (after a timeout or a dropped connection) gets the first result back instead of a
-- second plan and a second round of notices. Kept for 24 hours.
CREATE TABLE idempotency_keys (
    -- SHA-256 (hex) of the caller's credentials, the method and path, and the key.
    scope TEXT PRIMARY KEY,
    -- SHA-256 (hex) of the request body: the same key with another body is refused.
    request_hash TEXT NOT NULL,
    -- NULL while the first request is still running.
    status INTEGER,
    body TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
