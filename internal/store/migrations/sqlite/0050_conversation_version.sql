-- A conversation's writers read its row, change some fields and write every
-- field back. Two doing so at once on PostgreSQL (read committed) lost one's
-- change: a customer's message read the conversation unassigned just before
-- routing assigned it, then wrote it back unassigned, and routing offered it
-- to a second agent. version counts the row's writes; an update writes only
-- over the version it read (store.UpdateConversation), and the writer that
-- lost runs again on the row as it now is (store.ErrChanged).
ALTER TABLE conversations ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
