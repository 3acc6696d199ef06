-- A channel without idempotency (email over SMTP) cannot tell, after a node
-- died mid-send, whether the relay took the message. The sender records the
-- moment it starts handing one over (after RCPT, before DATA): handed_over is
-- the number of the claim that did (notify_deliveries.claims), 0 for none. A
-- fresh claim clears it; a takeover of a row still 'sending' keeps it, and
-- then records the step as sent, unconfirmed, instead of mailing it again.
ALTER TABLE notify_deliveries ADD COLUMN handed_over BIGINT NOT NULL DEFAULT 0;
-- The same for a conversation's outbound message, sent by a job that may be
-- rescued and run again: the job's id and attempt that began handing it
-- over ('' for none).
ALTER TABLE messages ADD COLUMN handed_over TEXT NOT NULL DEFAULT '';
