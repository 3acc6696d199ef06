-- Full-text search over messages: a tsvector of each body (the 'simple'
-- configuration: no stemming, so every language is treated alike), indexed
-- with GIN and kept by PostgreSQL itself.
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED;
CREATE INDEX messages_search ON messages USING gin (search);
