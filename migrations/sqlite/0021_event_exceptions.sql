-- The calendar feed (`/maintenance.ics`) writes a year of exceptions: windows cancelled,
-- started early, extended or completed early. They are few among all windows; without
-- this index each request walked every window of the year (1 s at 5,000 daily plans).
-- The condition is the one `store::events::exceptions` writes, word for word, so that
-- the planners see that this index holds every row the query can want.
CREATE INDEX events_exceptions ON events (end_at)
    WHERE cancelled_at IS NOT NULL OR start_at <> scheduled_start OR end_at <> scheduled_end;
