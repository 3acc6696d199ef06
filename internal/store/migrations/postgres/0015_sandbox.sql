-- The sandbox outbox: what a tenant in the sandbox would have sent (mail,
-- texts, push, webhooks), captured instead of sent (internal/sandbox). ref is
-- the sender's own id (a message's, a webhook delivery's), so a retried send
-- is captured once per recipient.
CREATE TABLE sandbox_outbox (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    sender     TEXT NOT NULL DEFAULT '',
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL DEFAULT '',
    body_html  TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}',
    ref        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, kind, ref, recipient)
);
CREATE INDEX sandbox_outbox_tenant ON sandbox_outbox (tenant_id, id);

-- A sandbox copy of a live tenant's configuration remembers its original.
CREATE TABLE sandbox_copies (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    source_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    created_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX sandbox_copies_source ON sandbox_copies (source_id);
