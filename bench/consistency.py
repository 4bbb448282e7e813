#!/usr/bin/env python3
"""Two-replica propagation: writes at a steady rate on replica A, and for each write, the time from
A's answer until replica B first answers the new state. B is polled on a kept-alive connection
(one GET about every 0.3 ms), while `bench/consistency.sh` loads B with wrk. Also reports B's
`ndp_feed_notification_lag_seconds` histogram over the run (from the database numbering a change to
B hearing of it) and B's cache counters.

Usage: consistency.py A_ADDR B_ADDR TOKEN WRITES RATE_PER_S
Prints one JSON object.
"""

import http.client
import json
import sys
import time

PATH = "/api/v1/platforms/tabmis"


def get(conn, path, headers=None):
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def metrics(addr):
    conn = http.client.HTTPConnection(addr, timeout=10)
    _, body = get(conn, "/metrics")
    conn.close()
    series = {}
    for line in body.decode().splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        series[name] = float(value)
    return series


def lag_quantiles(before, after):
    """Upper bucket bounds holding the 50th and 99th percentiles of the lag histogram's growth."""
    prefix = "ndp_feed_notification_lag_seconds_bucket{le=\""
    buckets = []
    for name, value in after.items():
        if name.startswith(prefix):
            le = name[len(prefix):-2]
            bound = float("inf") if le == "+Inf" else float(le)
            buckets.append((bound, value - before.get(name, 0.0)))
    buckets.sort()
    total = buckets[-1][1] if buckets else 0
    result = {"notifications": int(total)}
    for q in (0.5, 0.99):
        bound = next((b for b, count in buckets if total and count >= q * total), None)
        result[f"p{int(q * 100)}_le_ms"] = None if bound is None else bound * 1000
    return result


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    a_addr, b_addr, token, writes, rate = sys.argv[1:6]
    writes, rate = int(writes), float(rate)
    a = http.client.HTTPConnection(a_addr, timeout=10)
    b = http.client.HTTPConnection(b_addr, timeout=10)
    _, body = get(b, PATH)
    status = json.loads(body)["status"]
    before = metrics(b_addr)
    lags_ms, stale_reads = [], 0
    started = time.monotonic()
    for i in range(writes):
        status = "piloting" if status == "operational" else "operational"
        a.request("PATCH", PATH, body=json.dumps({"status": status}), headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/merge-patch+json",
        })
        response = a.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"write {i} answered {response.status}")
        written = time.monotonic()
        while True:
            _, body = get(b, PATH)
            if json.loads(body)["status"] == status:
                lags_ms.append((time.monotonic() - written) * 1000)
                break
            stale_reads += 1
            if time.monotonic() - written > 5:
                raise SystemExit(f"write {i} not visible on B after 5 s")
        next_at = started + (i + 1) / rate
        time.sleep(max(0.0, next_at - time.monotonic()))
    after = metrics(b_addr)
    delta = lambda name: after.get(name, 0.0) - before.get(name, 0.0)
    print(json.dumps({
        "writes": writes,
        "rate_per_s": rate,
        "visible_on_b_ms": {
            "p50": round(percentile(lags_ms, 0.5), 2),
            "p99": round(percentile(lags_ms, 0.99), 2),
            "max": round(max(lags_ms), 2),
        },
        "stale_polls_on_b": stale_reads,
        "notification_lag": lag_quantiles(before, after),
        "b_cache": {k: int(delta(f'ndp_cache_requests_total{{result="{k}"}}'))
                    for k in ("hit", "miss", "fresh", "bypass")},
        "b_validations": {k: int(delta(f'ndp_cache_validations_total{{via="{k}"}}'))
                          for k in ("listener", "database")},
    }))


if __name__ == "__main__":
    main()
