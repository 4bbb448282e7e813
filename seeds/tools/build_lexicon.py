#!/usr/bin/env python3
"""Builds seeds/lexicon.txt, seeds/syllables.txt and seeds/words.txt offline; the service reads
only the results.

The lexicon is the registry's own vocabulary of multi-syllable Vietnamese words: every platform
name, description, capability and alias, the synonyms and the procurement filler are segmented
into words with pyvi (MIT licence, https://github.com/trungtv/pyvi), and each word of two or more
syllables that pyvi's dictionary knows, or that the registry's phrases use, is kept as written
(lower case): a text written with diacritics holds the word only where it is spelled so, one
written without them wherever its folded syllables stand. The service segments a query by the
longest known word, so that "dự án" and "thi hành án" are two words and "án" alone matches
neither.

syllables.txt is every Vietnamese syllable of pyvi's dictionary, folded: the service never takes a
real syllable for a typo of another ("khẩu" is not a misspelt "khảo").

words.txt is every two-syllable word of pyvi's dictionary, as written: the service joins two
syllables into such a word only in a text written with diacritics, where "thuộc tính" and "thuộc
tỉnh" differ ("người bệnh" and "hội nghị" are words the registry's texts lack).

Run: pip install pyvi==0.1.1 && python3 seeds/tools/build_lexicon.py
"""
import csv
import os
import re
import unicodedata

import pyvi
from pyvi import ViTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fold(text):
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


def exact(text):
    text = unicodedata.normalize("NFC", text.lower())
    return " ".join(re.findall(r"\w+", text))


def rows(name):
    path = os.path.join(ROOT, name)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def texts():
    for r in rows("platforms.csv"):
        yield r["name_vi"]
        yield r["description"]
    for r in rows("platform-profiles.csv"):
        for column in ("capabilities", "aliases", "users", "description", "province_action_note"):
            for part in (r.get(column) or "").split(";"):
                yield part
    for r in rows("synonyms.csv"):
        yield r["term"]
        yield r["equivalent"]
    for r in rows("filler.csv"):
        yield r["phrase"]


def main():
    dictionary_path = os.path.join(os.path.dirname(pyvi.__file__), "models", "words.txt")
    with open(dictionary_path, encoding="utf-8") as f:
        dictionary = [line.strip() for line in f if line.strip()]
    syllables = set()
    for word in dictionary:
        syllables.update(fold(word).split())
    known = {exact(w) for w in dictionary if len(w.split()) >= 2}

    words = set()
    for text in texts():
        text = text.strip()
        if not text:
            continue
        for token in ViTokenizer.tokenize(text).split():
            if "_" in token:
                spelled = exact(token.replace("_", " "))
                if len(fold(spelled).split()) >= 2:
                    words.add(spelled)
        # Dictionary words pyvi's model did not join in this sentence still count when they
        # stand in the registry's text.
        # Matched with their diacritics: folded, "bảo kê" would be found in "báo cáo kê khai".
        parts = exact(text).split()
        for n in (2, 3, 4):
            for i in range(len(parts) - n + 1):
                gram = " ".join(parts[i : i + n])
                if gram in known:
                    words.add(gram)
    # Vietnamese words only: pyvi also joins English words ("population_database").
    words = sorted(w for w in words if all(s in syllables for s in fold(w).split()))
    with open(os.path.join(ROOT, "lexicon.txt"), "w", encoding="utf-8") as f:
        f.write("# Multi-syllable words of the registry's texts, as written (lower case); built by seeds/tools/build_lexicon.py\n")
        for w in words:
            f.write(w + "\n")
    # The dictionary's own words of two syllables, as written: the service reads them only in a
    # text written with diacritics ("thuộc tính" is a word, "thuộc tỉnh" two).
    pairs = sorted({w for w in (exact(d) for d in dictionary) if len(w.split()) == 2 and w.replace(" ", "").isalpha()})
    with open(os.path.join(ROOT, "words.txt"), "w", encoding="utf-8") as f:
        f.write("# Two-syllable words of pyvi's dictionary (pyvi 0.1.1, MIT, Copyright (c) 2016 Viet-Trung Tran), as written (lower case); built by seeds/tools/build_lexicon.py\n")
        for w in pairs:
            f.write(w + "\n")
    with open(os.path.join(ROOT, "syllables.txt"), "w", encoding="utf-8") as f:
        f.write("# Vietnamese syllables, folded, from pyvi's dictionary (MIT); built by seeds/tools/build_lexicon.py\n")
        for s in sorted(x for x in syllables if x.isalpha()):
            f.write(s + "\n")
    print(f"{len(words)} words, {len(syllables)} syllables")


if __name__ == "__main__":
    main()
