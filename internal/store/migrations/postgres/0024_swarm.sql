-- Swarming: rooms (side threads about a conversation the customer never
-- sees), their members and invitations, what is said in them, and every
-- contribution a person makes to one. Experts see a conversation only
-- through the rooms they are members of.
CREATE TABLE swarm_rooms (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    question        TEXT NOT NULL,
    opened_by       TEXT NOT NULL,
    state           TEXT NOT NULL,
    outcome         TEXT NOT NULL DEFAULT '',
    closed_by       TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    closed_at       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX swarm_rooms_conversation ON swarm_rooms (tenant_id, conversation_id);

-- A member is invited, then joined; the opener is joined from the start.
CREATE TABLE swarm_members (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    room_id    TEXT NOT NULL REFERENCES swarm_rooms(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    status     TEXT NOT NULL,
    invited_by TEXT NOT NULL DEFAULT '',
    invited_at BIGINT NOT NULL,
    joined_at  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX swarm_members_user ON swarm_members (tenant_id, user_id);

-- mentions is a JSON array of user ids.
CREATE TABLE swarm_messages (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    room_id    TEXT NOT NULL REFERENCES swarm_rooms(id) ON DELETE CASCADE,
    author_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    mentions   TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);
CREATE INDEX swarm_messages_room ON swarm_messages (room_id, created_at);

-- The contribution record: kept per person after the room closes; erased
-- with the conversation (its rooms cascade) or the workspace.
CREATE TABLE swarm_contributions (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    room_id         TEXT NOT NULL REFERENCES swarm_rooms(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    minutes         INTEGER NOT NULL DEFAULT 0,
    ref             TEXT NOT NULL DEFAULT '',
    at              BIGINT NOT NULL
);
CREATE INDEX swarm_contributions_user ON swarm_contributions (tenant_id, user_id, at);
CREATE INDEX swarm_contributions_room ON swarm_contributions (room_id);
