-- Routing rules (issue 16): a tenant's rules that give a conversation routing
-- criteria from its attributes when it is routed. Same shape as the other
-- routing configuration documents (routing_queues): the rule's conditions and
-- steps are the JSON in config, read by internal/dispatch.
CREATE TABLE routing_rules (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    config     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);
