-- Knowledge reuse (KCS "search early, search often; link"): the articles
-- agents link to conversations, the searches they run while working one, the
-- suggestions they dismiss, what they answered when asked how a conversation
-- ended, and the past cases (resolved conversations, or ones imported from
-- another help desk) whose links teach the suggestions. Article ids are not
-- foreign keys: the service checks an article belongs to the tenant.

CREATE TABLE knowledge_links (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    article_id      TEXT NOT NULL,
    kind            TEXT NOT NULL, -- linked | created
    agent_id        TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, article_id)
);
CREATE INDEX knowledge_links_article ON knowledge_links (tenant_id, article_id);

CREATE TABLE knowledge_searches (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    agent_id        TEXT NOT NULL DEFAULT '',
    query           TEXT NOT NULL,
    results         INTEGER NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX knowledge_searches_conversation ON knowledge_searches (tenant_id, conversation_id, at);

CREATE TABLE knowledge_dismissals (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    article_id      TEXT NOT NULL,
    agent_id        TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, article_id)
);
CREATE INDEX knowledge_dismissals_article ON knowledge_dismissals (tenant_id, article_id);

-- What the agent answered, once, when the conversation was resolved.
CREATE TABLE knowledge_outcomes (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    outcome         TEXT NOT NULL, -- linked | created | not_needed
    agent_id        TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);

-- Past cases: the words of a resolved conversation and the articles it was
-- resolved with. conversation_id is NULL for an imported case (keyed by
-- external_id instead); a conversation's erasure takes its case.
CREATE TABLE knowledge_cases (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT REFERENCES conversations(id) ON DELETE CASCADE,
    external_id     TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL DEFAULT '',
    customer_text   TEXT NOT NULL DEFAULT '',
    agent_text      TEXT NOT NULL DEFAULT '',
    article_ids     TEXT NOT NULL DEFAULT '[]', -- JSON list
    resolved_at     BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX knowledge_cases_conversation ON knowledge_cases (tenant_id, conversation_id) WHERE conversation_id IS NOT NULL;
CREATE UNIQUE INDEX knowledge_cases_external ON knowledge_cases (tenant_id, external_id) WHERE external_id <> '';
CREATE INDEX knowledge_cases_resolved ON knowledge_cases (tenant_id, resolved_at, id);
