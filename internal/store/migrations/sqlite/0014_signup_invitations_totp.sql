-- Joining a center: operator-made sign-up codes, invitations into a workspace,
-- TOTP second factors with their recovery codes, each workspace's sign-in
-- policy, and how far its admin got in the first-run set-up. Optional times
-- are 0 when unset, as elsewhere.

-- A code lets one business sign up when sign-up is by invitation; it is
-- stored hashed and spent by the workspace it created.
CREATE TABLE signup_codes (
    code_hash  TEXT PRIMARY KEY,
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0,
    tenant_id  TEXT NOT NULL DEFAULT ''
);

-- An invitation names a person and a role; its link binds nonce, so a resend
-- (a new nonce) kills the links sent before.
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL,
    invited_by  TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT NOT NULL DEFAULT 0,
    revoked_at  BIGINT NOT NULL DEFAULT 0,
    user_id     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX invitations_tenant ON invitations (tenant_id, id);

-- A user's TOTP secret, sealed with the server's key. It counts once
-- confirmed_at is set; last_step refuses a code used twice.
CREATE TABLE user_totp (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL DEFAULT 0,
    last_step    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, user_id)
);

CREATE TABLE recovery_codes (
    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, user_id, code_hash)
);

-- A workspace's sign-in rules; no row is the default (no second factor required).
CREATE TABLE tenant_auth_policy (
    tenant_id    TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    require_totp BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at   BIGINT NOT NULL
);

-- The first-run wizard's progress: the steps done (comma-separated names) and
-- whether the admin put it away.
CREATE TABLE setup_progress (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    done       TEXT NOT NULL DEFAULT '',
    dismissed  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at BIGINT NOT NULL
);
