#!/usr/bin/env bash
# Performance benchmark of ndp-registry: bench/run.sh [quick|full|scale]
#
#   quick  wrk 10 s per run, 2 alternating A/B rounds, oha 10 s at half the saturation rate
#   full   wrk 30 s per run, 3 rounds, oha 30 s
#   scale  p50 of list, get one, search and overlap check at 79 and at 100,000 platforms (oha,
#          20 req/s), and the server's peak RSS over the run
#
# Installs what is missing (wrk from apt, oha and the postrust peer from crates.io), builds the
# release binaries, creates its own databases (ndp_bench, ndp_bench_scale), starts the servers,
# measures, writes BENCHMARKS.md and stops everything it started. See bench/README.md.
#
# Environment: PG_URL (default postgres://postgres@127.0.0.1:5432), BENCH_CONNECTIONS (32),
# BENCH_SKIP_PEER=1, BENCH_SKIP_BUILD=1, BENCH_KEEP_DB=1 (keep the bench databases afterwards),
# BENCH_OUT (raw results directory, default target/bench/MODE-TIMESTAMP); BENCH_DURATION,
# BENCH_LAT_DURATION, BENCH_ROUNDS and BENCH_SCALE_TARGET shorten a trial run.

set -Eeuo pipefail

MODE=${1:-quick}
case "$MODE" in
    quick) DUR=10; ROUNDS=2; LAT_DUR=10 ;;
    full) DUR=30; ROUNDS=3; LAT_DUR=30 ;;
    scale) DUR=0; ROUNDS=0; LAT_DUR=10 ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [quick|full|scale]" >&2; exit 2 ;;
esac
# Overrides for trying the script out: seconds per wrk run and per oha run, A/B rounds.
DUR=${BENCH_DURATION:-$DUR}
LAT_DUR=${BENCH_LAT_DURATION:-$LAT_DUR}
ROUNDS=${BENCH_ROUNDS:-$ROUNDS}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PATH="$HOME/.cargo/bin:$PATH"

PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=ndp_bench
SCALE_DB=ndp_bench_scale
OURS_ADDR=127.0.0.1:18080
STATIC_ADDR=127.0.0.1:18090
PEER_HOST=127.0.0.1
PEER_PORT=18100
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=2
WORKERS=2
POOL=10
SCALE_TARGET=${BENCH_SCALE_TARGET:-100000}
SCALE_RATE=20
JWT_SECRET_BENCH="ndp-bench-only-secret-$(date +%s)-0123456789abcdef"
OUT=${BENCH_OUT:-$ROOT/target/bench/$MODE-$(date +%Y%m%dT%H%M%S)}
RESULTS=$OUT/results.jsonl
BIN=$ROOT/target/release
CLK_TCK=$(getconf CLK_TCK)
DB_MARK='created by ndp-registry bench/run.sh'

OVERLAP_BODY='{"title":"Xây dựng hệ thống hóa đơn điện tử của tỉnh","description":"Phần mềm phát hành và tra cứu hóa đơn điện tử cho doanh nghiệp"}'
# The peer's nearest equivalents of our list and get-one: the same columns (not the derived
# search_text) with contacts, ownership history and list keys embedded, and the exact total.
PEER_SELECT='code,name_vi,name_en,short_name,description,ministry_code,operator,domains,audiences,status,url,ndxp_status,legal_basis_number,legal_basis_date,source,confidence,version,created_at,updated_at,contacts(*),platform_ownerships(ministry_code,valid_from,valid_to,reason),list_memberships(list_key)'

