-- The operator's side of a multi-tenant service (docs/operators.md, ADR 0018):
-- who runs it, which tenants are suspended and why, each tenant's plan limits,
-- and the 80 % warnings already given this month.

-- An operator signs in with a token "sbo_<id>_<secret>"; only the secret's
-- HMAC is kept, as for API keys.
CREATE TABLE operators (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

-- A row means the tenant is suspended: its people cannot sign in (they are
-- shown the reason), its inbound traffic is still stored, nothing is sent.
CREATE TABLE tenant_suspensions (
    tenant_id    TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    reason       TEXT NOT NULL,
    suspended_by TEXT NOT NULL,
    suspended_at BIGINT NOT NULL
);

-- Plan limits; NULL is no limit.
CREATE TABLE tenant_limits (
    tenant_id         TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    agents            BIGINT,
    notices_per_month BIGINT,
    storage_bytes     BIGINT,
    updated_at        BIGINT NOT NULL
);

-- One warning per tenant, month and limit, when usage first reaches 80 %.
CREATE TABLE usage_warnings (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    month      TEXT NOT NULL,
    limit_name TEXT NOT NULL,
    used       BIGINT NOT NULL,
    cap        BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, month, limit_name)
);

-- Usage is counted from the stored rows; these make the month's counts cheap.
CREATE INDEX messages_tenant_created ON messages (tenant_id, created_at);
CREATE INDEX notify_steps_status ON notify_steps (tenant_id, status, at);
