#!/usr/bin/env bash
# Resident memory of ndp-registry under load at 100,000 platforms: bench/memory.sh [BINARY...]
#
# Builds the release binary (unless BENCH_SKIP_BUILD=1), seeds a throwaway database
# (BENCH_DB, default ndp_bench_memory; marked, and dropped afterwards unless BENCH_KEEP_DB=1),
# grows it with bench/scale.sql to BENCH_SCALE_TARGET (100,000) platforms, then, for each binary
# given (default target/release/ndp-registry), one after the other on the same database: starts
# it on 127.0.0.1:18380 (HTTP_WORKERS=2, DATABASE_POOL_SIZE=10, the default CACHE_MAX_BYTES) and
# runs the phases below with `wrk -t2 -c32`, printing after each the requests served and the
# server's VmRSS and VmHWM (/proc/PID/status). The random mixes are seeded, so every binary gets
# the same requests.
#
#   cached       5 s each on the list page, one platform and a search (answered from memory)
#   misses       BENCH_MIX_S (20) s of random reads, no Accept-Encoding: 70% gets over 20,000
#                codes, 27% list pages (per_page 20-100, page 1-200), 3% searches
#   overlap      10 s of overlap checks (each stores a receipt)
#   uncached     10 s of searches with Cache-Control: no-cache (built from the database)
#   br-hits      10 s of the list page per_page=100 with Accept-Encoding: br only
#   br-misses    10 s of the random mix with Accept-Encoding: br only
#   gzip-misses  10 s of the random mix with Accept-Encoding: gzip, deflate, br
#
# Extra environment for the server goes in BENCH_SERVER_ENV (e.g. "MALLOC_ARENA_MAX=1").
# Needs wrk, psql, curl and python3. Prints one JSON line per phase and a Markdown table.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-ndp_bench_memory}
ADDR=127.0.0.1:18380
TARGET=${BENCH_SCALE_TARGET:-100000}
MIX_S=${BENCH_MIX_S:-20}
DB_MARK='created by ndp-registry bench/memory.sh'
OUT=${BENCH_OUT:-$ROOT/target/bench/memory-$(date +%Y%m%dT%H%M%S)}
mkdir -p "$OUT"
BINS=("$@")
((${#BINS[@]})) || BINS=("$ROOT/target/release/ndp-registry")
SERVER_PID=""

die() { printf 'bench/memory: %s\n' "$*" >&2; exit 1; }
log() { printf '== %s\n' "$*" >&2; }

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    if [[ -n ${CREATED:-} && -z ${BENCH_KEEP_DB:-} ]]; then
        psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 ||
            echo "bench/memory: could not drop $DB" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in wrk psql curl python3; do command -v $tool >/dev/null || die "$tool is missing"; done
[[ $DB =~ ^[a-z0-9_]+$ ]] || die "BENCH_DB must be a plain lower-case name"

if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    log "building (cargo build --release --locked, niced)"
    nice -n 10 cargo build --release --locked --bin ndp-registry >&2
fi
for bin in "${BINS[@]}"; do [[ -x $bin ]] || die "$bin is not an executable"; done

# The database: reused when BENCH_REUSE_DB=1 and it carries this script's mark.
exists=$(psql -qAt "$PG_URL/postgres" -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$DB'")
if [[ -n ${BENCH_REUSE_DB:-} && $exists == "$DB_MARK" ]]; then
    log "reusing $DB"
else
    if [[ -n $(psql -qAt "$PG_URL/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'") ]]; then
        [[ $exists == "$DB_MARK" ]] || die "database $DB exists and was not created by this script: not touching it"
        psql -q "$PG_URL/postgres" -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null
    fi
    psql -q "$PG_URL/postgres" -c "CREATE DATABASE $DB" -c "COMMENT ON DATABASE $DB IS '$DB_MARK'" >/dev/null
    CREATED=1
    log "seeding $DB and growing it to $TARGET platforms (bench/scale.sql)"
    DATABASE_URL="$PG_URL/$DB" RUST_LOG=warn "${BINS[0]}" seed >"$OUT/seed.log" 2>&1 ||
        { cat "$OUT/seed.log" >&2; die "seed failed"; }
    psql -q -v ON_ERROR_STOP=1 -v target="$TARGET" -f bench/scale.sql "$PG_URL/$DB" >"$OUT/scale-sql.log" 2>&1 ||
        { cat "$OUT/scale-sql.log" >&2; die "bench/scale.sql failed"; }
fi
[[ -n ${BENCH_KEEP_DB:-} ]] && CREATED=""

# The random mix: 20,000 codes and 200 searches (the first two or three words of random names),
# chosen once with a fixed seed so that every binary is sent the same requests.
psql -qAt "$PG_URL/$DB" -c "SELECT setseed(0.14)" \
    -c "SELECT code FROM platforms ORDER BY random() LIMIT 20000" >"$OUT/codes.txt"
psql -qAt "$PG_URL/$DB" -c "SELECT setseed(0.14)" \
    -c "SELECT name_vi FROM platforms ORDER BY random() LIMIT 200" >"$OUT/names.txt"
python3 - "$OUT" <<'PY'
import sys, urllib.parse, pathlib
out = pathlib.Path(sys.argv[1])
codes = [c for c in out.joinpath("codes.txt").read_text().split("\n") if c.strip()]
names = [n for n in out.joinpath("names.txt").read_text().split("\n") if n.strip()]
queries = [urllib.parse.quote(" ".join(n.split()[: 2 + i % 2])) for i, n in enumerate(names)]
lua = lambda xs: "{" + ",".join('"%s"' % x.replace('"', "") for x in xs) + "}"
out.joinpath("mix.lua").write_text(f"""
local codes = {lua([urllib.parse.quote(c) for c in codes])}
local queries = {lua(queries)}
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) math.randomseed(1400 + id) end
request = function()
  local x = math.random()
  if x < 0.70 then
    return wrk.format("GET", "/api/v1/platforms/" .. codes[math.random(#codes)])
  elseif x < 0.97 then
    return wrk.format("GET", "/api/v1/platforms?per_page=" .. math.random(20, 100) .. "&page=" .. math.random(1, 200))
  end
  return wrk.format("GET", "/api/v1/platforms?q=" .. queries[math.random(#queries)])
end
""")
out.joinpath("uncached.lua").write_text(f"""
local queries = {lua(queries)}
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) math.randomseed(1500 + id) end
request = function()
  return wrk.format("GET", "/api/v1/platforms?q=" .. queries[math.random(#queries)], {{["Cache-Control"] = "no-cache"}})
end
""")
PY

status_mb() { # field: the server's VmRSS or VmHWM in MB
    awk -v f="$1:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

BIN_LABEL=""
phase() { # name wrk-args...: runs wrk and prints the server's memory after it
    local name=$1
    shift
    wrk -t2 -c32 "$@" >"$OUT/wrk-$BIN_LABEL-$name.txt" 2>&1 || die "wrk failed in $name (see $OUT)"
    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died in $name (log: $OUT/server-$BIN_LABEL.log)"
    local rps non2xx
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$OUT/wrk-$BIN_LABEL-$name.txt")
    non2xx=$(awk '/Non-2xx/ { print $5 }' "$OUT/wrk-$BIN_LABEL-$name.txt")
    printf '{"binary": "%s", "phase": "%s", "req_per_s": %s, "non_2xx": %s, "vmrss_mb": %s, "vmhwm_mb": %s}\n' \
        "$BIN_LABEL" "$name" "${rps:-0}" "${non2xx:-0}" "$(status_mb VmRSS)" "$(status_mb VmHWM)" | tee -a "$OUT/results.jsonl"
}

U="http://$ADDR"
for bin in "${BINS[@]}"; do
    BIN_LABEL=$(basename "$(dirname "$bin")")
    log "measuring $bin"
    # shellcheck disable=SC2086 # BENCH_SERVER_ENV is a list of NAME=value words
    env DATABASE_URL="$PG_URL/$DB" BIND_ADDR=$ADDR JWT_SECRET="bench-memory-only-$(date +%s)-0123456789abcdef" \
        HTTP_WORKERS=2 DATABASE_POOL_SIZE=10 OVERLAP_CHECKS_PER_MINUTE=0 ANONYMOUS_REQUESTS_PER_MINUTE=0 \
        RUST_LOG=warn ${BENCH_SERVER_ENV:-} "$bin" serve >"$OUT/server-$BIN_LABEL.log" 2>&1 &
    SERVER_PID=$!
    deadline=$((SECONDS + 60))
    until curl -fsS -o /dev/null "$U/readyz" 2>/dev/null; do
        ((SECONDS < deadline)) || die "the server did not become ready (log: $OUT/server-$BIN_LABEL.log)"
        sleep 0.2
    done
    printf '{"binary": "%s", "phase": "start", "vmrss_mb": %s, "vmhwm_mb": %s}\n' \
        "$BIN_LABEL" "$(status_mb VmRSS)" "$(status_mb VmHWM)" | tee -a "$OUT/results.jsonl"
    phase cached-list -d5s "$U/api/v1/platforms?per_page=20"
    phase cached-get -d5s "$U/api/v1/platforms/vneid"
    phase cached-search -d5s "$U/api/v1/platforms?q=hoa%20don%20dien%20tu"
    phase misses -d"${MIX_S}s" -s "$OUT/mix.lua" "$U"
    phase overlap -d10s -s bench/lua/overlap.lua "$U/api/v1/overlap-checks"
    phase uncached -d10s -s "$OUT/uncached.lua" "$U"
    phase br-hits -d10s -H 'Accept-Encoding: br' "$U/api/v1/platforms?per_page=100"
    phase br-misses -d10s -H 'Accept-Encoding: br' -s "$OUT/mix.lua" "$U"
    phase gzip-misses -d10s -H 'Accept-Encoding: gzip, deflate, br' -s "$OUT/mix.lua" "$U"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
done

python3 - "$OUT/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
bins = list(dict.fromkeys(r["binary"] for r in rows))
phases = list(dict.fromkeys(r["phase"] for r in rows))
at = {(r["binary"], r["phase"]): r for r in rows}
print()
print("| phase | " + " | ".join(f"{b}: req/s, VmRSS, VmHWM (MB)" for b in bins) + " |")
print("|---|" + "---:|" * len(bins))
for p in phases:
    cells = []
    for b in bins:
        r = at.get((b, p))
        cells.append("" if r is None else f"{r.get('req_per_s', '-')}, {r['vmrss_mb']}, {r['vmhwm_mb']}")
    print(f"| {p} | " + " | ".join(cells) + " |")
PY
echo "raw output in $OUT" >&2
