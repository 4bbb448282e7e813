DROP INDEX platforms_search_pairs_idx;
DROP FUNCTION ndp_word_pairs(text);
