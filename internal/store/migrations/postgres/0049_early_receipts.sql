-- A provider's receipt (delivered, read, failed) can arrive before the send
-- that created the message has recorded the provider's id for it: the status
-- webhook races the send's answer. Such a receipt is kept here and applied
-- when the send records the id; the retention job deletes those no send
-- claimed within a day (receipts about messages other systems sent).
CREATE TABLE early_receipts (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, channel, external_id, status)
);
CREATE INDEX early_receipts_received ON early_receipts (received_at);
