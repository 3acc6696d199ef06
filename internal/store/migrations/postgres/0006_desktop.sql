-- The agents' desktop: who a note mentions, canned responses and macros, since
-- when an agent holds their presence, and indexes for the inbox's lists and counts.

-- One row per user mentioned in a note, so "mentions me" is an index lookup.
CREATE TABLE conversation_mentions (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, message_id)
);
CREATE INDEX conversation_mentions_conversation ON conversation_mentions (tenant_id, user_id, conversation_id);

-- Unread customer messages, counted for every listed conversation.
CREATE INDEX messages_unread ON messages (tenant_id, conversation_id) WHERE direction = 'in' AND status <> 'read';
-- The newest reply of each conversation, to know since when a customer waits.
CREATE INDEX messages_direction ON messages (tenant_id, conversation_id, direction, id);
-- Counts by assignee and routing work by queue.
CREATE INDEX conversations_assignee ON conversations (tenant_id, status, assignee_id);
CREATE INDEX routing_work_queue ON routing_work (tenant_id, queue_id, conversation_id) WHERE state IN ('waiting', 'offered', 'assigned');
CREATE INDEX sla_clocks_conversation_due ON sla_clocks (tenant_id, conversation_id, state, due_at);
CREATE INDEX routing_decisions_at ON routing_decisions (tenant_id, at);
CREATE INDEX conversations_created ON conversations (tenant_id, created_at);

-- Canned responses: owner_id '' belongs to the whole tenant, else to one user.
CREATE TABLE canned_responses (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    owner_id   TEXT NOT NULL DEFAULT '',
    shortcut   TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, owner_id, shortcut)
);

-- Macros: a named list of actions run in order on a conversation.
CREATE TABLE macros (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    owner_id   TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    actions    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, owner_id, name)
);

ALTER TABLE users ADD COLUMN presence_since BIGINT NOT NULL DEFAULT 0;
