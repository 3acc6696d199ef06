-- Placeholder kept only on the edges branch so 0013 applies in order; the
-- coordinator drops it when the real migration of this number is merged.
SELECT 1;
