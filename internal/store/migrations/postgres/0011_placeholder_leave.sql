-- Placeholder kept only on the leave branch so 0017 applies in order; the
-- coordinator drops it when the real migration of this number is merged.
SELECT 1;