mkdir -p "$OUT"
: >"$RESULTS"
COMMANDS=()
PIDS=()
CREATED_DBS=()
PEER_STATUS="not tried"
PEER_SHORT="not tried"
PEER_NOTE=""
PEER_BIN=""
RUNS=0
BUSY_RUNS=0

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
cmd() { # records a command for BENCHMARKS.md, shell-quoted, with the bearer token elided
    local line="" a plain='^[A-Za-z0-9_./:=,@%+&$-]+$'
    for a in "$@"; do
        [[ -n ${BENCH_TOKEN:-} ]] && a=${a//$BENCH_TOKEN/\$BENCH_TOKEN}
        if [[ $a =~ $plain ]]; then
            line+="$a "
        elif [[ $a != *[\"\\\`]* ]]; then
            line+="\"$a\" "
        else
            line+="${a@Q} "
        fi
    done
    COMMANDS+=("${line% }")
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n ${SAMPLER_PID:-} ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ -z ${BENCH_KEEP_DB:-} ]]; then
        for db in "${CREATED_DBS[@]}"; do
            psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 ||
                echo "bench: could not drop $db" >&2
        done
    fi
    if ((rc != 0)); then
        echo "bench: FAILED (exit $rc); raw output in $OUT" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# 1. Tools
# ---------------------------------------------------------------------------------------------
install_tools() {
    if ! command -v wrk >/dev/null; then
        log "installing wrk (apt)"
        nice -n 19 apt-get install -y -q wrk >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null && nice -n 19 apt-get install -y -q wrk >/dev/null; } ||
            die "could not install wrk"
    fi
    if ! command -v oha >/dev/null; then
        log "installing oha (cargo install, niced)"
        local v ok=""
        # The newest first; the pinned ones are fallbacks that build with older stable compilers.
        for v in "" 1.16.0 1.10.0 1.8.0; do
            if nice -n 19 cargo install oha --locked ${v:+--version "$v"} >>"$OUT/oha-install.log" 2>&1 ||
                nice -n 19 cargo install oha ${v:+--version "$v"} >>"$OUT/oha-install.log" 2>&1; then
                ok=1
                break
            fi
        done
        [[ -n $ok ]] || die "could not install oha (see $OUT/oha-install.log)"
    fi
    command -v psql >/dev/null || die "psql is missing (apt-get install postgresql-client)"
    psql -qAt "$PG_URL/postgres" -c 'select 1' >/dev/null || die "PostgreSQL does not answer at $PG_URL"
}

install_peer() {
    if [[ -n ${BENCH_SKIP_PEER:-} ]]; then
        PEER_STATUS="skipped (BENCH_SKIP_PEER set)"
        PEER_SHORT="skipped"
        return
    fi
    PEER_BIN=$(command -v postrust || true)
    if [[ -z $PEER_BIN ]]; then
        log "installing the peer: cargo install postrust-server (niced, at most 20 minutes)"
        # --locked first; without it when the registry lacks a locked version (seen here: the
        # lock file pins webpki-roots 1.0.11, which the registry mirror did not have).
        if nice -n 19 timeout 1200 cargo install postrust-server --locked >"$OUT/peer-install.log" 2>&1 ||
            nice -n 19 timeout 1200 cargo install postrust-server >>"$OUT/peer-install.log" 2>&1; then
            PEER_BIN=$(command -v postrust || true)
        fi
    fi
    if [[ -z $PEER_BIN ]]; then
        PEER_STATUS="postrust-server could not be installed here (cargo install failed or took over 20 min; tail of the log: $(tail -n 3 "$OUT/peer-install.log" 2>/dev/null | tr '\n' ' ' | cut -c1-300)); peer comparisons skipped"
        PEER_SHORT="postrust-server could not be installed"
        echo "bench: $PEER_STATUS" >&2
        PEER_BIN=""
    fi
}

# ---------------------------------------------------------------------------------------------
# 2. Build, databases, servers
# ---------------------------------------------------------------------------------------------
build() {
    if [[ -n ${BENCH_SKIP_BUILD:-} ]]; then
        [[ -x $BIN/ndp-registry && -x $BIN/static-ceiling ]] || die "BENCH_SKIP_BUILD set but target/release has no binaries"
        return
    fi
    log "building the release binaries (niced)"
    cmd nice -n 19 cargo build --release --bins
    nice -n 19 cargo build --release --bins >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "cargo build failed"; }
}

# Creates a fresh database. One that exists already is replaced only if an earlier run of this
# script created it (its comment says so); anything else is left alone and the run stops.
fresh_db() {
    local db=$1 comment
    if [[ -n $(psql -qAt "$PG_URL/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$db'") ]]; then
        comment=$(psql -qAt "$PG_URL/postgres" -c "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$db'")
        [[ $comment == "$DB_MARK" ]] || die "database $db exists and was not created by this script: not touching it"
        psql -q "$PG_URL/postgres" -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
    fi
    psql -q "$PG_URL/postgres" -c "CREATE DATABASE $db" -c "COMMENT ON DATABASE $db IS '$DB_MARK'" >/dev/null
    CREATED_DBS+=("$db")
    cmd createdb "$db"
    cmd DATABASE_URL="$PG_URL/$db" ndp-registry seed
    DATABASE_URL="$PG_URL/$db" RUST_LOG=warn "$BIN/ndp-registry" seed >"$OUT/seed-$db.log" 2>&1 ||
        { cat "$OUT/seed-$db.log" >&2; die "seed of $db failed"; }
}

wait_http() { # URL [seconds]
    local url=$1 deadline=$((SECONDS + ${2:-30}))
    until curl -fsS -o /dev/null "$url" 2>/dev/null; do
        ((SECONDS < deadline)) || die "no answer from $url"
        sleep 0.2
    done
}

OURS_PID=""
start_ours() { # database
    local db=$1
    cmd DATABASE_URL="$PG_URL/$db" BIND_ADDR=$OURS_ADDR 'JWT_SECRET=$JWT_SECRET' HTTP_WORKERS=$WORKERS \
        DATABASE_POOL_SIZE=$POOL OVERLAP_CHECKS_PER_MINUTE=0 WRITES_PER_MINUTE_PER_TOKEN=0 ANONYMOUS_REQUESTS_PER_MINUTE=0 RUST_LOG=warn ndp-registry serve '&'
    DATABASE_URL="$PG_URL/$db" BIND_ADDR=$OURS_ADDR JWT_SECRET=$JWT_SECRET_BENCH HTTP_WORKERS=$WORKERS \
        DATABASE_POOL_SIZE=$POOL OVERLAP_CHECKS_PER_MINUTE=0 WRITES_PER_MINUTE_PER_TOKEN=0 ANONYMOUS_REQUESTS_PER_MINUTE=0 RUST_LOG=warn \
        "$BIN/ndp-registry" serve >>"$OUT/ours-$db.log" 2>&1 &
    OURS_PID=$!
    PIDS+=("$OURS_PID")
    if ! (wait_http "http://$OURS_ADDR/readyz" 60); then
        die "ndp-registry serve did not become ready on $OURS_ADDR; $(grep -m1 -A1 panicked "$OUT/ours-$db.log" | tr '\n' ' ' || tail -n 3 "$OUT/ours-$db.log" | tr '\n' ' ')"
    fi
}

stop_pid() {
    local pid=$1
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

STATIC_PID=""
start_static() {
    cmd static-ceiling "$STATIC_ADDR" '&'
    "$BIN/static-ceiling" "$STATIC_ADDR" >"$OUT/static.log" 2>&1 &
    STATIC_PID=$!
    PIDS+=("$STATIC_PID")
    wait_http "http://$STATIC_ADDR/static" 20
}

PEER_PID=""
start_peer() {
    [[ -n $PEER_BIN ]] || return 0
    local env=(
        PGRST_DB_URI="$PG_URL/$DB" PGRST_DB_SCHEMAS=public PGRST_DB_ANON_ROLE=postgres
        "PGRST_DB_POOL=$POOL" "PGRST_SERVER_HOST=$PEER_HOST" "PGRST_SERVER_PORT=$PEER_PORT"
        PGRST_LOG_LEVEL=crit DATABASE_URL="$PG_URL/$DB" "TOKIO_WORKER_THREADS=$WORKERS"
    )
    cmd "${env[@]}" postrust '&'
    env "${env[@]}" "$PEER_BIN" >"$OUT/peer.log" 2>&1 &
    PEER_PID=$!
    PIDS+=("$PEER_PID")
    local deadline=$((SECONDS + 60))
    until curl -fsS -o /dev/null "http://$PEER_HOST:$PEER_PORT/api/platforms?select=code&limit=1" 2>/dev/null; do
        if ! kill -0 "$PEER_PID" 2>/dev/null || ((SECONDS > deadline)); then
            PEER_STATUS="postrust-server installed but did not serve /api/platforms (log tail: $(tail -n 3 "$OUT/peer.log" | tr '\n' ' ' | cut -c1-300)); peer comparisons skipped"
            PEER_SHORT="postrust did not start"
            echo "bench: $PEER_STATUS" >&2
            stop_pid "$PEER_PID"
            PEER_PID=""
            return 0
        fi
        sleep 0.3
    done
    # (postrust has no --version: it would start a server with the default configuration)
    PEER_STATUS="$(cargo install --list 2>/dev/null | awk '/^postrust-server / && !n++ {print $1, $2}' | tr -d :) (binary postrust, from crates.io), PostgREST-compatible, on the same database, anonymous role postgres, pool $POOL, $WORKERS Tokio worker threads"
    PEER_SHORT="postrust"
}

# ---------------------------------------------------------------------------------------------
# 3. Measurements
# ---------------------------------------------------------------------------------------------
cpu_ticks() { # pid -> utime+stime in ticks (fields 14 and 15; the name in field 2 may hold spaces)
    local rest
    rest=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    awk '{print $12 + $13}' <<<"$rest"
}

db_xacts() { # committed + rolled back transactions of the benchmark database (stats lag up to ~1 s)
    psql -qAt "$PG_URL/postgres" -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$DB_NAME'"
}

pg_ticks() { # all PostgreSQL processes; a backend that exits during the run is lost (pools keep theirs)
    local total=0 pid t
    for pid in $(pgrep -x postgres || true); do
        t=$(cpu_ticks "$pid")
        total=$((total + t))
    done
    echo "$total"
}

# Waits (at most 30 s) until no query of the benchmark database is running and no autovacuum
# worker is on it, so that a run does not start while the previous one's abandoned requests, or
# PostgreSQL's upkeep after its writes, still hold the server and PostgreSQL.
drain() {
    local deadline=$((SECONDS + 30)) n
    while ((SECONDS < deadline)); do
        n=$(psql -qAt "$PG_URL/postgres" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$DB_NAME' AND (state = 'active' OR backend_type = 'autovacuum worker')")
        ((n == 0)) && return 0
        sleep 0.5
    done
    echo "bench: queries still running on $DB_NAME after 30 s; measuring anyway" >&2
}

busy_now() { # compilers running that this script did not start
    pgrep -c -x 'rustc|cc1|cc1plus' 2>/dev/null || true
}

SAMPLER_PID=""
start_rss_sampler() { # pid file
    local pid=$1 file=$2
    echo 0 >"$file"
    (
        max=0
        while kill -0 "$pid" 2>/dev/null; do
            r=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
            if ((r > max)); then max=$r; echo "$max" >"$file"; fi
            sleep 0.2
        done
    ) &
    SAMPLER_PID=$!
}
stop_rss_sampler() { stop_pid "$SAMPLER_PID"; SAMPLER_PID=""; }

to_ms() { # wrk latency "1.23ms" / "456.00us" / "1.02s" -> ms
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
        else if (v ~ /m$/) { sub(/m$/, "", v); print v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 }
        else print "null" }'
}

declare -A RPS_SUM RPS_N
# wrk_run SCENARIO SERVER ROUND PID URL [wrk args...]: saturating throughput, CPU and RSS.
wrk_run() {
    local sc=$1 sv=$2 round=$3 pid=$4 url=$5
    shift 5
    local file="$OUT/wrk-$sc-$sv-$round.txt" rssf="$OUT/rss-$sc-$sv-$round"
    local busy c0 c1 p0 p1 x0 x1
    drain
    busy=$(busy_now)
    RUNS=$((RUNS + 1))
    ((busy > 0)) && BUSY_RUNS=$((BUSY_RUNS + 1))
    printf 'wrk  %-8s %-7s round %s ... ' "$sc" "$sv" "$round" >&2
    if [[ $round == 1 ]]; then cmd wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency "$@" "$url"; fi
    c0=$(cpu_ticks "$pid"); p0=$(pg_ticks); x0=$(db_xacts)
    start_rss_sampler "$pid" "$rssf"
    wrk -t"$THREADS" -c"$CONNS" -d"${DUR}s" --latency "$@" "$url" >"$file" 2>&1 || true
    stop_rss_sampler
    if ! survived "$pid" "$sv server" "$sc" "$(server_of "$pid")"; then
        wrk_run "$sc" "$sv" "$round" "$OURS_PID" "$url" "$@"
        return
    fi
    c1=$(cpu_ticks "$pid"); p1=$(pg_ticks); x1=$(db_xacts)
    local requests rps non2xx sockerr p50 p99
    requests=$(awk '/requests in/ {print $1; exit}' "$file")
    rps=$(awk '/^Requests\/sec:/ {print $2; exit}' "$file")
    [[ -n $requests && -n $rps ]] || { cat "$file" >&2; die "wrk produced no result for $sc/$sv"; }
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF; exit}' "$file")
    sockerr=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10; exit}' "$file")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2; exit}' "$file")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2; exit}' "$file")")
    python3 - "$sc" "$sv" "$round" "$requests" "$rps" "${non2xx:-0}" "${sockerr:-0}" \
        "$((c1 - c0))" "$((p1 - p0))" "$CLK_TCK" "$(cat "$rssf")" "$p50" "$p99" "$busy" "$((x1 - x0))" >>"$RESULTS" <<'EOF'
