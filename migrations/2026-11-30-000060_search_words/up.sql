-- Search candidates by whole words. The trigram index answered `search_text LIKE '%hoa don dien tu%'`
-- by intersecting the posting lists of trigrams that nearly every Vietnamese text contains (" di",
-- "ien", "tu "), then rechecking every row: most of a search's time at 100,000 platforms. A word
-- index looks up each word's own posting list, and needs no recheck. The trigram index stays for
-- typo matching (`<%`).
CREATE INDEX platforms_search_words_idx ON platforms
    USING gin (to_tsvector('simple'::regconfig, search_text));
