#!/usr/bin/env python3
"""Latency of every relevance case sent to a running server, one request at a time.

    bench/tails.py URL [--out FILE.jsonl] [--rounds N] [CASES.json ...]

Each overlap case of bench/relevance/ is sent as `POST /api/v1/overlap-checks` (title,
description, domains, audiences) and each search case as `GET /api/v1/platforms?q=...`, on one
kept-alive connection, one request at a time, so a slow case is timed alone and not behind another.
Prints, per kind, the count, p50, p90, p99 and max in ms, the answers that were not 2xx, and the
slowest cases. With `--out`, writes one JSON line per request: its id, kind, ms, status and what it
answered (verdict and candidate codes, or the codes of the first result page), so that two runs
(before and after a change, or two servers) can be compared with `--compare A.jsonl B.jsonl`.

Latency is measured by the client around the whole exchange (the statement timeout of the server,
DATABASE_TIMEOUT_MS, bounds what one case can take). The first round warms the server's caches
and the database's buffers; with `--rounds 2` (the default) only the last round is reported.
"""

import argparse
import http.client
import json
import math
import sys
import time
import urllib.parse

DEFAULT_FILES = ["bench/relevance/cases-dev.json", "bench/relevance/cases-holdout.json"]


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def request_of(case):
    if case["kind"] == "overlap":
        body = {"title": case["title"]}
        for key in ("description", "domains", "audiences"):
            if case.get(key):
                body[key] = case[key]
        return "POST", "/api/v1/overlap-checks", json.dumps(body).encode()
    query = urllib.parse.urlencode({"q": case["q"]})
    return "GET", f"/api/v1/platforms?{query}", None


def answer_of(kind, status, body):
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if status >= 300:
        return data.get("title") if isinstance(data, dict) else None
    if kind == "overlap":
        return {
            "verdict": data.get("verdict"),
            "candidates": [c.get("platform") for c in data.get("candidates", [])],
        }
    items = data.get("items", data.get("data", [])) if isinstance(data, dict) else data
    return [i.get("code") for i in items]


def run(url, cases):
    parsed = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=120)
    results = []
    for case in cases:
        method, path, body = request_of(case)
        headers = {"Accept": "application/json", "Accept-Encoding": "identity"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=120)
            data, status = str(e).encode(), 0
        ms = (time.perf_counter() - start) * 1000
        results.append(
            {
                "id": case["id"],
                "kind": case["kind"],
                "file": case["_file"],
                "ms": round(ms, 2),
                "status": status,
                "answer": answer_of(case["kind"], status, data),
            }
        )
    conn.close()
    return results


def report(results):
    groups = {}
    for r in results:
        groups.setdefault(f'{r["kind"]} {r["file"]}', []).append(r)
        groups.setdefault(r["kind"], []).append(r)
    print(f'{"cases":<48} {"n":>4} {"p50":>8} {"p90":>8} {"p99":>8} {"max":>8} {">=1s":>5} {"not 2xx":>8}')
    for name in sorted(groups):
        rs = groups[name]
        ms = sorted(r["ms"] for r in rs)
        slow = sum(1 for m in ms if m >= 1000)
        bad = sum(1 for r in rs if not 200 <= r["status"] < 300)
        print(
            f"{name:<48} {len(rs):>4} {percentile(ms, 50):>8.1f} {percentile(ms, 90):>8.1f} "
            f"{percentile(ms, 99):>8.1f} {ms[-1]:>8.1f} {slow:>5} {bad:>8}"
        )
    print("slowest:")
    for r in sorted(results, key=lambda r: -r["ms"])[:10]:
        print(f'  {r["ms"]:>9.1f} ms  {r["status"]}  {r["id"]} ({r["file"]})')


def compare(a_path, b_path):
    def load(path):
        with open(path, encoding="utf-8") as f:
            return {(r["file"], r["id"]): r for r in map(json.loads, f)}

    a, b = load(a_path), load(b_path)
    same = differ = 0
    for key in sorted(a.keys() & b.keys()):
        if a[key]["answer"] == b[key]["answer"] and a[key]["status"] == b[key]["status"]:
            same += 1
        else:
            differ += 1
            print(f"{key[1]} ({key[0]}):\n  A {a[key]['status']} {a[key]['answer']}\n  B {b[key]['status']} {b[key]['answer']}")
    print(f"{same} answers the same, {differ} differ, {len(a.keys() ^ b.keys())} in one run only")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?")
    parser.add_argument("files", nargs="*")
    parser.add_argument("--out")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = parser.parse_intermixed_args()
    if args.compare:
        compare(*args.compare)
        return 0
    if not args.url:
        parser.error("the server's URL is needed")
    cases = []
    for path in args.files or DEFAULT_FILES:
        with open(path, encoding="utf-8") as f:
            for case in json.load(f):
                case["_file"] = path.rsplit("/", 1)[-1].removesuffix(".json")
                cases.append(case)
    results = []
    for _ in range(max(1, args.rounds)):
        results = run(args.url, cases)
    report(results)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for r in results:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