import json, sys
sc, sv, rnd, req, rps, non2xx, sock, cpu, pg, tck, rss, p50, p99, busy, xacts = sys.argv[1:]
req = int(req)
per = lambda ticks: int(ticks) / int(tck) * 1e6 / req if req else None
num = lambda v: None if v in ("", "null") else float(v)
print(json.dumps({"kind": "tput", "scenario": sc, "server": sv, "round": int(rnd),
    "requests": req, "rps": float(rps), "non2xx": int(non2xx), "socket_errors": int(sock),
    "cpu_us": per(cpu), "db_cpu_us": per(pg), "rss_kb": int(rss),
    "wrk_p50_ms": num(p50), "wrk_p99_ms": num(p99), "busy": int(busy),
    "xacts_per_req": int(xacts) / req if req else None}))
EOF
    RPS_SUM[$sc/$sv]=$(awk -v a="${RPS_SUM[$sc/$sv]:-0}" -v b="$rps" 'BEGIN {print a + b}')
    RPS_N[$sc/$sv]=$((${RPS_N[$sc/$sv]:-0} + 1))
    printf '%s req/s (%s requests, %s non-2xx/3xx, CPU %s ticks)\n' "$rps" "$requests" "${non2xx:-0}" "$((c1 - c0))" >&2
}

