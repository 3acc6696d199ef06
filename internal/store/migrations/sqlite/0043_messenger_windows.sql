-- Messenger and Instagram: when each customer last wrote to each of a tenant's
-- Pages or Instagram accounts. Meta lets a business answer freely for 24 hours
-- after the customer's last message (and with the HUMAN_AGENT tag for 7 days);
-- the channel reads this row before every send instead of scanning messages.
-- last_inbound_at only moves forward: a redelivered older webhook cannot
-- shorten the window.
CREATE TABLE messenger_windows (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    account_id      TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    last_inbound_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id, user_id)
);
