-- Social listening (issue 17, ADR 0050): a tenant's listening rules, and how
-- far each account's streams have been read.
-- spec is the rule's criteria as JSON (keywords, hashtags, mentions,
-- languages, min_followers, max_sentiment); priority and queue are what a
-- matching post's conversation is filed with.
CREATE TABLE listening_rules (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    spec       TEXT NOT NULL DEFAULT '{}',
    priority   INTEGER NOT NULL DEFAULT 1,
    queue      TEXT NOT NULL DEFAULT '',
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX listening_rules_tenant ON listening_rules (tenant_id, created_at);

-- The newest id read on each of an account's streams ("notifications",
-- "tag:<name>", "public"): after a reconnect or a restart the network's
-- REST API is read from here, so no post is lost; ids at or below it are
-- not handed again.
CREATE TABLE listening_cursors (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES channel_accounts(id) ON DELETE CASCADE,
    stream     TEXT NOT NULL,
    last_id    TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, stream)
);
