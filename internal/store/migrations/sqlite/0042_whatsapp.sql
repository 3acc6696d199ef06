-- WhatsApp Business (Cloud API) channel (issue 17, ADR 0054).
--
-- whatsapp_templates are a tenant's message templates as approved by Meta:
-- the only messages a business may send a customer outside the 24-hour
-- customer-service window. body holds {{1}}, {{2}}… variables; status is
-- Meta's review state (approved, pending, rejected, paused, disabled) as the
-- admin recorded it, and only approved ones are sent.
CREATE TABLE whatsapp_templates (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL,
    category    TEXT NOT NULL,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, name, language)
);

-- whatsapp_windows keeps, per business number and customer, when the
-- customer last wrote: the customer-service window is open for 24 hours
-- after it. Only ever moved forward (a redelivered old message does not
-- shorten it).
CREATE TABLE whatsapp_windows (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id     TEXT NOT NULL,
    wa_id          TEXT NOT NULL,
    last_inbound   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id, wa_id)
);
