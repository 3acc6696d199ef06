-- Context feedback: what the screen-pop showed an agent (impressions, with
-- the item's position and the features it was scored on) and what the agent
-- did with it (open, use, dismiss). Items are named by key and source, not
-- copied: the features are numbers, the key is the source's id. Learning
-- folds a conversation's events into the tenant's model once and marks them;
-- learned events are kept 90 days (the model holds what they taught).
CREATE TABLE context_feedback (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    item_key        TEXT NOT NULL,
    source          TEXT NOT NULL,
    features        TEXT NOT NULL DEFAULT '{}',
    position        INTEGER NOT NULL DEFAULT 0,
    kind            TEXT NOT NULL,
    user_id         TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL,
    learned         BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX context_feedback_conversation ON context_feedback (tenant_id, conversation_id, at);
-- Only the events still to learn from: what the scheduled learning scans.
CREATE INDEX context_feedback_unlearned ON context_feedback (tenant_id, conversation_id, at) WHERE NOT learned;

-- One learned ranking model per tenant (contextrank.Model as JSON). No row
-- means the defaults.
CREATE TABLE context_models (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    model      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);
