-- Notifications: types with their templates, a tenant's settings, personas'
-- preferences, the consent ledger, events and their deliveries (a durable
-- queue of its own: workers claim rows with a lease), the delivery timeline,
-- when personas respond, Web Push subscriptions, and the consumer portal's
-- sign-in codes and sessions.

CREATE TABLE notification_types (
    tenant_id         TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key               TEXT NOT NULL,
    name              TEXT NOT NULL,
    category          TEXT NOT NULL,
    channels          TEXT NOT NULL DEFAULT '[]',
    reply_expected    BOOLEAN NOT NULL DEFAULT FALSE,
    send_time         TEXT NOT NULL DEFAULT '',
    confirm_within_us BIGINT NOT NULL DEFAULT 0,
    default_language  TEXT NOT NULL DEFAULT '',
    templates         TEXT NOT NULL DEFAULT '{}',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

CREATE TABLE notify_settings (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    settings   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE notify_prefs (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    persona_id TEXT NOT NULL REFERENCES personas(id) ON DELETE CASCADE,
    prefs      TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, persona_id)
);

-- The consent ledger, a hash chain per persona. No foreign key to personas:
-- the chain outlives an erased persona, proving the erasure.
CREATE TABLE consent_records (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    persona_id  TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    scope       TEXT NOT NULL,
    granted     BOOLEAN NOT NULL,
    previous    BOOLEAN,
    source      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    note_salt   TEXT NOT NULL DEFAULT '',
    note_digest TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, persona_id, seq)
);

CREATE TABLE notify_events (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    type_key        TEXT NOT NULL,
    data            TEXT NOT NULL DEFAULT '{}',
    idempotency_key TEXT NOT NULL DEFAULT '',
    send_at         BIGINT,
    expires_at      BIGINT,
    recipients      INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX notify_events_idempotency ON notify_events (tenant_id, idempotency_key) WHERE idempotency_key <> '';

-- One notice to one persona, and the job that sends it. No foreign keys, for
-- the speed of bulk inserts; erasing a persona deletes its rows. due_at is
-- when a worker next acts (0: at once); lease_until is how long the worker
-- that claimed it holds it; claimed_from is the status it was claimed in.
CREATE TABLE notify_deliveries (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    persona_id      TEXT NOT NULL,
    type_key        TEXT NOT NULL,
    category        TEXT NOT NULL,
    channels        TEXT NOT NULL DEFAULT '[]',
    channel_index   INTEGER NOT NULL DEFAULT 0,
    channel         TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    due_at          BIGINT,
    lease_until     BIGINT,
    claimed_from    TEXT NOT NULL DEFAULT '',
    expires_at      BIGINT,
    tries           INTEGER NOT NULL DEFAULT 0,
    reasons         TEXT NOT NULL DEFAULT '[]',
    broke_quiet     BOOLEAN NOT NULL DEFAULT FALSE,
    language        TEXT NOT NULL DEFAULT '',
    retrieval       TEXT NOT NULL DEFAULT '',
    response        TEXT NOT NULL DEFAULT '',
    reply_expected  BOOLEAN NOT NULL DEFAULT FALSE,
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    external_id     TEXT NOT NULL DEFAULT '',
    conversation_id TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notify_deliveries_due ON notify_deliveries (due_at) WHERE status IN ('pending', 'sent');
CREATE INDEX notify_deliveries_lease ON notify_deliveries (lease_until) WHERE status = 'sending';
CREATE UNIQUE INDEX notify_deliveries_event ON notify_deliveries (tenant_id, event_id, persona_id);
CREATE INDEX notify_deliveries_persona ON notify_deliveries (tenant_id, persona_id, created_at);
CREATE INDEX notify_deliveries_external ON notify_deliveries (tenant_id, channel, external_id) WHERE external_id <> '';

-- A delivery's timeline after the decision (which is the delivery itself).
CREATE TABLE notify_steps (
    tenant_id   TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    status      TEXT NOT NULL,
    channel     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, delivery_id, seq)
);

-- How often a persona responded in each hour of the week (0..167, their zone).
CREATE TABLE notify_response_hours (
    tenant_id    TEXT NOT NULL,
    persona_id   TEXT NOT NULL,
    hour_of_week INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, persona_id, hour_of_week)
);

CREATE TABLE push_subscriptions (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    persona_id TEXT NOT NULL REFERENCES personas(id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, endpoint)
);
CREATE INDEX push_subscriptions_persona ON push_subscriptions (tenant_id, persona_id);

-- The portal finds a customer's personas across tenants by an identifier.
CREATE INDEX persona_identifiers_value ON persona_identifiers (kind, value);
-- A persona's first email and phone (verified first, then the oldest) come
-- from the index alone, for events raised to a million personas. It serves
-- every lookup the index it replaces served.
CREATE INDEX persona_identifiers_first ON persona_identifiers (tenant_id, persona_id, kind, verified DESC, created_at, value);
DROP INDEX persona_identifiers_persona;

-- Portal sign-in codes (hashed) and sessions (by the token's hash); identifier
-- is "kind:value".
CREATE TABLE portal_codes (
    id         TEXT PRIMARY KEY,
    identifier TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX portal_codes_identifier ON portal_codes (identifier, created_at);

-- A session signed in with an identifier, or opened by a signed link and
-- limited to one persona (tenant_id and persona_id set).
CREATE TABLE portal_sessions (
    token_hash TEXT PRIMARY KEY,
    identifier TEXT NOT NULL DEFAULT '',
    tenant_id  TEXT NOT NULL DEFAULT '',
    persona_id TEXT NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX portal_sessions_persona ON portal_sessions (tenant_id, persona_id) WHERE persona_id <> '';
