-- Rollups (ADR 0051): aggregates folded from the event stream that reports
-- read instead of scanning conversations and messages. rollup_cursors keeps,
-- per tenant, the last event seq applied, updated in the transaction that
-- applies the batch, so an event is counted once.
CREATE TABLE rollup_cursors (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    last_seq   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Counters per UTC hour and per UTC day (grain 'h' or 'd'; hour is the
-- Unix seconds the cell begins) and per dimension value (dim 'all' with val
-- '', or channel, queue, agent, team, tag); total is milliseconds for
-- durations, the rating for CSAT. A report reads whole days from day cells
-- and its edges from hour cells.
CREATE TABLE rollup_counters (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    grain     TEXT NOT NULL,
    hour      BIGINT NOT NULL,
    dim       TEXT NOT NULL,
    val       TEXT NOT NULL,
    metric    TEXT NOT NULL,
    sub       TEXT NOT NULL,
    n         BIGINT NOT NULL,
    total     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, dim, val, grain, hour, metric, sub)
) WITHOUT ROWID; -- a report reads its cells straight from the key's b-tree
-- Per-agent and per-queue tables sum one metric over every value, from the
-- index alone.
CREATE INDEX rollup_counters_metric ON rollup_counters (tenant_id, dim, metric, grain, hour, val, sub, n, total);
-- Duration histograms (rollup.Hist as JSON: bucket → count), mergeable by
-- adding counts.
CREATE TABLE rollup_hists (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    grain     TEXT NOT NULL,
    hour      BIGINT NOT NULL,
    dim       TEXT NOT NULL,
    val       TEXT NOT NULL,
    metric    TEXT NOT NULL,
    buckets   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, dim, val, grain, hour, metric)
) WITHOUT ROWID;
-- One fact row per conversation: the fold's memory of it, and what
-- drill-down lists.
CREATE TABLE rollup_conversations (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    channel         TEXT NOT NULL,
    queue_id        TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    team            TEXT NOT NULL,
    tags            TEXT NOT NULL, -- ',a,b,' for LIKE '%,a,%'
    state           TEXT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);
CREATE INDEX rollup_conversations_created ON rollup_conversations (tenant_id, created_at);

CREATE TABLE rollup_agents (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL,
    state     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
