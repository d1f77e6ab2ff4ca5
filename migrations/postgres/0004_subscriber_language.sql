-- The language a subscriber reads notices in (`en`, `de`), remembered from the sign-up.
ALTER TABLE subscribers ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

-- Who was told about a maintenance: a deactivated plan is announced to them.
CREATE INDEX outbox_by_maintenance ON outbox (maintenance_id);
