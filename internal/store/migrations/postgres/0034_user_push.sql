-- Web Push subscriptions of the workspace's staff (ADR 0048): an agent's or
-- expert's browser, subscribed from the desktop's settings, so an invitation
-- to a swarm room reaches them while they are away. Apart from the
-- customers' push_subscriptions: those are a persona's, these a user's.
CREATE TABLE user_push_subscriptions (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, endpoint)
);
CREATE INDEX user_push_subscriptions_user ON user_push_subscriptions (tenant_id, user_id);
