-- Monitors that follow another status page (issue 12: type `statuspage`). They are stored
-- with check_type 'http' and `statuspage` 1: widening check_type's CHECK would mean
-- rebuilding the monitors table in SQLite, which every other table refers to. `component`
-- names the followed component (NULL: the whole page). `status_note` is what the followed
-- page says is going on (its incident or maintenance), shown beside the monitor;
-- `external_maintenance` is 1 while it says the followed part is under maintenance.
ALTER TABLE monitors ADD COLUMN statuspage INTEGER NOT NULL DEFAULT 0 CHECK (statuspage IN (0, 1));
ALTER TABLE monitors ADD COLUMN component TEXT;
ALTER TABLE monitors ADD COLUMN status_note TEXT;
ALTER TABLE monitors ADD COLUMN external_maintenance INTEGER NOT NULL DEFAULT 0
    CHECK (external_maintenance IN (0, 1));
