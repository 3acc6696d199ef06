-- Context connectors: a tenant's business systems (core banking, billing,
-- orders…) that Switchboard asks about a customer when an agent opens them.
-- The signing secret is sealed with a key derived from the server's (a copied
-- database yields none); budget and cache TTL are in milliseconds.
CREATE TABLE context_connectors (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    url           TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    budget_ms     INTEGER NOT NULL,
    cache_ttl_ms  INTEGER NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX context_connectors_name ON context_connectors (tenant_id, name);

-- One row per call a node made to a connector (not for cached answers nor
-- refusals by an open breaker), for the admin's latency and error figures.
-- Rows older than a week are deleted as new ones come.
CREATE TABLE context_connector_calls (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    connector_id TEXT NOT NULL REFERENCES context_connectors(id) ON DELETE CASCADE,
    at           BIGINT NOT NULL,
    duration_us  BIGINT NOT NULL,
    status       TEXT NOT NULL,
    http_status  INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX context_connector_calls_recent ON context_connector_calls (tenant_id, connector_id, at);
