-- How each channel's outbound sends are going, per tenant: when a send last
-- worked and last failed, why, and how many attempts in a row have failed
-- since the last success. Every delivery attempt updates it, so admins and
-- agents see a broken relay or provider before a customer complains.
-- Times are microseconds since the epoch, 0 when never.
CREATE TABLE channel_health (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    last_success_at BIGINT NOT NULL DEFAULT 0,
    last_failure_at BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, channel)
);
