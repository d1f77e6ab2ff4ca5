-- Subscribers, their one-time tokens (stored hashed), and the outbox of notices.
CREATE TABLE subscribers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    email        TEXT    NOT NULL UNIQUE,
    confirmed_at INTEGER,
    created_at   INTEGER NOT NULL,
    -- An unconfirmed sign-up is forgotten after this.
    expires_at   INTEGER
);

-- Monitors a subscriber wants to hear about; none means all.
CREATE TABLE subscriber_monitors (
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    monitor_id    INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    PRIMARY KEY (subscriber_id, monitor_id)
);

-- Confirm and unsubscribe tokens, made when a message is sent; only hashes are kept.
CREATE TABLE subscriber_tokens (
    token_hash    TEXT    PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    purpose       TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER
);

-- Webhook endpoints: every notice is POSTed as JSON (or a Slack/Discord message),
-- signed with HMAC-SHA256 under the endpoint's secret.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    url        TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    format     TEXT    NOT NULL DEFAULT 'json',
    -- Comma-separated notice kinds to send; empty means all.
    kinds      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE webhook_monitors (
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    monitor_id INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    PRIMARY KEY (webhook_id, monitor_id)
);

-- One row per notice and recipient, written in the transaction of the change that causes
-- it; `dedupe` (kind, subject of the notice, recipient) makes a repeat impossible.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe          TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    -- The recipient: a subscriber (email) or a webhook.
    subscriber_id   INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
    webhook_id      INTEGER REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        INTEGER,
    maintenance_id  INTEGER,
    detail          TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL DEFAULT 'PENDING',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