# oha_run KIND SCENARIO SERVER RATE DURATION EXTRA_JSON URL [oha args...]: latency at a fixed rate.
oha_run() {
    local kind=$1 sc=$2 sv=$3 rate=$4 dur=$5 extra=$6 url=$7
    shift 7
    local file="$OUT/oha-$kind-$sc-$sv.json"
    [[ $kind == scale ]] && file="$OUT/oha-$kind-$sc-$(jq -r '"\(.size)-\(.load)"' <<<"$extra").json"
    # RATE "seq": one connection, each request sent when the previous one is answered.
    local load=(-q "$rate" -c "$CONNS" --latency-correction) rate_json=$rate
    if [[ $rate == seq ]]; then load=(-c 1); rate_json=null; fi
    local busy
    drain
    busy=$(busy_now)
    RUNS=$((RUNS + 1))
    ((busy > 0)) && BUSY_RUNS=$((BUSY_RUNS + 1))
    printf 'oha  %-8s %-7s at %s req/s ... ' "$sc" "$sv" "$rate" >&2
    # The same request wrk sends (no Accept-Encoding, so no compression): the latency is taken at
    # half the saturation rate of the very work whose saturation wrk measured. oha otherwise asks
    # for gzip or brotli, and a compressed answer is other work (see BENCHMARKS.md, memory).
    cmd oha -z "${dur}s" "${load[@]}" --no-tui --output-format json -H 'Accept-Encoding: identity' "$@" "$url"
    oha -z "${dur}s" "${load[@]}" --no-tui --output-format json -H 'Accept-Encoding: identity' "$@" "$url" \
        >"$file" 2>"$file.err" || { cat "$file.err" >&2; die "oha failed for $sc/$sv"; }
    local spid
    case $sv in ours) spid=$OURS_PID ;; peer) spid=$PEER_PID ;; *) spid=$STATIC_PID ;; esac
    if ! survived "$spid" "$sv server" "$sc" "$(server_of "$spid")"; then
        oha_run "$kind" "$sc" "$sv" "$rate" "$dur" "$extra" "$url" "$@"
        return
    fi
    jq -c --arg kind "$kind" --arg sc "$sc" --arg sv "$sv" --argjson rate "$rate_json" --argjson extra "$extra" \
        --argjson busy "$busy" '{kind: $kind, scenario: $sc, server: $sv, rate: $rate,
          p50_ms: (if .latencyPercentiles.p50 == null then null else .latencyPercentiles.p50 * 1000 end),
          p99_ms: (if .latencyPercentiles.p99 == null then null else .latencyPercentiles.p99 * 1000 end),
          total: ([.statusCodeDistribution[]] | add // 0), success_rate: .summary.successRate, rps: .summary.requestsPerSec,
          status: .statusCodeDistribution, errors: (.errorDistribution // {} | to_entries
            | map(select(.key | test("aborted due to deadline") | not))
            | map("\(.value)x \(.key)") | join("; ")),
          aborted_at_deadline: (.errorDistribution // {} | to_entries
            | map(select(.key | test("aborted due to deadline")) | .value) | add // 0), busy: $busy} + $extra' "$file" >>"$RESULTS"
    tail -n1 "$RESULTS" | jq -r '"p50 \(.p50_ms) ms, p99 \(.p99_ms) ms, statuses \(.status|tostring) \(.errors)"' >&2
}

# Stops the run when a server died during a measurement, saying how (something else on the
# machine killing it shows as a signal, a crash as a panic in its log).
# After a measurement: 0 if the server that answered it is still running. When ndp-registry is
# gone but did not crash (a signal, or a clean exit, as when something else on the machine stops
# every process of that name), the incident is recorded, the server restarted and the caller
# measures again (at most twice a run); a panic, or any other server dying, stops the run.
RESTARTS=0
INCIDENTS=()
survived() { # pid name scenario logfile
    local pid=$1 name=$2 sc=$3 log=$4 status=0 how panic
    kill -0 "$pid" 2>/dev/null && return 0
    wait "$pid" 2>/dev/null || status=$?
    if ((status > 128)); then how="killed by signal $((status - 128)) ($(kill -l $((status - 128)) 2>/dev/null))"; else how="exited with status $status"; fi
    panic=$(grep -m1 -A1 panicked "$OUT/$log" 2>/dev/null | tr '\n' ' ' || true)
    local msg
    msg="$(date -u +%H:%M:%S) UTC: $name (pid $pid) $how during the $sc measurement${panic:+; $panic}"
    INCIDENTS+=("$msg")
    echo "bench: $msg" >&2
    if [[ $pid == "$OURS_PID" && -z $panic ]] && ((status == 0 || status > 128)) && ((RESTARTS < 2)); then
        RESTARTS=$((RESTARTS + 1))
        echo "bench: restarting ndp-registry and measuring $sc again" >&2
        OURS_PID=""
        start_ours "$DB_NAME"
        return 1
    fi
    die "$msg; last lines of its log: $(tail -n 5 "$OUT/$log" 2>/dev/null | tr '\n' ' ' | cut -c1-400)"
}

server_of() { # pid -> its log file name in $OUT
    case $1 in
        "$OURS_PID") echo "ours-$DB_NAME.log" ;;
        "$PEER_PID") echo peer.log ;;
        "$STATIC_PID") echo static.log ;;
    esac
}

