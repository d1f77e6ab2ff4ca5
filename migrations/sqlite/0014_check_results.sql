-- What the checks found (issue 11): the last 100 results of each monitor, plus every result
-- that changed its status (kept for good). Written in batches by the check runner.
CREATE TABLE check_results (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('UP', 'DEGRADED', 'DOWN')),
    latency_ms  INTEGER NOT NULL CHECK (latency_ms >= 0),
    error       TEXT,
    changed     INTEGER NOT NULL DEFAULT 0 CHECK (changed IN (0, 1))
);
CREATE INDEX check_results_monitor ON check_results (monitor_id, id);
