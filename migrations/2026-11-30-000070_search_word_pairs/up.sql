-- Search candidates by neighbouring words. The word index answers a phrase ("he thong hoa don")
-- with every row holding each of its words anywhere: at 100,000 platforms "he", "thong" and "hoa"
-- are each in tens of thousands of rows, so an overlap check read and rechecked about 11,000 rows
-- to keep the 1,500 that contain the phrase. Indexing each pair of neighbouring words
-- ("he_thong", "thong_hoa", "hoa_don") finds nearly those 1,500 alone. Words are the runs of
-- letters and digits of the folded text (`search_text` is lower case without diacritics); a word of
-- other letters leaves its spelling to the word index, which stays for one-word spellings.
CREATE FUNCTION ndp_word_pairs(input text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN array_to_tsvector(ARRAY(
        SELECT DISTINCT pair FROM (
            SELECT w.word || '_' || lead(w.word) OVER (ORDER BY w.n) AS pair
            FROM unnest(regexp_split_to_array(input, '[^a-z0-9]+')) WITH ORDINALITY AS w(word, n)
            WHERE w.word <> ''
        ) AS pairs
        -- A lexeme is at most 2,047 bytes: a longer run of letters cannot be a phrase's word.
        WHERE pair IS NOT NULL AND octet_length(pair) < 2048
    ));

CREATE INDEX platforms_search_pairs_idx ON platforms USING gin (ndp_word_pairs(search_text));
