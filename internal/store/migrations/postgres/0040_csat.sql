-- Customer satisfaction surveys (issue 16, ADR 0052).
-- csat_settings: a tenant's survey wording and delay; no row means the
-- defaults (internal/csat.DefaultSettings). channels is a JSON array.
CREATE TABLE csat_settings (
    tenant_id      TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    enabled        BOOLEAN NOT NULL,
    delay_seconds  BIGINT NOT NULL,
    channels       TEXT NOT NULL DEFAULT '[]',
    question       TEXT NOT NULL,
    comment_prompt TEXT NOT NULL,
    thanks         TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- csat_surveys: one survey per resolved conversation. state is scheduled
-- (waiting for due_at), sent (the customer may answer until expires_at),
-- answered, expired or suppressed (reason says why: the customer's
-- preferences, consent, an opt-out). token_hash is the SHA-256 of the
-- survey page's link token (hex); answer_ref the provider's id of the SMS
-- that answered, so a retried webhook is not a second answer.
CREATE TABLE csat_surveys (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    persona_id      TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL,
    queue_id        TEXT NOT NULL DEFAULT '',
    agent_id        TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    token_hash      TEXT NOT NULL DEFAULT '',
    rating          INTEGER NOT NULL DEFAULT 0,
    comment         TEXT NOT NULL DEFAULT '',
    answer_ref      TEXT NOT NULL DEFAULT '',
    due_at          BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL DEFAULT 0,
    expires_at      BIGINT NOT NULL DEFAULT 0,
    answered_at     BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (tenant_id, conversation_id)
);
CREATE INDEX csat_surveys_due ON csat_surveys (state, due_at);
CREATE INDEX csat_surveys_persona ON csat_surveys (tenant_id, persona_id, state);
CREATE INDEX csat_surveys_token ON csat_surveys (token_hash);
