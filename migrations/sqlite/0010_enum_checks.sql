-- no-transaction
-- Every column that holds one of a fixed set of words or a 0/1 flag says so, so a bad
-- value is refused when written, not discovered when read (the code reads strictly).
-- SQLite cannot add a constraint to a table, so each table is rebuilt (SQLite's
-- "generalized ALTER TABLE procedure"): foreign keys off outside the transaction, so
-- dropping the old table cascades nothing. Each table keeps its AUTOINCREMENT counter, so
-- no id of a deleted row is ever handed out again.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE monitors_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    group_name  TEXT,
    description TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'UP' CHECK (status IN ('UP', 'DEGRADED', 'DOWN')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
INSERT INTO monitors_new (id, slug, name, group_name, description, status, created_at, updated_at)
    SELECT id, slug, name, group_name, description, status, created_at, updated_at FROM monitors;
DELETE FROM sqlite_sequence WHERE name = 'monitors_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'monitors_new', seq FROM sqlite_sequence WHERE name = 'monitors';
DROP TABLE monitors;
ALTER TABLE monitors_new RENAME TO monitors;

CREATE TABLE maintenances_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    title               TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    start_local         TEXT    NOT NULL,
    timezone            TEXT    NOT NULL,
    duration            INTEGER NOT NULL,
    rrule               TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
    reminder_lead       INTEGER NOT NULL,
    notify_scheduled    INTEGER NOT NULL CHECK (notify_scheduled IN (0, 1)),
    notify_reminder     INTEGER NOT NULL CHECK (notify_reminder IN (0, 1)),
    notify_start        INTEGER NOT NULL CHECK (notify_start IN (0, 1)),
    notify_completion   INTEGER NOT NULL CHECK (notify_completion IN (0, 1)),
    notify_cancellation INTEGER NOT NULL CHECK (notify_cancellation IN (0, 1)),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
INSERT INTO maintenances_new (id, title, description, start_local, timezone, duration, rrule, status,
        reminder_lead, notify_scheduled, notify_reminder, notify_start, notify_completion,
        notify_cancellation, created_at, updated_at)
    SELECT id, title, description, start_local, timezone, duration, rrule, status,
        reminder_lead, notify_scheduled, notify_reminder, notify_start, notify_completion,
        notify_cancellation, created_at, updated_at FROM maintenances;
DELETE FROM sqlite_sequence WHERE name = 'maintenances_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'maintenances_new', seq FROM sqlite_sequence WHERE name = 'maintenances';
DROP TABLE maintenances;
ALTER TABLE maintenances_new RENAME TO maintenances;
CREATE INDEX maintenances_status ON maintenances (status);

CREATE TABLE maintenance_monitors_new (
    maintenance_id INTEGER NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    monitor_id     INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    impact         TEXT    NOT NULL CHECK (impact IN ('MAINTENANCE', 'DOWN', 'DEGRADED', 'UP')),
    PRIMARY KEY (maintenance_id, monitor_id)
);
INSERT INTO maintenance_monitors_new (maintenance_id, monitor_id, impact)
    SELECT maintenance_id, monitor_id, impact FROM maintenance_monitors;
DROP TABLE maintenance_monitors;
ALTER TABLE maintenance_monitors_new RENAME TO maintenance_monitors;
CREATE INDEX maintenance_monitors_monitor ON maintenance_monitors (monitor_id);

CREATE TABLE events_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    maintenance_id  INTEGER NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    scheduled_start INTEGER NOT NULL,
    scheduled_end   INTEGER NOT NULL,
    start_at        INTEGER NOT NULL,
    end_at          INTEGER NOT NULL,
    lead            INTEGER NOT NULL,
    -- The last lifecycle status the scheduler (or an operator) applied.
    status          TEXT    NOT NULL
        CHECK (status IN ('SCHEDULED', 'READY', 'ONGOING', 'COMPLETED', 'CANCELLED')),
    cancelled_at    INTEGER,
    cancel_reason   TEXT CHECK (cancel_reason IN ('operator', 'skipped', 'deactivated', 'rescheduled')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    observed        INTEGER NOT NULL DEFAULT 1 CHECK (observed IN (0, 1)),
    UNIQUE (maintenance_id, scheduled_start)
);
INSERT INTO events_new (id, maintenance_id, scheduled_start, scheduled_end, start_at, end_at, lead, status,
        cancelled_at, cancel_reason, created_at, updated_at, observed)
    SELECT id, maintenance_id, scheduled_start, scheduled_end, start_at, end_at, lead, status,
        cancelled_at, cancel_reason, created_at, updated_at, observed FROM events;
DELETE FROM sqlite_sequence WHERE name = 'events_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_new', seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_window ON events (start_at, end_at);
CREATE INDEX events_status ON events (status);
CREATE INDEX events_end ON events (end_at);
CREATE INDEX events_scheduled_end ON events (scheduled_end);

CREATE TABLE subscribers_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    email        TEXT    NOT NULL UNIQUE,
    confirmed_at INTEGER,
    created_at   INTEGER NOT NULL,
    -- An unconfirmed sign-up is forgotten after this.
    expires_at   INTEGER,
    language     TEXT    NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'de'))
);
INSERT INTO subscribers_new (id, email, confirmed_at, created_at, expires_at, language)
    SELECT id, email, confirmed_at, created_at, expires_at, language FROM subscribers;
DELETE FROM sqlite_sequence WHERE name = 'subscribers_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'subscribers_new', seq FROM sqlite_sequence WHERE name = 'subscribers';
DROP TABLE subscribers;
ALTER TABLE subscribers_new RENAME TO subscribers;

CREATE TABLE subscriber_tokens_new (
    token_hash    TEXT    PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    purpose       TEXT    NOT NULL CHECK (purpose IN ('confirm', 'unsubscribe')),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER
);
INSERT INTO subscriber_tokens_new (token_hash, subscriber_id, purpose, created_at, expires_at)
    SELECT token_hash, subscriber_id, purpose, created_at, expires_at FROM subscriber_tokens;
DROP TABLE subscriber_tokens;
ALTER TABLE subscriber_tokens_new RENAME TO subscriber_tokens;

CREATE TABLE webhooks_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    url        TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    format     TEXT    NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack', 'discord')),
    -- Comma-separated notice kinds to send; empty means all.
    kinds      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
INSERT INTO webhooks_new (id, url, secret, format, kinds, created_at)
    SELECT id, url, secret, format, kinds, created_at FROM webhooks;
DELETE FROM sqlite_sequence WHERE name = 'webhooks_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'webhooks_new', seq FROM sqlite_sequence WHERE name = 'webhooks';
DROP TABLE webhooks;
ALTER TABLE webhooks_new RENAME TO webhooks;

CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe          TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('scheduled', 'reminder', 'started', 'update',
                        'extended', 'completed', 'cancelled', 'unobserved', 'confirm')),
    -- The recipient: a subscriber (email) or a webhook.
    subscriber_id   INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
    webhook_id      INTEGER REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        INTEGER,
    maintenance_id  INTEGER,
    detail          TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL DEFAULT 'PENDING'
                        CHECK (status IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
INSERT INTO outbox_new (id, dedupe, kind, subscriber_id, webhook_id, event_id, maintenance_id, detail, status,
        attempts, next_attempt_at, claimed_until, last_error, created_at, sent_at)
    SELECT id, dedupe, kind, subscriber_id, webhook_id, event_id, maintenance_id, detail, status,
        attempts, next_attempt_at, claimed_until, last_error, created_at, sent_at FROM outbox;
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_maintenance ON outbox (maintenance_id);

COMMIT;
PRAGMA foreign_keys = ON;
