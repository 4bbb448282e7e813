"""Split batch5.json 60/40 into batch5-dev.json and batch5-holdout.json.

Stratified by primary kind (first tag), separately for overlap and search cases.
One random.Random(5005); kinds are visited in order of first appearance, each kind's
cases are sorted by id, shuffled, and the first round(0.6 * n) go to dev.
Also validates: unique ids, expected codes exist in seeds/platforms.csv.
Run from the repository root: python3 bench/relevance/split_batch5.py
"""

import csv
import json
import random

HERE = "bench/relevance/"
cases = json.load(open(HERE + "batch5.json", encoding="utf-8"))
codes = {r["code"] for r in csv.DictReader(open("seeds/platforms.csv", encoding="utf-8"))}

ids = [c["id"] for c in cases]
assert len(ids) == len(set(ids)), "duplicate ids"
for c in cases:
    for code in c["expected"]:
        assert code in codes, (c["id"], code)

rng = random.Random(5005)
dev, holdout = [], []
for kind in ("overlap", "search"):
    groups = {}
    for c in cases:
        if c["kind"] == kind:
            groups.setdefault(c["tags"][0], []).append(c)
    for primary, group in groups.items():
        group = sorted(group, key=lambda c: c["id"])
        rng.shuffle(group)
        n_dev = round(0.6 * len(group))
        dev += group[:n_dev]
        holdout += group[n_dev:]

for name, part in (("batch5-dev.json", dev), ("batch5-holdout.json", holdout)):
    part.sort(key=lambda c: (c["kind"], c["id"]))
    with open(HERE + name, "w", encoding="utf-8") as f:
        json.dump(part, f, ensure_ascii=False, indent=1)
        f.write("\n")
print(len(dev), "dev,", len(holdout), "holdout")