half_rate() { # scenario/server -> half the mean saturation rate, at least 1
    awk -v s="${RPS_SUM[$1]}" -v n="${RPS_N[$1]}" 'BEGIN { r = int(s / n / 2); print (r < 1 ? 1 : r) }'
}

check_status() { # expected-code curl-args...
    local want=$1 got
    shift
    got=$(curl -s -o /dev/null -w '%{http_code}' "$@")
    [[ $got == "$want" ]] || die "expected HTTP $want from curl $*, got $got"
}

write_meta() { # extra key=value pairs as JSON object string
    local extra=${1:-'{}'}
    extra=$(jq -c --argjson inc "$(jq -nc '$ARGS.positional' --args "${INCIDENTS[@]}")" \
        --arg out "$OUT" '. + {incidents: $inc, out_dir: $out}' <<<"$extra")
    python3 - "$OUT/meta.json" "$MODE" "$extra" "$PEER_STATUS" "$PEER_SHORT" "$PEER_NOTE" "$RUNS" "$BUSY_RUNS" \
        "${COMMANDS[@]}" <<'EOF'
import json, os, subprocess, sys, datetime
path, mode, extra, peer, peer_short, peer_note, runs, busy = sys.argv[1:9]
commands = sys.argv[9:]
def sh(c):
    try:
        return subprocess.run(c, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return "?"
meta = json.load(open(path)) if os.path.exists(path) else {}
meta.update({
    "mode": mode,
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "nproc": sh("nproc"),
    "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-").strip(),
    "mem": sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo"),
    "rustc": sh("rustc --version"),
    "pg": sh(f"psql -qAt {os.environ['PG_URL']}/postgres -c 'select version()' | cut -d, -f1"),
    "wrk": sh("wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2"),
    "oha": "oha " + sh("oha --version | awk '{print $2}'"),
    "commit": sh("git rev-parse --short HEAD"),
    "dirty": bool(sh("git status --porcelain -- src Cargo.toml Cargo.lock migrations")),
    "workers": os.environ["WORKERS"], "pool": os.environ["POOL"], "db": os.environ["DB_NAME"],
    "peer": peer, "peer_short": peer_short, "peer_note": peer_note,
    "runs": int(runs), "busy_runs": int(busy),
    "commands": commands,
})
meta.update(json.loads(extra))
json.dump(meta, open(path, "w"), ensure_ascii=False, indent=1)
EOF
}

