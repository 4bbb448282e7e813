ALTER FUNCTION ndp_word_pairs(text) COST 100;
