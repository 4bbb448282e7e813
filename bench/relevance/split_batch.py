"""Split an overlap-only batch, batchN.json, into batchN-dev.json and batchN-holdout.json (60/40,
stratified by primary kind): python3 bench/relevance/split_batch.py N SEED, from the repository root.
Batches 7, 9, 11 and 12 were split so, with the seeds 7007, 9009, 1111 and 1212.

Each primary kind's cases are sorted by id, shuffled with one random.Random(SEED) (kinds taken in sorted
order), and the first round(0.6*n) go to dev. Checks that ids are unique and that every expected code
exists in seeds/platforms.csv (run from the repository root), then prints counts per kind and verdict.
"""
import collections, csv, json, os, random, sys

HERE = "bench/relevance"
BATCH = sys.argv[1] if len(sys.argv) == 3 else sys.exit("usage: split_batch.py N SEED")
SEED = int(sys.argv[2])
SRC = os.path.join(HERE, f"batch{BATCH}.json")
PLATFORMS = "seeds/platforms.csv"
VERDICTS = ("likely_duplicate", "possible_overlap", "no_overlap")


def main():
    cases = json.load(open(SRC, encoding="utf-8"))
    ids = [c["id"] for c in cases]
    dup = [i for i, n in collections.Counter(ids).items() if n > 1]
    if dup:
        sys.exit(f"duplicate ids: {dup}")
    with open(PLATFORMS, encoding="utf-8") as f:
        codes = {r["code"] for r in csv.DictReader(f)}
    for c in cases:
        bad = [e for e in c["expected"] if e not in codes]
        if bad:
            sys.exit(f"{c['id']}: unknown platform codes {bad}")
        if c["verdict"] not in VERDICTS:
            sys.exit(f"{c['id']}: bad verdict {c['verdict']}")
        if (c["verdict"] == "no_overlap") != (c["expected"] == []):
            sys.exit(f"{c['id']}: expected must be empty exactly for no_overlap")

    rng = random.Random(SEED)
    by_kind = collections.defaultdict(list)
    for c in cases:
        by_kind[c["tags"][0]].append(c)
    dev, hold = [], []
    for kind in sorted(by_kind):
        group = sorted(by_kind[kind], key=lambda c: c["id"])
        rng.shuffle(group)
        k = round(0.6 * len(group))
        dev += group[:k]
        hold += group[k:]
    dev.sort(key=lambda c: c["id"])
    hold.sort(key=lambda c: c["id"])
    for name, part in ((f"batch{BATCH}-dev.json", dev), (f"batch{BATCH}-holdout.json", hold)):
        with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
            json.dump(part, f, ensure_ascii=False, indent=1)
            f.write("\n")

    print(f"{'kind':18} {'dev':>4} {'hold':>4} {'total':>5}")
    for kind in sorted(by_kind):
        d = sum(c["tags"][0] == kind for c in dev)
        h = sum(c["tags"][0] == kind for c in hold)
        print(f"{kind:18} {d:4} {h:4} {d + h:5}")
    print(f"{'total':18} {len(dev):4} {len(hold):4} {len(cases):5}")
    for name, part in (("dev", dev), ("holdout", hold)):
        v = collections.Counter(c["verdict"] for c in part)
        nd = sum("no_diacritics" in c["tags"] for c in part)
        print(f"{name}: " + " / ".join(f"{v[x]} {x}" for x in VERDICTS) + f"; no_diacritics {nd}")
    used = {e for c in cases for e in c["expected"]}
    print(f"distinct expected codes: {len(used)} of {len(codes)}")


if __name__ == "__main__":
    main()
