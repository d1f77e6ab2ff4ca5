-- 0 when the scheduler was not running at a window's end (downtime): the window is
-- history as planned, not as seen, and no "completed" notice went out for it.
ALTER TABLE events ADD COLUMN observed BIGINT NOT NULL DEFAULT 1;

-- Who runs the scheduler, until when (the database's clock, Unix seconds). Renewed every
-- few seconds by the holder; anyone may take it once it lapses.
CREATE TABLE scheduler_lease (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL
);

-- When the horizon was last extended: after downtime, the windows that fell between then
-- and now are stored as history that nobody observed.
CREATE TABLE scheduler_marks (
    name TEXT    PRIMARY KEY,
    at   BIGINT  NOT NULL
);
