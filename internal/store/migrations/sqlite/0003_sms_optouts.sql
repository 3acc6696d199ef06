-- SMS consent: whether a customer number has opted out of a tenant's business
-- number, by the carrier keywords (STOP, START, …). One row per (tenant,
-- business number, customer number) holding the latest state; a newer keyword
-- replaces an older one, never the other way round (changed_at guards it).
-- Notifications read it before sending; the SMS channel before every send.

CREATE TABLE sms_optouts (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    business_number TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    opted_out       BOOLEAN NOT NULL,
    keyword         TEXT NOT NULL,
    changed_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, business_number, customer_number)
);
