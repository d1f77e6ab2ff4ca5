-- Alertmanager silences for planned maintenance (issue 12). A row per ongoing event and
-- monitor it affects is made when the window starts; `silence_id` is the silence
-- Alertmanager made for it and `ends_at` the end it was told, so a restart or another
-- replica goes on from there instead of making a second one. `done` once the silence has
-- ended or was expired; `last_error` says why the last call to Alertmanager failed.
-- `monitors.alertmanager_matcher` overrides LULL_ALERTMANAGER_MATCHER for one monitor.
ALTER TABLE monitors ADD COLUMN alertmanager_matcher TEXT;

CREATE TABLE silences (
    event_id   BIGINT  NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    monitor_id BIGINT  NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    silence_id TEXT,
    ends_at    BIGINT,
    done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    last_error TEXT,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (event_id, monitor_id)
);
CREATE INDEX silences_open ON silences (done);
