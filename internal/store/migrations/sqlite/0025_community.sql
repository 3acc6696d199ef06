-- The knowledge community (ADR 0031): workspaces that opted in, the practices
-- they share (a snapshot of a published, customer-facing article's content,
-- never a pointer into the sharer's data), and the adoptions of them. Nothing
-- else of a workspace is read across tenants.
CREATE TABLE community_members (
    tenant_id    TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    display_name TEXT NOT NULL,
    joined_by    TEXT NOT NULL DEFAULT '',
    joined_at    BIGINT NOT NULL
);
-- A display name is the attribution other members read: one workspace each.
CREATE UNIQUE INDEX community_members_name ON community_members (lower(display_name));

-- tags and products are JSON arrays. withdrawn_at is 0 while the practice is
-- offered; unsharing or leaving the community sets it, and the row stays so
-- the adoption count survives a later re-share.
CREATE TABLE community_practices (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    article_id      TEXT NOT NULL REFERENCES knowledge_articles(id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    issue           TEXT NOT NULL,
    environment     TEXT NOT NULL,
    cause           TEXT NOT NULL,
    resolution      TEXT NOT NULL,
    audience        TEXT NOT NULL,
    locale          TEXT NOT NULL,
    category        TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '[]',
    products        TEXT NOT NULL DEFAULT '[]',
    article_version INTEGER NOT NULL,
    shared_by       TEXT NOT NULL DEFAULT '',
    shared_at       BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    withdrawn_at    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, article_id)
);
CREATE INDEX community_practices_offered ON community_practices (withdrawn_at, updated_at);

-- An adoption belongs to the adopter. practice_id has no foreign key: the
-- copy and its attribution outlive the practice (withdrawn, or its workspace
-- deleted).
CREATE TABLE community_adoptions (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    article_id  TEXT NOT NULL REFERENCES knowledge_articles(id) ON DELETE CASCADE,
    practice_id TEXT NOT NULL,
    origin_name TEXT NOT NULL,
    adopted_by  TEXT NOT NULL DEFAULT '',
    adopted_at  BIGINT NOT NULL
);
CREATE INDEX community_adoptions_practice ON community_adoptions (practice_id);
CREATE INDEX community_adoptions_tenant ON community_adoptions (tenant_id, adopted_at);
