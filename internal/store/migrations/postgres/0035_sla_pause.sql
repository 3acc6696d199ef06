-- An SLA clock paused while its conversation waits on the customer (state
-- 'paused', a policy's pause_while_pending) keeps when it was paused, to move
-- its deadlines by the business time paused when it resumes.
ALTER TABLE sla_clocks ADD COLUMN paused_at BIGINT NOT NULL DEFAULT 0;
