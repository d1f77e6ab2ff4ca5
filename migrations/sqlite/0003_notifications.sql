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

-- One row per notice and recipient, written in the transaction of the change that causes
-- it; `dedupe` (kind, subject of the notice, recipient) makes a repeat impossible.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe          TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
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
