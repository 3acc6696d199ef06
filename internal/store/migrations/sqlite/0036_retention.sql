-- The retention job prunes old events; event_horizons keeps, per tenant, the
-- highest seq it deleted, so a realtime client resuming from before it is told
-- to reload instead of being handed a gap.
CREATE TABLE event_horizons (
    tenant_id      TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    pruned_through BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_done ON webhook_deliveries (status, updated_at);
