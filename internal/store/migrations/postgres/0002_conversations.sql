-- Every channel, one conversation: personas and their identifiers, channel
-- accounts (a tenant's addresses), conversations, their timeline and files.

CREATE TABLE personas (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name        TEXT NOT NULL DEFAULT '',
    time_zone   TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL DEFAULT '',
    attributes  TEXT NOT NULL DEFAULT '{}',
    merged_into TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX personas_tenant ON personas (tenant_id, id);

-- An identifier belongs to one persona of a tenant; that is identity resolution.
CREATE TABLE persona_identifiers (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    persona_id TEXT NOT NULL REFERENCES personas(id) ON DELETE CASCADE,
    verified   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kind, value)
);
CREATE INDEX persona_identifiers_persona ON persona_identifiers (tenant_id, persona_id);

-- A merge remembers what it moved, so it can be undone.
CREATE TABLE persona_merges (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    survivor_id TEXT NOT NULL,
    merged_id   TEXT NOT NULL,
    moved       TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    undone_at   BIGINT
);

CREATE TABLE channel_accounts (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    settings   TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    UNIQUE (channel, address)
);
CREATE INDEX channel_accounts_tenant ON channel_accounts (tenant_id, channel);

CREATE TABLE conversations (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    persona_id      TEXT NOT NULL REFERENCES personas(id),
    subject         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 1,
    assignee_id     TEXT NOT NULL DEFAULT '',
    team            TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL,
    modalities      TEXT NOT NULL DEFAULT '',
    snoozed_until   BIGINT,
    last_message_at BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX conversations_tenant ON conversations (tenant_id, id);
CREATE INDEX conversations_persona ON conversations (tenant_id, persona_id, id);
CREATE INDEX conversations_status ON conversations (tenant_id, status, last_message_at);

CREATE TABLE conversation_tags (
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    tag             TEXT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, tag)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tenant_id, tag);

-- Thread keys (an email's Message-ID, a reply token) point at their conversation.
CREATE TABLE conversation_threads (
    tenant_id       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    thread_key      TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, channel, thread_key)
);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    direction       TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL DEFAULT '',
    author_type     TEXT NOT NULL,
    author_id       TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    body_html       TEXT NOT NULL DEFAULT '',
    attachments     TEXT NOT NULL DEFAULT '[]',
    external_id     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    meta            TEXT NOT NULL DEFAULT '{}',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages (tenant_id, conversation_id, id);
-- A provider that retries a webhook, or a mail sent twice, is stored once.
CREATE UNIQUE INDEX messages_external ON messages (tenant_id, channel, external_id) WHERE external_id <> '';

CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_id   TEXT NOT NULL DEFAULT '',
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);
