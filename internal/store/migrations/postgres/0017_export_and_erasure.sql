-- Leaving and data rights: a workspace's exports (progress of each download,
-- readable from any node) and its pending deletion (a grace period an admin
-- can cancel). Both go with the tenant's row.

CREATE TABLE tenant_exports (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    requested_by TEXT NOT NULL,
    state        TEXT NOT NULL,
    tables_done  INTEGER NOT NULL DEFAULT 0,
    tables_total INTEGER NOT NULL DEFAULT 0,
    rows_done    BIGINT NOT NULL DEFAULT 0,
    rows_total   BIGINT NOT NULL DEFAULT 0,
    bytes        BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX tenant_exports_tenant ON tenant_exports (tenant_id, id);

CREATE TABLE tenant_deletions (
    tenant_id    TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    due_at       BIGINT NOT NULL
);
CREATE INDEX tenant_deletions_due ON tenant_deletions (due_at);

-- A stored idempotent response is sealed (it may hold a secret shown once),
-- so erasure cannot read it; refs lists, in the clear, the ids of the records
-- it shows, so a persona's erasure finds the responses about it.
ALTER TABLE idempotency_keys ADD COLUMN refs TEXT NOT NULL DEFAULT '';