proc_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------------------------
# throughput mode (quick, full)
# ---------------------------------------------------------------------------------------------
run_throughput() {
    install_peer
    build
    log "database $DB"
    fresh_db "$DB"
    start_ours "$DB"
    start_static
    start_peer

    local token etag
    token=$(DATABASE_URL="$PG_URL/$DB" JWT_SECRET=$JWT_SECRET_BENCH RUST_LOG=warn "$BIN/ndp-registry" token issue --ministry BTC --ttl 1h --label bench)
    COMMANDS+=('BENCH_TOKEN=$(ndp-registry token issue --ministry BTC --ttl 1h --label bench)')
    etag=$(curl -fsS -D - -o /dev/null "http://$OURS_ADDR/api/v1/platforms/vneid" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
    [[ -n $etag ]] || die "GET /api/v1/platforms/vneid sent no ETag"

    # Every scenario answers what it should before it is measured.
    local O="http://$OURS_ADDR" P="http://$PEER_HOST:$PEER_PORT/api"  # postrust serves REST under /api
    check_status 200 "$O/api/v1/platforms?per_page=20"
    check_status 200 "$O/api/v1/platforms/vneid"
    check_status 304 -H "If-None-Match: $etag" "$O/api/v1/platforms/vneid"
    check_status 200 "$O/api/v1/platforms?q=hoa%20don%20dien%20tu"
    check_status 201 -X POST -H 'Content-Type: application/json' --data "$OVERLAP_BODY" "$O/api/v1/overlap-checks"
    check_status 200 -X PATCH -H 'Content-Type: application/merge-patch+json' -H "Authorization: Bearer $token" \
        --data '{"status":"piloting"}' "$O/api/v1/platforms/tabmis"
    local peer_list="$P/platforms?select=$PEER_SELECT&order=id&limit=20"
    local peer_get="$P/platforms?select=$PEER_SELECT&code=eq.vneid"
    if [[ -n $PEER_PID ]]; then
        check_status 206 -H 'Prefer: count=exact' "$peer_list"  # a page of a larger set
        check_status 200 -H 'Accept: application/vnd.pgrst.object+json' "$peer_get"
        PEER_NOTE="Peer requests: list \`GET /api/platforms?select=<the same columns>,contacts(*),platform_ownerships(...),list_memberships(list_key)&order=id&limit=20\` with \`Prefer: count=exact\` (our list also embeds contacts, ownership history and lists, and counts the total); get one \`GET /api/platforms?select=...&code=eq.vneid\` with \`Accept: application/vnd.pgrst.object+json\`. postrust takes platform_ownerships for a to-one relationship (the partial unique index on platform_id WHERE valid_to IS NULL) and embeds one ownership row as an object, where ndp-registry sends the whole history: the peer does slightly less work per platform."
    fi
    local ours_size peer_size
    ours_size=$(curl -s "$O/api/v1/platforms?per_page=20" | wc -c)
    if [[ -n $PEER_PID ]]; then
        peer_size=$(curl -s -H 'Prefer: count=exact' "$peer_list" | wc -c)
        PEER_NOTE+=" Body sizes of the list page: ndp-registry $ours_size bytes, postrust $peer_size bytes."
    fi

    export BENCH_TOKEN=$token
    local r
    for ((r = 1; r <= ROUNDS; r++)); do
        log "round $r of $ROUNDS"
        wrk_run list ours "$r" "$OURS_PID" "$O/api/v1/platforms?per_page=20"
        if [[ -n $PEER_PID ]]; then wrk_run list peer "$r" "$PEER_PID" "$peer_list" -H 'Prefer: count=exact'; fi
        wrk_run get ours "$r" "$OURS_PID" "$O/api/v1/platforms/vneid"
        if [[ -n $PEER_PID ]]; then wrk_run get peer "$r" "$PEER_PID" "$peer_get" -H 'Accept: application/vnd.pgrst.object+json'; fi
        wrk_run cond ours "$r" "$OURS_PID" "$O/api/v1/platforms/vneid" -H "If-None-Match: $etag"
        wrk_run static static "$r" "$STATIC_PID" "http://$STATIC_ADDR/static"
        wrk_run search ours "$r" "$OURS_PID" "$O/api/v1/platforms?q=hoa%20don%20dien%20tu"
        wrk_run overlap ours "$r" "$OURS_PID" "$O/api/v1/overlap-checks" -s "$ROOT/bench/lua/overlap.lua"
        wrk_run patch ours "$r" "$OURS_PID" "$O/api/v1/platforms/tabmis" -s "$ROOT/bench/lua/patch.lua"
    done

    # The saturating runs wrote tens of thousands of receipts and platform versions. Autovacuum
    # takes that burst up within a minute, which lands in one of the latency runs below and
    # measures PostgreSQL's upkeep (a likely cause of the 2026-11-30 quick run's tails: the search
    # and overlap runs, about a minute after the last write, had p99 of 36 and 37 ms where get
    # and the 304 had 6 and 3). The database is vacuumed and analysed now instead, and drain
    # waits for any autovacuum worker too.
    log "settling $DB_NAME after the saturating runs"
    cmd psql -q "$PG_URL/$DB_NAME" -c 'VACUUM (ANALYZE)'
    psql -q "$PG_URL/$DB_NAME" -c 'VACUUM (ANALYZE)' >/dev/null

    log "latency at half the saturation rate (oha)"
    oha_run lat list ours "$(half_rate list/ours)" "$LAT_DUR" '{}' "$O/api/v1/platforms?per_page=20"
    if [[ -n $PEER_PID ]]; then oha_run lat list peer "$(half_rate list/peer)" "$LAT_DUR" '{}' "$peer_list" -H 'Prefer: count=exact'; fi
    oha_run lat get ours "$(half_rate get/ours)" "$LAT_DUR" '{}' "$O/api/v1/platforms/vneid"
    if [[ -n $PEER_PID ]]; then oha_run lat get peer "$(half_rate get/peer)" "$LAT_DUR" '{}' "$peer_get" -H 'Accept: application/vnd.pgrst.object+json'; fi
    oha_run lat cond ours "$(half_rate cond/ours)" "$LAT_DUR" '{}' "$O/api/v1/platforms/vneid" -H "If-None-Match: $etag"
    oha_run lat static static "$(half_rate static/static)" "$LAT_DUR" '{}' "http://$STATIC_ADDR/static"
    oha_run lat search ours "$(half_rate search/ours)" "$LAT_DUR" '{}' "$O/api/v1/platforms?q=hoa%20don%20dien%20tu"
    oha_run lat overlap ours "$(half_rate overlap/ours)" "$LAT_DUR" '{}' "$O/api/v1/overlap-checks" \
        -m POST -T application/json -d "$OVERLAP_BODY"
    # oha picks each body at random from the lines of a file: about half of the PATCHes change
    # tabmis (a version bump and a change_log row), the others find it already so.
    printf '%s\n' '{"status":"operational"}' '{"status":"piloting"}' >"$OUT/patch-bodies.txt"
    oha_run lat patch ours "$(half_rate patch/ours)" "$LAT_DUR" '{}' "$O/api/v1/platforms/tabmis" -m PATCH \
        -T application/merge-patch+json -H "Authorization: Bearer $token" -Z "$OUT/patch-bodies.txt"

    # Anything the service logged at warn or above during the run, and 5xx seen by wrk or oha.
    local hwm rss_now
    hwm=$(proc_kb "$OURS_PID" VmHWM)
    rss_now=$(proc_kb "$OURS_PID" VmRSS)
    local warnings
    warnings=$(grep -cE ' (WARN|ERROR) ' "$OUT/ours-$DB.log" || true)
    local peer_hwm=0
    if [[ -n $PEER_PID ]]; then peer_hwm=$(proc_kb "$PEER_PID" VmHWM); fi
    write_meta "$(jq -nc --argjson h "${hwm:-0}" --argjson r "${rss_now:-0}" --argjson w "${warnings:-0}" \
        --argjson ph "${peer_hwm:-0}" --arg lb "$LOAD_BEFORE" --arg la "$(cut -d' ' -f1-3 /proc/loadavg)" \
        --arg db "$DB" '{ours_vmhwm_kb: $h, ours_vmrss_end_kb: $r, ours_log_warnings: $w,
          peer_vmhwm_kb: $ph, load_before: $lb, load_after: $la}')"
    if ((warnings > 0)); then
        echo "bench: the service logged $warnings warnings or errors; see $OUT/ours-$DB.log" >&2
    fi
}

