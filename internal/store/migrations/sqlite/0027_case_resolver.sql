-- Every resolved conversation is a past case, with or without a linked
-- article; the case names who resolved it (the conversation's assignee at
-- the time), the evidence expert finding and "similar cases" show.
ALTER TABLE knowledge_cases ADD COLUMN resolver_id TEXT NOT NULL DEFAULT '';
