-- Maintenance as code (issue 12): `lull apply` declares plans by a stable key of the
-- file's. Plans made elsewhere have none (NULL; any number of them) and are known to
-- apply and export as `maintenance-{id}`.
ALTER TABLE maintenances ADD COLUMN plan_key TEXT;
CREATE UNIQUE INDEX maintenances_plan_key ON maintenances (plan_key);