# ---------------------------------------------------------------------------------------------
# scale mode
# ---------------------------------------------------------------------------------------------
scale_point() { # size: each scenario at the fixed rate, then one request at a time (no queueing)
    local size=$1 O="http://$OURS_ADDR" rate load
    for rate in "$SCALE_RATE" seq; do
        load=fixed
        [[ $rate == seq ]] && load=seq
        oha_run scale list ours "$rate" "$LAT_DUR" "{\"size\": $size, \"load\": \"$load\"}" "$O/api/v1/platforms?per_page=20"
        oha_run scale get ours "$rate" "$LAT_DUR" "{\"size\": $size, \"load\": \"$load\"}" "$O/api/v1/platforms/vneid"
        oha_run scale search ours "$rate" "$LAT_DUR" "{\"size\": $size, \"load\": \"$load\"}" "$O/api/v1/platforms?q=hoa%20don%20dien%20tu"
        oha_run scale overlap ours "$rate" "$LAT_DUR" "{\"size\": $size, \"load\": \"$load\"}" "$O/api/v1/overlap-checks" \
            -m POST -T application/json -d "$OVERLAP_BODY"
        # The one plan above is judged once and then answered from the kept judgement: a
        # province's new plan is judged anew, so these are distinct plans (see new_plans).
        oha_run scale overlap-new ours "$rate" "$LAT_DUR" "{\"size\": $size, \"load\": \"$load\"}" "$O/api/v1/overlap-checks" \
            -m POST -T application/json -Z "$OUT/new-plans.txt"
        # Likewise the one search above is answered from the cache after its first request;
        # these are distinct searches (see new_searches).
        oha_run scale search-new ours "$rate" "$LAT_DUR" "{\"size\": $size, \"load\": \"$load\"}" "$OUT/new-searches.txt" \
            --urls-from-file
    done
}

