-- Knowledge (KCS): a tenant's articles, every edit of them as a full snapshot
-- (a version), every move between states (a transition), and the flags people
-- raise on them; and who besides admins and supervisors may publish.

CREATE TABLE knowledge_articles (
    id                     TEXT PRIMARY KEY,
    tenant_id              TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    slug                   TEXT NOT NULL,
    title                  TEXT NOT NULL,
    issue                  TEXT NOT NULL DEFAULT '',
    environment            TEXT NOT NULL DEFAULT '',
    cause                  TEXT NOT NULL DEFAULT '',
    resolution             TEXT NOT NULL DEFAULT '',
    audience               TEXT NOT NULL,
    locale                 TEXT NOT NULL,
    tags                   TEXT NOT NULL DEFAULT '[]', -- JSON list
    category               TEXT NOT NULL DEFAULT '',
    queue_ids              TEXT NOT NULL DEFAULT '[]', -- JSON list
    products               TEXT NOT NULL DEFAULT '[]', -- JSON list
    state                  TEXT NOT NULL,
    owner_id               TEXT NOT NULL DEFAULT '',
    version                INTEGER NOT NULL,
    external_id            TEXT NOT NULL DEFAULT '',
    source_conversation_id TEXT NOT NULL DEFAULT '',
    state_changed_at       BIGINT NOT NULL,
    state_changed_by       TEXT NOT NULL DEFAULT '',
    published_at           BIGINT NOT NULL DEFAULT 0,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    UNIQUE (tenant_id, slug)
);
CREATE UNIQUE INDEX knowledge_articles_external ON knowledge_articles (tenant_id, external_id) WHERE external_id <> '';
CREATE INDEX knowledge_articles_state ON knowledge_articles (tenant_id, state, id);
CREATE INDEX knowledge_articles_owner ON knowledge_articles (tenant_id, owner_id, id);

-- Every version is the whole content as it stood after an edit (JSON), so a
-- version reads, diffs and restores without replaying anything.
CREATE TABLE knowledge_versions (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES knowledge_articles(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    author_id  TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    content    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (article_id, version)
);
CREATE INDEX knowledge_versions_tenant ON knowledge_versions (tenant_id, article_id);

CREATE TABLE knowledge_transitions (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES knowledge_articles(id) ON DELETE CASCADE,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    by_id      TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL
);
CREATE INDEX knowledge_transitions_article ON knowledge_transitions (tenant_id, article_id, id);

CREATE TABLE knowledge_flags (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    article_id  TEXT NOT NULL REFERENCES knowledge_articles(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    by_id       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT NOT NULL DEFAULT 0,
    resolved_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX knowledge_flags_article ON knowledge_flags (tenant_id, article_id, resolved_at);
CREATE INDEX knowledge_flags_open ON knowledge_flags (tenant_id, resolved_at, id);

-- A knowledge publisher (a KCS coach) validates and publishes; admins and
-- supervisors always are, others when this is set.
ALTER TABLE users ADD COLUMN knowledge_publisher BOOLEAN NOT NULL DEFAULT FALSE;
