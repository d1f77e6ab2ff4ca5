-- Time-weighted roll-ups of what the checks found (issue 11): per minute (kept 24 h), per
-- hour (kept 30 days) and per day (kept for good), each with the seconds the monitor was
-- up, down, degraded and paused by maintenance, its checks, failures and latencies.
-- Stored in key order (SQLite: WITHOUT ROWID) and with no other index: retention is
-- applied per monitor through the key, which keeps a monitor's steady state small.
CREATE TABLE check_rollups (
    monitor_id       BIGINT NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    period           TEXT NOT NULL CHECK (period IN ('minute', 'hour', 'day')),
    start            BIGINT NOT NULL,
    up_secs          BIGINT NOT NULL DEFAULT 0,
    down_secs        BIGINT NOT NULL DEFAULT 0,
    degraded_secs    BIGINT NOT NULL DEFAULT 0,
    maintenance_secs BIGINT NOT NULL DEFAULT 0,
    checks           BIGINT NOT NULL DEFAULT 0,
    failures         BIGINT NOT NULL DEFAULT 0,
    latency_min      BIGINT,
    latency_max      BIGINT,
    latency_sum      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (monitor_id, period, start)
);
