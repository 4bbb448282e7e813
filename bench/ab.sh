#!/usr/bin/env bash
# One binary's cost per request on a given database: bench/ab.sh BINARY DATABASE OUT.jsonl [RUN]
#
# Serves BINARY (a release build of ndp-registry) on DATABASE (for instance the 100,000-platform
# registry that bench/scale.sql grows), sends the development cases (cases-dev.json and
# batch5-dev.json: 182 plans, 130 searches) once to warm it, then once more with every plan's title
# and every search numbered apart (a number is filler to the matcher), so that each is judged anew
# and not answered from a kept judgement or the cache; prints bench/tails.py's latency table and the
# CPU the server and PostgreSQL spent on the measured round, and writes the answers to OUT.jsonl
# (compare two binaries' answers with `bench/tails.py --compare A.jsonl B.jsonl`, their quality with
# the expected answers by reading OUT.jsonl against the case files). RUN (a digit, default 1) picks
# the numbers, so that two binaries run one after the other on one database judge the same new
# texts. PostgreSQL's CPU is that of its processes that lived through the round (the server's
# pooled connections), read from ps in whole seconds. Needs a quiet machine: compare two binaries
# run one after the other, not absolute figures.
set -Eeuo pipefail
BIN=$1 DB=$2 OUT=$3 RUN=${4:-1}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-18090}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
WORK=$(mktemp -d)
numbered() { # numbered FILE OFFSET: the cases of FILE with their texts numbered from OFFSET
    python3 - "$1" "$2" <<'PY'
import json, sys
cases = json.load(open(sys.argv[1]))
for i, case in enumerate(cases):
    n = int(sys.argv[2]) + i
    if case["kind"] == "overlap":
        case["title"] = f"{case['title']} (gói thầu số {n})"
    else:
        case["q"] = f"{case['q']} {n}"
json.dump(cases, sys.stdout, ensure_ascii=False)
PY
}
for f in cases-dev batch5-dev; do
    numbered "bench/relevance/$f.json" $((RUN * 20000 + 1000)) >"$WORK/warm-$f.json"
    numbered "bench/relevance/$f.json" $((RUN * 20000 + 10000)) >"$WORK/$f.json"
done
DATABASE_URL="$PG_URL/$DB" BIND_ADDR="127.0.0.1:$PORT" HTTP_WORKERS=2 RUST_LOG=warn \
    OVERLAP_CHECKS_PER_MINUTE=0 WRITES_PER_MINUTE_PER_TOKEN=0 ANONYMOUS_REQUESTS_PER_MINUTE=0 \
    "$BIN" serve >"$WORK/server.log" 2>&1 &
SPID=$!
trap 'kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 1; done
python3 bench/tails.py "http://127.0.0.1:$PORT" --rounds 1 "$WORK/warm-cases-dev.json" "$WORK/warm-batch5-dev.json" >/dev/null
cpu() { awk '{print $14 + $15}' "/proc/$SPID/stat"; }
pg() { ps -o cputimes= -C postgres | awk '{s += $1} END {print s}'; }
s0=$(cpu) p0=$(pg)
python3 bench/tails.py "http://127.0.0.1:$PORT" --rounds 1 --out "$OUT" "$WORK/cases-dev.json" "$WORK/batch5-dev.json" >"$WORK/tails.txt"
s1=$(cpu) p1=$(pg)
head -7 "$WORK/tails.txt"
echo "server CPU: $(((s1 - s0) * 10)) ms; PostgreSQL CPU: $((p1 - p0)) s"
python3 - "$OUT" bench/relevance/cases-dev.json bench/relevance/batch5-dev.json <<'PY'
import json, sys
cases = {c["id"]: c for f in sys.argv[2:] for c in json.load(open(f))}
verdicts = plans = found = expecting = searched = searches = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    case, answer = cases[r["id"]], r.get("answer") or {}
    if case["kind"] == "overlap":
        plans += 1
        verdicts += answer.get("verdict") == case["verdict"]
        if case["expected"]:
            expecting += 1
            found += any(e in (answer.get("candidates") or [])[:5] for e in case["expected"])
    elif case["expected"]:
        searches += 1
        codes = answer if isinstance(answer, list) else []
        searched += any(e in codes[:5] for e in case["expected"])
print(f"verdicts {verdicts}/{plans}; expected platform in the first five: "
      f"checks {found}/{expecting}, searches {searched}/{searches}")
PY
