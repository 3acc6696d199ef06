-- Call recording (ADR 0043). recording_policies is a tenant's choice: off
-- (no row means off), announce (record every call after telling the
-- customer) or ask (record only when the customer agrees), and how many
-- days a recording is kept. call_recordings is one call's recording: the
-- consent it was made under ("announced", "granted") or refused ("refused":
-- no audio), the WAV's bytes in attachments (never served by the general
-- attachment route: only GET /api/v1/calls/{id}/recording), and when the
-- retention job deleted it (deleted_at, 0 while kept).
CREATE TABLE recording_policies (
    tenant_id      TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    mode           TEXT NOT NULL,
    retention_days INTEGER NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE call_recordings (
    call_id         TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    agent_id        TEXT NOT NULL DEFAULT '',
    consent         TEXT NOT NULL,
    attachment_id   TEXT NOT NULL DEFAULT '',
    size            BIGINT NOT NULL DEFAULT 0,
    seconds         INTEGER NOT NULL DEFAULT 0,
    retention_days  INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    deleted_at      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX call_recordings_kept ON call_recordings (tenant_id, deleted_at, created_at);
CREATE INDEX call_recordings_attachment ON call_recordings (attachment_id);
