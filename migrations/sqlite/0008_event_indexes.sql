-- Queries about what is on now or ahead ("what changes next", the status page's events,
-- operator changes ahead) ask for events that end after now; with months of history that
-- is a small slice of the table, found through these indexes instead of a scan.
CREATE INDEX events_end ON events (end_at);
CREATE INDEX events_scheduled_end ON events (scheduled_end);
