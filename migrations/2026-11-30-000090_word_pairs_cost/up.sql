-- ndp_word_pairs splits a whole search text into word pairs: about 0.2 ms a row. At its default
-- cost (100) the planner judged computing it for every row of a small registry cheaper than the
-- pair index, so an overlap check on the 79 seeded platforms spent 11-19 ms in a sequential scan
-- (EXPLAIN ANALYZE: 18.9 ms; 2.1 ms through platforms_search_pairs_idx once the cost is stated).
ALTER FUNCTION ndp_word_pairs(text) COST 10000;
