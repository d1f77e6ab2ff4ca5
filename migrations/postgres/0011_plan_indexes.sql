-- One plan's events in order of start: its list, its page, an edit's "what has not
-- started", a skip, a reactivation. Without it a plan's list gathers all of the plan's
-- history through the unique key and sorts it (and with a window bound, SQLite walked
-- every plan's events by time instead).
CREATE INDEX events_plan_start ON events (maintenance_id, start_at);

-- The scheduler asks "what is due" and "when is the next boundary" after every write;
-- with the times that decide them in the index, both read the index alone instead of
-- looking up each of the (thousands of) events still to come.
DROP INDEX events_status;
CREATE INDEX events_status ON events (status, start_at, lead, end_at, cancelled_at);

-- Windows an operator changed (cancelled or skipped, completed early, started early): the
-- few that listing all plans needs to name each plan's next window. Partial, so it stays
-- as small as those changes; `changed_ahead` repeats this condition so it is used.
CREATE INDEX events_changed ON events (scheduled_end)
    WHERE cancelled_at IS NOT NULL OR end_at <> scheduled_end OR start_at <> scheduled_start;
