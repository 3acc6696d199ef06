-- Scheduled reports (issue 16, ADR 0058): a tenant's report schedules, and
-- each run of one. config is the JSON internal/reports/schedule reads (when,
-- filter, recipients); next_run_at is when the schedule is next due, moved
-- forward by the node that claims the run (a compare-and-set). A run is
-- recorded once per schedule and period (period_key: the period's first
-- date, or "manual:<id>" for a "send now"), so a period is never sent twice;
-- sent_to lists the addresses already sent, so a retry sends only the rest.
CREATE TABLE report_schedules (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    config      TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    next_run_at BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, name)
);
CREATE INDEX report_schedules_due ON report_schedules (next_run_at) WHERE enabled;

CREATE TABLE report_schedule_runs (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    schedule_id TEXT NOT NULL REFERENCES report_schedules(id) ON DELETE CASCADE,
    period_key  TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    due_at      BIGINT NOT NULL,
    manual      BOOLEAN NOT NULL,
    status      TEXT NOT NULL,
    sent_to     TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    last_error  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    UNIQUE (schedule_id, period_key)
);
CREATE INDEX report_schedule_runs_schedule ON report_schedule_runs (tenant_id, schedule_id, created_at);
