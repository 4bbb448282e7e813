#!/usr/bin/env bash
# Two replicas on one database: what reads cost PostgreSQL, and how fast a write on one replica
# reaches the other (issue 14's consistency bound).
#
#   bench/consistency.sh                            # about 1 minute after the build
#   BENCH_CACHE_MAX_BYTES=0 bench/consistency.sh    # the same without the cache, to compare
#
# 1. Builds the release binary (skip with BENCH_SKIP_BUILD=1), creates and seeds a throwaway
#    database ndp_bench_consistency (marked with a comment; one not marked is never touched),
#    starts replica A on 127.0.0.1:18280 and replica B on 127.0.0.1:18281 (HTTP_WORKERS=1 each).
# 2. Reads: wrk -t1 -c8 for BENCH_DURATION (10) seconds on B, once on one platform and once on the
#    first page of the list; counts the database's transactions (pg_stat_database, commits and
#    rollbacks, every connection of both replicas included: pool, listeners, heartbeats, webhook
#    workers) from 11 s before to 11 s after the run (counters are published late) per 1,000 reads
#    served; then the same count over 20 s without requests.
# 3. Propagation: BENCH_WRITES (200) PATCHes on A at BENCH_WRITE_RATE (10) per second while wrk
#    loads B with reads; after each write's answer, B is polled until it answers the new state
#    (bench/consistency.py). Reports p50/p99/max of that delay and B's notification lag histogram.
# Prints JSON lines; raw output goes to target/bench/consistency-TIMESTAMP/. Stops what it started
# (by PID) and drops its database on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=ndp_bench_consistency
DB_MARK="created by bench/consistency.sh"
A_ADDR=127.0.0.1:18280
B_ADDR=127.0.0.1:18281
DURATION=${BENCH_DURATION:-10}
WRITES=${BENCH_WRITES:-200}
RATE=${BENCH_WRITE_RATE:-10}
CACHE_BYTES=${BENCH_CACHE_MAX_BYTES:-33554432} # 0: the same reads without the cache, for comparison
BIN=target/release
OUT=${BENCH_OUT:-target/bench/consistency-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
JWT_SECRET_BENCH=$(head -c 32 /dev/urandom | base64)
PIDS=()
CREATED=""

die() { echo "consistency: $*" >&2; exit 1; }
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    if [[ -n $CREATED && -z ${BENCH_KEEP_DB:-} ]]; then
        psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null || true
    fi
}
trap cleanup EXIT INT TERM

command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    nice -n 19 cargo build --release --locked --bin ndp-registry
fi

if [[ -n $(psql -qAt "$PG_URL/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'") ]]; then
    comment=$(psql -qAt "$PG_URL/postgres" -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$DB'")
    [[ $comment == "$DB_MARK" ]] || die "database $DB exists and was not created by this script: not touching it"
    psql -q "$PG_URL/postgres" -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null
fi
psql -q "$PG_URL/postgres" -c "CREATE DATABASE $DB" -c "COMMENT ON DATABASE $DB IS '$DB_MARK'" >/dev/null
CREATED=1
DATABASE_URL="$PG_URL/$DB" RUST_LOG=warn "$BIN/ndp-registry" seed >"$OUT/seed.log" 2>&1 || die "seed failed"

start() { # ADDR NAME
    DATABASE_URL="$PG_URL/$DB" BIND_ADDR=$1 JWT_SECRET=$JWT_SECRET_BENCH HTTP_WORKERS=1 DATABASE_POOL_SIZE=10 \
        WRITES_PER_MINUTE_PER_TOKEN=0 ANONYMOUS_REQUESTS_PER_MINUTE=0 RUST_LOG=warn CACHE_MAX_BYTES=$CACHE_BYTES \
        "$BIN/ndp-registry" serve >"$OUT/$2.log" 2>&1 &
    PIDS+=($!)
    local deadline=$((SECONDS + 30))
    until curl -fsS -o /dev/null "http://$1/readyz" 2>/dev/null; do
        ((SECONDS < deadline)) || die "replica $2 did not become ready"
        sleep 0.2
    done
}
start $A_ADDR a
start $B_ADDR b
TOKEN=$(DATABASE_URL="$PG_URL/$DB" JWT_SECRET=$JWT_SECRET_BENCH RUST_LOG=warn "$BIN/ndp-registry" token issue \
    --ministry BTC --scope platforms:write --ttl 1h --label "consistency bench")
# The listeners are up once B reports it.
deadline=$((SECONDS + 10))
until ((CACHE_BYTES == 0)) || curl -fsS "http://$B_ADDR/metrics" | grep -q '^ndp_feed_listener_up 1'; do
    ((SECONDS < deadline)) || die "B's feed listener did not come up"
    sleep 0.1
done

transactions() {
    psql -qAt "$PG_URL/postgres" -c "SELECT pg_stat_clear_snapshot(); SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$DB'" | tail -1
}

reads() { # NAME PATH
    curl -fsS -o /dev/null "http://$B_ADDR$2"
    # An idle PostgreSQL backend publishes its counters up to 10 s late (PostgreSQL 15's
    # PGSTAT_IDLE_INTERVAL): wait that long on both sides of the run.
    sleep 11
    local before after served
    before=$(transactions)
    wrk -t1 -c8 -d"${DURATION}s" "http://$B_ADDR$2" >"$OUT/wrk-$1.txt"
    sleep 11
    after=$(transactions)
    served=$(awk '/requests in/ {print $1}' "$OUT/wrk-$1.txt")
    jq -nc --arg s "$1" --argjson t $((after - before)) --argjson r "$served" --argjson d "$DURATION" \
        '{scenario: $s, reads: $r, seconds: $d, transactions: $t, transactions_per_1000_reads: (($t * 1000 / $r * 100 | round) / 100)}'
}
reads get /api/v1/platforms/tabmis
reads list "/api/v1/platforms?per_page=20"

# Idle cost of the two replicas (heartbeats), for the scaling figures.
sleep 11; before=$(transactions); sleep 20; after=$(transactions)
jq -nc --argjson t $((after - before)) '{scenario: "idle, two replicas", seconds: 20, transactions: $t}'

WRK_SECONDS=$((WRITES / RATE + 5))
wrk -t1 -c8 -d"${WRK_SECONDS}s" "http://$B_ADDR/api/v1/platforms?per_page=20" >"$OUT/wrk-under-writes.txt" &
WRK_PID=$!
PIDS+=($WRK_PID)
sleep 1
python3 bench/consistency.py $A_ADDR $B_ADDR "$TOKEN" "$WRITES" "$RATE" | jq -c '{scenario: "propagation A -> B under reads"} + .'
wait $WRK_PID || true
echo "consistency: raw output in $OUT" >&2
