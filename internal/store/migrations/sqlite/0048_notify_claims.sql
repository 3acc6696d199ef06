-- Each claim of a delivery by a sender takes the next number (claims), and the
-- sender's outcome is written only while its claim is the latest: a worker that
-- stalled past its lease (paused, partitioned) cannot overwrite what the worker
-- that took the delivery over recorded. A claim of a row still 'sending' (its
-- worker died or stalled mid-send) also counts a try, so the next send looks
-- for the text an earlier try may have created before sending it again.
ALTER TABLE notify_deliveries ADD COLUMN claims BIGINT NOT NULL DEFAULT 0;
