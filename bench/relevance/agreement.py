#!/usr/bin/env python3
"""How far a second blind reviewer agrees with the labels of the checker-shaped holdout cases.

The second reviewer (brief: briefs/relabel.md) saw only each plan's id, title and description,
shuffled, never the first labels. Run from the repository root:
    python3 bench/relevance/agreement.py
"""
import collections
import json

FIRST = ["bench/relevance/batch12-holdout.json", "bench/relevance/batch13.json"]
SECOND = "bench/relevance/second-reviewer.json"

first = {
    c["id"]: c
    for f in FIRST
    for c in json.load(open(f, encoding="utf-8"))
    if c["kind"] == "overlap"
}
second = {c["id"]: c for c in json.load(open(SECOND, encoding="utf-8"))}
assert set(first) == set(second), "the two label sets cover different cases"

pairs = collections.Counter((first[i]["verdict"], second[i]["verdict"]) for i in first)
same = sum(n for (a, b), n in pairs.items() if a == b)
print(f"verdicts agreed: {same}/{len(first)}")
for (a, b), n in sorted(pairs.items()):
    print(f"  first {a:<17} second {b:<17} {n}")
both = [i for i in first if first[i]["expected"] and second[i]["expected"]]
shared = sum(bool(set(first[i]["expected"]) & set(second[i]["expected"])) for i in both)
print(f"a platform in common where both name one: {shared}/{len(both)}")
