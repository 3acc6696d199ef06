-- A conversation knows when it was resolved: resolved_at is set when its
-- status becomes resolved and cleared (0) when it leaves resolved, by the
-- store's one UPDATE of conversations. Knowledge measures read it instead of
-- searching the timeline for a "Status: resolved" line. Conversations resolved
-- before this migration take the newest such line, or, resolved without one
-- (imported, seeded), their last update.
ALTER TABLE conversations ADD COLUMN resolved_at BIGINT NOT NULL DEFAULT 0;
UPDATE conversations SET resolved_at = COALESCE((SELECT MAX(m.created_at) FROM messages m
    WHERE m.tenant_id = conversations.tenant_id AND m.conversation_id = conversations.id
    AND m.kind = 'system' AND m.body = 'Status: resolved'), updated_at)
WHERE status = 'resolved' AND resolved_at = 0;
CREATE INDEX conversations_resolved ON conversations (tenant_id, resolved_at) WHERE status = 'resolved';
