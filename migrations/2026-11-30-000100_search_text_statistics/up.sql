-- The planner estimates how many rows a trigram condition ('word' <% search_text) keeps by running
-- it on the column's most common values and histogram, some 200 whole platform texts, for each
-- word of a typo look-up: planning took 89 ms for an English title of eight words, executing it 66
-- (EXPLAIN ANALYZE on the 79 seeded platforms; 2.3 ms of planning without these statistics, the
-- conditions then estimated with PostgreSQL's defaults). The word and pair indexes are on
-- expressions and keep statistics of their own, which the candidate look-up reads; nothing reads
-- the column's. Statistics an earlier ANALYZE collected stay until the column is next rewritten.
ALTER TABLE platforms ALTER COLUMN search_text SET STATISTICS 0;
