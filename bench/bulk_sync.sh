#!/usr/bin/env bash
# Bulk sync benchmark: bench/bulk_sync.sh [ENTRIES]   (default 5000)
#
# Times PUT /api/v1/ministries/BTC/platforms with ENTRIES platforms (BTC's seeded ones and new
# ones) against a release build on a fresh seeded database: the first sync (the new entries
# created), the same set again (all unchanged), and the set with every new entry's description
# changed (those updated). Each is one
# request, timed by curl; the write budget it must fit is 2 x DATABASE_TIMEOUT_MS (10 s by
# default). Prints one line per run; starts and stops its own server and drops its database.
#
# Environment: PG_URL (default postgres://postgres@127.0.0.1:5432), BENCH_SKIP_BUILD=1,
# BENCH_PORT (default 18180).

set -Eeuo pipefail

ENTRIES=${1:-5000}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PORT=${BENCH_PORT:-18180}
DB=ndp_bench_bulk
BIN=$ROOT/target/release/ndp-registry
WORK=$(mktemp -d)
SERVER_PID=""

cleanup() {
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

[[ ${BENCH_SKIP_BUILD:-0} == 1 ]] || nice -n 19 cargo build --release --locked --bin ndp-registry >&2
psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL=$PG_URL/$DB
export JWT_SECRET="ndp-bulk-bench-only-secret-$(date +%s)-0123456789abcdef"
export RUST_LOG=warn BIND_ADDR=127.0.0.1:$PORT WRITES_PER_MINUTE_PER_TOKEN=0 HTTP_WORKERS=2
"$BIN" seed >/dev/null
TOKEN=$("$BIN" token issue --ministry BTC --scope platforms:write --ttl 1h --label bulk-bench)
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done

# The ministry's current platforms, kept as they are, and new ones up to ENTRIES in all.
curl -fs "http://127.0.0.1:$PORT/api/v1/platforms?ministry=BTC&per_page=100" >"$WORK/current.json"
python3 - "$ENTRIES" "$WORK" <<'PY'
import json, sys
entries, work = int(sys.argv[1]), sys.argv[2]
keep = ["code", "name_vi", "name_en", "short_name", "description", "operator", "domains",
        "audiences", "status", "url", "ndxp_status", "legal_basis", "source"]
current = [{k: p[k] for k in keep} for p in json.load(open(f"{work}/current.json"))["items"]]
def platform(i, description):
    return {"code": f"bench-bulk-{i:05d}", "name_vi": f"Hệ thống thông tin thử nghiệm số {i}",
            "name_en": f"Test information system {i}", "description": description,
            "domains": ["public_finance"], "audiences": ["government"], "status": "operational"}
for name, text in [("first", "Mô tả ban đầu."), ("changed", "Mô tả đã cập nhật.")]:
    body = current + [platform(i, text) for i in range(entries - len(current))]
    json.dump(body, open(f"{work}/{name}.json", "w"), ensure_ascii=False)
PY

sync() { # NAME FILE
    local out code seconds
    out=$(curl -s -o "$WORK/$1.out" -w '%{http_code} %{time_total}' -X PUT \
        "http://127.0.0.1:$PORT/api/v1/ministries/BTC/platforms" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data-binary "@$2")
    read -r code seconds <<<"$out"
    local summary
    summary=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print(" ".join(f"{k}={len(p[k])}" for k in ("create","update","retire","unchanged")))' "$WORK/$1.out" 2>/dev/null || head -c 300 "$WORK/$1.out")
    printf '%-10s %s entries: HTTP %s in %s s (%s)\n' "$1" "$ENTRIES" "$code" "$seconds" "$summary"
}
sync create "$WORK/first.json"
sync unchanged "$WORK/first.json"
sync update "$WORK/changed.json"
