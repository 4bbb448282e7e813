#!/usr/bin/env bash
# CPU per request of a running server and of its database's PostgreSQL backends, over N requests
# sent one at a time (curl, so the client's own cost is not counted):
#
#   bench/cpu.sh SERVER_PID DATABASE N BODY URL
#
# POSTs BODY (JSON) to URL N times and prints the server's and the backends' utime+stime per
# request, and the wall time per request (which includes starting curl). Run it on a quiet machine
# and alternate the binaries compared: the figures are for same-run ratios.
set -euo pipefail
pid=$1 db=$2 n=$3 body=$4 url=$5
tick=$(getconf CLK_TCK)
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_cpu() {
    local s=0 p
    for p in $(ps -eo pid,args | awk -v d="$db" '$0 ~ "postgres: .* "d" " {print $1}'); do
        s=$((s + $(cpu_of "$p")))
    done
    echo "$s"
}
s0=$(cpu_of "$pid") p0=$(pg_cpu) t0=$(date +%s%N)
for ((i = 0; i < n; i++)); do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -H 'Accept-Encoding: identity' \
        --data "$body" "$url"
done
t1=$(date +%s%N) s1=$(cpu_of "$pid") p1=$(pg_cpu)
awk -v s=$((s1 - s0)) -v p=$((p1 - p0)) -v n="$n" -v t="$tick" -v w=$((t1 - t0)) 'BEGIN {
    printf "server %.2f ms/req, postgres %.2f ms/req, wall %.2f ms/req\n", s * 1000 / t / n, p * 1000 / t / n, w / 1e6 / n }'
