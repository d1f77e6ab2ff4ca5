-- Every column that holds one of a fixed set of words or a 0/1 flag says so, so a bad
-- value is refused when written, not discovered when read (the code reads strictly).
ALTER TABLE monitors ADD CONSTRAINT monitors_status_check CHECK (status IN ('UP', 'DEGRADED', 'DOWN'));
ALTER TABLE maintenances ADD CONSTRAINT maintenances_status_check CHECK (status IN ('ACTIVE', 'INACTIVE'));
ALTER TABLE maintenances ADD CONSTRAINT maintenances_flags_check CHECK (
    notify_scheduled IN (0, 1) AND notify_reminder IN (0, 1) AND notify_start IN (0, 1)
    AND notify_completion IN (0, 1) AND notify_cancellation IN (0, 1));
ALTER TABLE maintenance_monitors ADD CONSTRAINT maintenance_monitors_impact_check
    CHECK (impact IN ('MAINTENANCE', 'DOWN', 'DEGRADED', 'UP'));
ALTER TABLE events ADD CONSTRAINT events_status_check
    CHECK (status IN ('SCHEDULED', 'READY', 'ONGOING', 'COMPLETED', 'CANCELLED'));
ALTER TABLE events ADD CONSTRAINT events_cancel_reason_check
    CHECK (cancel_reason IN ('operator', 'skipped', 'deactivated', 'rescheduled'));
ALTER TABLE events ADD CONSTRAINT events_observed_check CHECK (observed IN (0, 1));
ALTER TABLE subscribers ADD CONSTRAINT subscribers_language_check CHECK (language IN ('en', 'de'));
ALTER TABLE subscriber_tokens ADD CONSTRAINT subscriber_tokens_purpose_check
    CHECK (purpose IN ('confirm', 'unsubscribe'));
ALTER TABLE webhooks ADD CONSTRAINT webhooks_format_check CHECK (format IN ('json', 'slack', 'discord'));
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('scheduled', 'reminder', 'started',
    'update', 'extended', 'completed', 'cancelled', 'unobserved', 'confirm'));
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED'));
