-- Routing, SLAs and callbacks. The routing engine keeps its state in memory;
-- these tables are what it is rebuilt from after a restart or a hand-over to
-- another node: configuration (queues, calendars, SLA policies, agents'
-- routing profiles, custom presence states), the work being routed, the
-- offers made, every decision taken (the audit trail of who got what and why),
-- the SLA clocks of each conversation, and scheduled callbacks. JSON is TEXT,
-- times are Unix microseconds (0 for "not yet").

-- Queues, calendars and SLA policies share one shape: a named JSON document.
CREATE TABLE routing_queues (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    config     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE calendars (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    config     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE sla_policies (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    config     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);

-- An agent's routing profile (skills, capacity per modality, queues); a user
-- without a row is routed with the defaults.
CREATE TABLE routing_agents (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    config     TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

-- A tenant's own presence states ("lunch", "training") and whether an agent
-- in them is offered work.
CREATE TABLE presence_states (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    routable   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

-- One item of work being routed. state moves waiting → offered → assigned →
-- finished (or withdrawn, expired); the move is a guarded UPDATE, so an item
-- is never assigned twice, whichever node tries.
CREATE TABLE routing_work (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    queue_id        TEXT NOT NULL DEFAULT '',
    modality        TEXT NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    agent_id        TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL,
    arrived_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX routing_work_state ON routing_work (tenant_id, state);
CREATE INDEX routing_work_conversation ON routing_work (tenant_id, conversation_id);
-- The rebuild reads every active item of every tenant: only those are indexed.
CREATE INDEX routing_work_active ON routing_work (tenant_id, arrived_at, id)
    WHERE state IN ('waiting', 'offered', 'assigned');

CREATE TABLE routing_offers (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    work_id    TEXT NOT NULL,
    agent_id   TEXT NOT NULL,
    state      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX routing_offers_agent ON routing_offers (tenant_id, agent_id, state);
CREATE INDEX routing_offers_state ON routing_offers (state);

-- Every decision the engine took, kept for the conversation's "why did this
-- reach me" view and for reports.
CREATE TABLE routing_decisions (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    work_id         TEXT NOT NULL DEFAULT '',
    conversation_id TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    agent_id        TEXT NOT NULL DEFAULT '',
    queue_id        TEXT NOT NULL DEFAULT '',
    offer_id        TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL
);
CREATE INDEX routing_decisions_conversation ON routing_decisions (tenant_id, conversation_id, at);

-- A conversation's SLA clocks, one per target. warn_at, due_at and done_at are
-- 0 when there is none (yet).
CREATE TABLE sla_clocks (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    target          TEXT NOT NULL,
    policy_id       TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    breached        BOOLEAN NOT NULL DEFAULT FALSE,
    started_at      BIGINT NOT NULL,
    warn_at         BIGINT NOT NULL DEFAULT 0,
    due_at          BIGINT NOT NULL DEFAULT 0,
    done_at         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, conversation_id, target)
);
CREATE INDEX sla_clocks_warn ON sla_clocks (state, warn_at);
CREATE INDEX sla_clocks_due ON sla_clocks (state, due_at);

-- A customer asked to be called back, inside a window in their time zone.
CREATE TABLE callbacks (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    persona_id      TEXT NOT NULL DEFAULT '',
    conversation_id TEXT NOT NULL DEFAULT '',
    queue_id        TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL,
    time_zone       TEXT NOT NULL DEFAULT '',
    not_before      BIGINT NOT NULL,
    not_after       BIGINT NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    outcome         TEXT NOT NULL DEFAULT '',
    attempts        TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX callbacks_state ON callbacks (tenant_id, state, id);
CREATE INDEX callbacks_tenant ON callbacks (tenant_id, id);
CREATE INDEX callbacks_due ON callbacks (state, not_before);
