-- no-transaction
-- Incidents (issue 11): unplanned trouble, told to visitors and subscribers as it unfolds.
-- Each has the monitors it affects (with how) and its timestamped updates; its status is
-- its latest update's. The outbox learns the new kinds (incident_*, and monitor_down /
-- monitor_up for admins) and two new subjects: an incident and a monitor, and a new
-- recipient, an admin. SQLite cannot change a CHECK, so the outbox is rebuilt (as in 0010).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT    NOT NULL,
    status      TEXT    NOT NULL
                    CHECK (status IN ('INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED')),
    -- A draft (opened by a monitor that stayed down) is shown to admins only, until published.
    draft       INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX incidents_resolved ON incidents (resolved_at);

CREATE TABLE incident_monitors (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    impact      TEXT    NOT NULL CHECK (impact IN ('DOWN', 'DEGRADED')),
    PRIMARY KEY (incident_id, monitor_id)
);
CREATE INDEX incident_monitors_monitor ON incident_monitors (monitor_id);

CREATE TABLE incident_updates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    status      TEXT    NOT NULL
                    CHECK (status IN ('INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED')),
    body        TEXT    NOT NULL,
    author      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, id);

CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe          TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('scheduled', 'reminder', 'started', 'update',
                        'extended', 'completed', 'cancelled', 'unobserved', 'confirm',
                        'incident_opened', 'incident_update', 'incident_resolved',
                        'monitor_down', 'monitor_up')),
    -- The recipient: a subscriber (email), a webhook, or an admin (email).
    subscriber_id   INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
    webhook_id      INTEGER REFERENCES webhooks (id) ON DELETE CASCADE,
    admin_id        INTEGER REFERENCES admins (id) ON DELETE CASCADE,
    event_id        INTEGER,
    maintenance_id  INTEGER,
    incident_id     INTEGER,
    monitor_id      INTEGER,
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
