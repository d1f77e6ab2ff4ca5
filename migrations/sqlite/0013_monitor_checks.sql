-- How each monitor is checked (issue 11): `manual` (set by hand, as before) or checked by
-- `http`, `tcp` or `heartbeat`, with the settings of its checks. What a type does not use
-- stays NULL or at its default (`domain::check::CheckSpec` keeps it so).
ALTER TABLE monitors ADD COLUMN check_type TEXT NOT NULL DEFAULT 'manual'
    CHECK (check_type IN ('manual', 'http', 'tcp', 'heartbeat'));
ALTER TABLE monitors ADD COLUMN url TEXT;
ALTER TABLE monitors ADD COLUMN method TEXT NOT NULL DEFAULT 'GET'
    CHECK (method IN ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'));
ALTER TABLE monitors ADD COLUMN target TEXT;
ALTER TABLE monitors ADD COLUMN interval_secs INTEGER NOT NULL DEFAULT 60 CHECK (interval_secs >= 10);
ALTER TABLE monitors ADD COLUMN timeout_secs INTEGER NOT NULL DEFAULT 10 CHECK (timeout_secs >= 1);
ALTER TABLE monitors ADD COLUMN expect_status TEXT NOT NULL DEFAULT '200-399';
ALTER TABLE monitors ADD COLUMN keyword TEXT;
ALTER TABLE monitors ADD COLUMN retries INTEGER NOT NULL DEFAULT 0 CHECK (retries >= 0);
ALTER TABLE monitors ADD COLUMN degraded_after_ms INTEGER CHECK (degraded_after_ms > 0);
ALTER TABLE monitors ADD COLUMN follow_redirects INTEGER NOT NULL DEFAULT 1 CHECK (follow_redirects IN (0, 1));
ALTER TABLE monitors ADD COLUMN verify_tls INTEGER NOT NULL DEFAULT 1 CHECK (verify_tls IN (0, 1));
