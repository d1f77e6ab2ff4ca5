-- Heartbeat monitors (issue 11): an outside job calls POST /api/v1/heartbeat/{secret}; the
-- secret is stored as its SHA-256 (like API tokens), and the last beat's time is kept.
ALTER TABLE monitors ADD COLUMN heartbeat_hash TEXT;
ALTER TABLE monitors ADD COLUMN last_beat_at INTEGER;
CREATE UNIQUE INDEX monitors_heartbeat ON monitors (heartbeat_hash);
