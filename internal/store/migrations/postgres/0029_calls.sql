-- Browser calls (voice and video) inside a conversation (ADR 0040). A call
-- row is the call's latest state; call_events is its history, in order,
-- which the API shows and the timeline notes were written from. Times are
-- microseconds since the epoch; 0 is "not yet". hold_micros is the time
-- spent on hold or in transfer before hold_since (0 while not on hold).
CREATE TABLE calls (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    media           TEXT NOT NULL,
    initiator       TEXT NOT NULL,
    state           TEXT NOT NULL,
    agent_id        TEXT NOT NULL DEFAULT '',
    offered_to      TEXT NOT NULL DEFAULT '',
    muted           BOOLEAN NOT NULL DEFAULT FALSE,
    work_id         TEXT NOT NULL DEFAULT '',
    node            TEXT NOT NULL DEFAULT '',
    ended_reason    TEXT NOT NULL DEFAULT '',
    hung_up_by      TEXT NOT NULL DEFAULT '',
    recording_ref   TEXT NOT NULL DEFAULT '',
    hold_micros     BIGINT NOT NULL DEFAULT 0,
    hold_since      BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    answered_at     BIGINT NOT NULL DEFAULT 0,
    ended_at        BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX calls_conversation ON calls (tenant_id, conversation_id, created_at);
CREATE INDEX calls_live ON calls (state, node);

CREATE TABLE call_events (
    id        TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    call_id   TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    type      TEXT NOT NULL,
    by_party  TEXT NOT NULL DEFAULT '',
    agent_id  TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '',
    at        BIGINT NOT NULL,
    UNIQUE (tenant_id, call_id, seq)
);