# new_searches FILE URL: one search URL per line, none alike: the development cases' searches
# (bench/relevance/cases-dev.json and batch5-dev.json, 130 of them), each ending in a number of
# its own (which the matcher reads as filler), so that no two requests share a cached answer.
new_searches() {
    python3 - "$1" "$2" bench/relevance/cases-dev.json bench/relevance/batch5-dev.json <<'EOF'
import json, sys, urllib.parse
out, base, files = sys.argv[1], sys.argv[2], sys.argv[3:]
queries = [case["q"] for f in files for case in json.load(open(f)) if case.get("kind") == "search"]
with open(out, "w") as w:
    for n in range(2000):
        q = f"{queries[n % len(queries)]} {n + 1}"
        w.write(f"{base}/api/v1/platforms?q={urllib.parse.quote(q)}\n")
EOF
}

# new_plans FILE: one overlap-check body per line, none alike: the development cases' plans
# (bench/relevance/cases-dev.json and batch5-dev.json, 182 of them), each line's title ending in a
# number of its own ("gói thầu số N", which the matcher reads as filler), so that no two requests
# share a kept judgement while each is the work of judging a real plan. oha picks lines at
# random; 2,000 lines keep repeats rare.
new_plans() {
    python3 - "$1" bench/relevance/cases-dev.json bench/relevance/batch5-dev.json <<'EOF'
import json, sys
out, files = sys.argv[1], sys.argv[2:]
plans = []
for f in files:
    for case in json.load(open(f)):
        if case.get("kind") != "overlap":
            continue
        body = {"title": case["title"]}
        for key in ("description", "domains", "audiences"):
            if case.get(key):
                body[key] = case[key]
        plans.append(body)
with open(out, "w") as w:
    for n in range(2000):
        body = dict(plans[n % len(plans)])
        body["title"] = f"{body['title']} (gói thầu số {n + 1})"
        w.write(json.dumps(body, ensure_ascii=False) + "\n")
EOF
}

run_scale() {
    new_plans "$OUT/new-plans.txt"
    new_searches "$OUT/new-searches.txt" "http://$OURS_ADDR"
    PEER_STATUS="not used in scale mode"
    PEER_SHORT="not used"
    build
    log "database $SCALE_DB"
    fresh_db "$SCALE_DB"
    start_ours "$SCALE_DB"
    local n
    n=$(psql -qAt "$PG_URL/$SCALE_DB" -c 'SELECT count(*) FROM platforms')
    log "$n platforms"
    scale_point "$n"

    log "growing $SCALE_DB to $SCALE_TARGET platforms (bench/scale.sql)"
    cmd psql -v ON_ERROR_STOP=1 -v target="$SCALE_TARGET" -f bench/scale.sql "$PG_URL/$SCALE_DB"
    local t0=$SECONDS
    psql -q -v ON_ERROR_STOP=1 -v target="$SCALE_TARGET" -f bench/scale.sql "$PG_URL/$SCALE_DB" >"$OUT/scale-sql.log" 2>&1 ||
        { cat "$OUT/scale-sql.log" >&2; die "bench/scale.sql failed"; }
    local gen=$((SECONDS - t0))
    local counts
    counts=$(psql -qAt "$PG_URL/$SCALE_DB" -c "SELECT format('%s platforms, %s ownership rows over %s agencies', (SELECT count(*) FROM platforms), (SELECT count(*) FROM platform_ownerships), (SELECT count(DISTINCT ministry_code) FROM platform_ownerships))")
    log "$counts"
    n=$(psql -qAt "$PG_URL/$SCALE_DB" -c 'SELECT count(*) FROM platforms')
    # One request of each first, so that the measured run does not pay for cold caches alone.
    curl -s -o /dev/null "http://$OURS_ADDR/api/v1/platforms?q=hoa%20don%20dien%20tu" || true
    scale_point "$n"

    # The most memory the server held over the whole run, both sizes (it is not restarted between
    # them), and what it holds at the end.
    local hwm rss_now
    hwm=$(proc_kb "$OURS_PID" VmHWM)
    rss_now=$(proc_kb "$OURS_PID" VmRSS)
    local warnings
    warnings=$(grep -cE ' (WARN|ERROR) ' "$OUT/ours-$SCALE_DB.log" || true)
    local notes=""
    if ((warnings > 0)); then
        notes="The service logged $warnings lines at WARN or ERROR during the scale run; the first ones:"$'\n\n```\n'"$(awk '/ (WARN|ERROR) / && n++ < 3' "$OUT/ours-$SCALE_DB.log" | cut -c1-300)"$'\n```'
    fi
    write_meta "$(jq -nc --arg c "$counts" --argjson g "$gen" --argjson r "$SCALE_RATE" --argjson d "$LAT_DUR" \
        --argjson t "$SCALE_TARGET" --arg lb "$LOAD_BEFORE" --arg la "$(cut -d' ' -f1-3 /proc/loadavg)" \
        --arg notes "$notes" --argjson h "${hwm:-0}" --argjson rn "${rss_now:-0}" \
        '{scale_counts: $c, scale_gen_s: $g, scale_rate: $r, scale_duration: $d,
          scale_target: $t, load_before: $lb, load_after: $la, scale_notes: $notes,
          ours_vmhwm_kb: $h, ours_vmrss_end_kb: $rn}')"
}

# ---------------------------------------------------------------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
install_tools
export PG_URL WORKERS POOL
if [[ $MODE == scale ]]; then
    export DB_NAME=$SCALE_DB
    run_scale
else
    export DB_NAME=$DB
    run_throughput
fi
log "results ($OUT)"
python3 "$ROOT/bench/report.py" "$OUT" "$MODE" "$ROOT/BENCHMARKS.md"
