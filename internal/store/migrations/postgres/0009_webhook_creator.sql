-- Who made (or last changed) each webhook endpoint: "user:<id>" or "key:<id>".
-- When that user is disabled or loses a permission, or that key is revoked,
-- endpoints receiving what they may no longer read are switched off. Endpoints
-- from before this migration have no creator and are left as they are.
ALTER TABLE webhook_endpoints ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
CREATE INDEX webhook_endpoints_creator ON webhook_endpoints (tenant_id, created_by);
