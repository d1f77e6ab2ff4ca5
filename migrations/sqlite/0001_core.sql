-- Core schema. Instants are Unix seconds (UTC); a maintenance's start is local text plus zone.
CREATE TABLE monitors (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    group_name  TEXT,
    description TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL DEFAULT 'UP',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE maintenances (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    title               TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',
    start_local         TEXT    NOT NULL,
    timezone            TEXT    NOT NULL,
    duration            INTEGER NOT NULL,
    rrule               TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    reminder_lead       INTEGER NOT NULL,
    notify_scheduled    INTEGER NOT NULL,
    notify_reminder     INTEGER NOT NULL,
    notify_start        INTEGER NOT NULL,
    notify_completion   INTEGER NOT NULL,
    notify_cancellation INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX maintenances_status ON maintenances (status);

CREATE TABLE maintenance_monitors (
    maintenance_id INTEGER NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    monitor_id     INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    impact         TEXT    NOT NULL,
    PRIMARY KEY (maintenance_id, monitor_id)
);
CREATE INDEX maintenance_monitors_monitor ON maintenance_monitors (monitor_id);

-- Occurrences skipped ahead of time (EXDATE): never generated.
CREATE TABLE maintenance_skips (
    maintenance_id   INTEGER NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    occurrence_start INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (maintenance_id, occurrence_start)
);

CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    maintenance_id  INTEGER NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    scheduled_start INTEGER NOT NULL,
    scheduled_end   INTEGER NOT NULL,
    start_at        INTEGER NOT NULL,
    end_at          INTEGER NOT NULL,
    lead            INTEGER NOT NULL,
    -- The last lifecycle status the scheduler (or an operator) applied.
    status          TEXT    NOT NULL,
    cancelled_at    INTEGER,
    cancel_reason   TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (maintenance_id, scheduled_start)
);
CREATE INDEX events_window ON events (start_at, end_at);
CREATE INDEX events_status ON events (status);

CREATE TABLE event_updates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    body       TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX event_updates_event ON event_updates (event_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    target_id INTEGER NOT NULL,
    summary   TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
