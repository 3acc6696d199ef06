-- The public help center (docs/help-center.md, ADR 0023): a visitor's help
-- session and what they did in it (the self-service trail an agent sees when
-- they ask for help), the "did this help?" answers per article, and which
-- conversation each trail was carried into.

-- A help session is one visitor's visit, known by a random id kept in a
-- cookie (the help center) or in the widget; it holds nothing but times.
CREATE TABLE help_sessions (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    locale     TEXT NOT NULL DEFAULT '',
    started_at BIGINT NOT NULL,
    last_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- Sessions never carried into a conversation are deleted after a while.
CREATE INDEX help_sessions_last ON help_sessions (last_at);

-- The trail: pages and articles seen, searches and how many answers they
-- had, the feedback given. A search typed letter by letter is one row,
-- updated as it grows.
CREATE TABLE help_events (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    session_id TEXT NOT NULL,
    id         TEXT NOT NULL,
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    slug       TEXT NOT NULL DEFAULT '',
    query      TEXT NOT NULL DEFAULT '',
    results    BIGINT NOT NULL DEFAULT 0,
    helpful    TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, session_id, id)
);

-- "Did this help?" per article, for the article's owner and the reports.
CREATE TABLE help_feedback (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    article_id TEXT NOT NULL,
    session_id TEXT NOT NULL DEFAULT '',
    helpful    BOOLEAN NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX help_feedback_article ON help_feedback (tenant_id, article_id, created_at);

-- The conversation a trail was carried into ("Chat with us", "Email us").
-- The trail shown is the session's events up to linked_at.
CREATE TABLE help_links (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    linked_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);
CREATE INDEX help_links_session ON help_links (tenant_id, session_id);
