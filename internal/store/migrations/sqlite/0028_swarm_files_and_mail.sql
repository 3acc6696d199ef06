-- Files in swarm rooms. The bytes live in attachments (the conversation
-- attachments' storage: same limits, same export); this row makes a file a
-- room's, so only the room's members download it (the general attachment
-- read refuses it) and it goes with the room. message_id is '' until a
-- message carries the upload.
CREATE TABLE swarm_attachments (
    attachment_id TEXT PRIMARY KEY REFERENCES attachments(id) ON DELETE CASCADE,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    room_id       TEXT NOT NULL REFERENCES swarm_rooms(id) ON DELETE CASCADE,
    message_id    TEXT NOT NULL DEFAULT '',
    uploaded_by   TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX swarm_attachments_room ON swarm_attachments (tenant_id, room_id, message_id);

-- When an invitee who was away was told by mail (0: not told): once per
-- invitation, whatever the job's retries.
ALTER TABLE swarm_members ADD COLUMN told_at BIGINT NOT NULL DEFAULT 0;
