#!/usr/bin/env python3
"""Turns the raw results of bench/run.sh into Markdown and updates BENCHMARKS.md.

    bench/report.py OUT_DIR MODE BENCHMARKS_MD

OUT_DIR holds meta.json (machine, versions, commands, peer status) and results.jsonl (one JSON
object per measurement, written by run.sh). The section of BENCHMARKS.md between
`<!-- BEGIN MODE -->` and `<!-- END MODE -->` is replaced (quick and full share the section
`throughput`); the rest of the file is kept. The section is also printed on stdout.
"""

import json
import os
import re
import statistics
import sys

HEADER = """# Benchmarks

Produced by `bench/run.sh` (see `bench/README.md`); the sections below are rewritten by each run
of their mode, everything else is kept. Re-run with `bench/run.sh quick|full|scale`.

Read these numbers with their caveats: the load generator (wrk, oha), the service, PostgreSQL and,
where present, the peer all share one small machine, so a server's throughput here is what is left
after the client's own share of the CPU, and anything else running at the time (a compile, a test
suite) takes from it. The A/B ratios, measured in alternating runs under the same conditions, are
the more robust figures; absolute req/s are not comparable across machines or runs.
"""

SCENARIO_LABEL = {
    "list": "list `GET /api/v1/platforms?per_page=20`",
    "get": "get one `GET /api/v1/platforms/vneid`",
    "cond": "conditional GET (`If-None-Match`, 304)",
    "search": "search `?q=hoa%20don%20dien%20tu`",
    "overlap": "overlap check `POST /api/v1/overlap-checks`",
    "overlap-new": "overlap check, a new plan each time (development cases)",
    "search-new": "search, a new query each time (development cases)",
    "patch": "write `PATCH /api/v1/platforms/tabmis`",
    "static": "framework ceiling `static-ceiling GET /static`",
}
ORDER = ["list", "get", "cond", "search", "overlap", "patch", "static"]


def load(out_dir):
    with open(os.path.join(out_dir, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    rows = []
    path = os.path.join(out_dir, "results.jsonl")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
    return meta, rows


def fmt(x, digits=1):
    if x is None:
        return "n/a"
    if isinstance(x, float) and x != x:
        return "n/a"
    return f"{x:,.{digits}f}"


def mean(xs):
    xs = [x for x in xs if x is not None]
    return statistics.fmean(xs) if xs else None


def met(ok):
    if ok is None:
        return "not measured"
    return "**met**" if ok else "**not met**"


def status_text(status):
    if not status:
        return ""
    return ", ".join(f"{k}: {v}" for k, v in sorted(status.items()))


def environment(meta):
    lines = [
        f"- Date: {meta['date']} (mode `{meta['mode']}`, commit `{meta.get('commit', '?')}`"
        f"{', with uncommitted changes' if meta.get('dirty') else ''})",
        f"- Machine: {meta['nproc']} CPUs ({meta['cpu']}), {meta['mem']} memory; "
        "**client and server share this machine**",
        f"- {meta['rustc']}; {meta['pg']}",
        f"- Tools: {meta['wrk']}; {meta['oha']}",
        f"- Service: `ndp-registry serve` with HTTP_WORKERS={meta['workers']}, "
        f"DATABASE_POOL_SIZE={meta['pool']}, OVERLAP_CHECKS_PER_MINUTE=0, RUST_LOG=warn, "
        f"release profile; database `{meta['db']}` freshly created and seeded",
        f"- Peer: {meta['peer']}",
        f"- Load on the machine: load average {meta['load_before']} before the runs, "
        f"{meta.get('load_after', '?')} after; other compiler processes (rustc/cc1, not this "
        f"script's) seen at the start of a measurement: {meta.get('busy_runs', 0)} of "
        f"{meta.get('runs', 0)} measurements",
    ]
    return "\n".join(lines)


def incidents(meta):
    inc = meta.get("incidents") or []
    if not inc:
        return ""
    return ("Incidents during this run (the measurement was taken again after a restart where "
            "the server had been stopped from outside):\n\n" + "\n".join(f"- {i}" for i in inc) + "\n")


def throughput_section(meta, rows):
    tput = [r for r in rows if r["kind"] == "tput"]
    lat = {(r["scenario"], r["server"]): r for r in rows if r["kind"] == "lat"}
    servers = ["ours", "peer", "static"]
    out = []
    out.append(f"## Throughput and latency ({meta['mode']} mode)\n")
    out.append(environment(meta) + "\n")
    out.append(
        "| scenario | server | req/s (mean) | runs (req/s) | latency at rate | p50 | p99 | "
        "server CPU/req | PostgreSQL CPU/req | DB xacts/req | peak RSS | non-2xx/3xx, errors |"
    )
    out.append("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for sc in ORDER:
        for sv in servers:
            runs = [r for r in tput if r["scenario"] == sc and r["server"] == sv]
            if not runs:
                continue
            rps = mean([r["rps"] for r in runs])
            l = lat.get((sc, sv))
            errs = []
            bad = sum(r.get("non2xx", 0) for r in runs)
            sock = sum(r.get("socket_errors", 0) for r in runs)
            if bad:
                errs.append(f"wrk: {bad} non-2xx/3xx")
            if sock:
                errs.append(f"wrk: {sock} socket errors")
            if l:
                unexpected = {k: v for k, v in (l.get("status") or {}).items() if not k.startswith(("2", "3"))}
                if unexpected:
                    errs.append("oha: " + status_text(unexpected))
                if l.get("errors"):
                    errs.append("oha: " + l["errors"])
            name = {"ours": "ndp-registry", "peer": "postrust", "static": "static-ceiling"}[sv]
            xacts = mean([r.get("xacts_per_req") for r in runs])
            out.append(
                f"| {SCENARIO_LABEL[sc]} | {name} | {fmt(rps, 0)} | "
                f"{' / '.join(fmt(r['rps'], 0) for r in runs)} | "
                f"{fmt(l['rate'], 0) + ' req/s' if l else 'n/a'} | "
                f"{fmt(l['p50_ms'], 2) + ' ms' if l else 'n/a'} | "
                f"{fmt(l['p99_ms'], 2) + ' ms' if l else 'n/a'} | "
                f"{fmt(mean([r['cpu_us'] for r in runs]), 0)} µs | "
                f"{fmt(mean([r['db_cpu_us'] for r in runs]), 0)} µs | "
                f"{fmt(xacts, 1) if sv != 'static' else '-'} | "
                f"{fmt(max(r['rss_kb'] for r in runs) / 1024, 1)} MB | {'; '.join(errs) or '0'} |"
            )
    out.append("")
    out.append(
        "req/s: wrk, saturating, one value per run, runs alternating A/B. p50/p99: oha at a fixed "
        "rate of half the mean saturation rate, with latency correction (coordinated omission "
        "accounted; requests still in flight when the time is up are not counted as errors). "
        "CPU/req: utime+stime from /proc before and after the wrk run, divided by the requests "
        "served (PostgreSQL: all `postgres` processes, so it includes the statistics and WAL "
        "writers). DB xacts/req: committed and rolled-back transactions of the benchmark database "
        "(pg_stat_database, which lags by up to a second, so about ±10% on a 10 s run) per "
        "request; a statement outside a transaction block is a transaction of its own, so this "
        "approximates the round trips a request costs. Peak RSS: VmRSS sampled every 0.2 s during "
        "the wrk run."
    )
    out.append("")

    # Ratios, pairing the runs of the same round.
    def by_round(sc, sv):
        return {r["round"]: r["rps"] for r in tput if r["scenario"] == sc and r["server"] == sv}

    ratios = {}
    out.append("### Ratios (paired runs of the same round)\n")
    out.append("| ratio | per round | mean |")
    out.append("|---|---|---:|")
    for name, (a, b) in {
        "list: ndp-registry / postrust": (("list", "ours"), ("list", "peer")),
        "get one: ndp-registry / postrust": (("get", "ours"), ("get", "peer")),
        "conditional GET / framework ceiling": (("cond", "ours"), ("static", "static")),
    }.items():
        ra, rb = by_round(*a), by_round(*b)
        rounds = sorted(set(ra) & set(rb))
        vals = [ra[k] / rb[k] for k in rounds if rb[k]]
        ratios[name] = mean(vals)
        if vals:
            out.append(f"| {name} | {' / '.join(fmt(v, 2) for v in vals)} | {fmt(mean(vals), 2)} |")
        else:
            out.append(f"| {name} | not measured | n/a |")
    out.append("")

    # Targets.
    out.append("### Targets\n")
    out.append("| target | measured | verdict |")
    out.append("|---|---|---|")
    for key, label in [("list", "list"), ("get", "get one")]:
        r = ratios[f"{label}: ndp-registry / postrust"]
        out.append(
            f"| {label}: at least 2x the peer's throughput | "
            f"{fmt(r, 2) + 'x' if r is not None else 'no peer: ' + meta['peer_short']} | "
            f"{met(None if r is None else r >= 2)} |"
        )
    for sc in ORDER:
        l = lat.get((sc, "ours"))
        if not l or sc == "static":
            continue
        out.append(
            f"| {sc}: p99 under 10 ms at half the saturation rate | "
            f"{fmt(l['p99_ms'], 2)} ms at {fmt(l['rate'], 0)} req/s | "
            f"{met(None if l['p99_ms'] is None else l['p99_ms'] < 10)} |"
        )
    r = ratios["conditional GET / framework ceiling"]
    out.append(
        f"| conditional GET at least half the framework ceiling | {fmt(r, 2)} | "
        f"{met(None if r is None else r >= 0.5)} |"
    )
    hwm = meta.get("ours_vmhwm_kb")
    out.append(
        f"| RSS under 100 MB under load | peak {fmt(hwm / 1024 if hwm else None, 1)} MB (VmHWM of "
        f"ndp-registry over the whole run) | {met(None if not hwm else hwm < 100 * 1024)} |"
    )
    out.append("")
    if meta.get("peer_note"):
        out.append(meta["peer_note"] + "\n")
    if incidents(meta):
        out.append(incidents(meta))
    warnings = meta.get("ours_log_warnings")
    if warnings is not None:
        out.append(
            f"ndp-registry logged {warnings} lines at WARN or ERROR during the run"
            + (f" (see `{meta.get('out_dir', 'the raw output')}`)." if warnings else ".")
            + "\n"
        )
    out.append("### Commands\n")
    out.append("```sh\n" + "\n".join(meta["commands"]) + "\n```\n")
    return "\n".join(out)


def scale_section(meta, rows):
    sc_rows = [r for r in rows if r["kind"] == "scale"]
    sizes = sorted({r["size"] for r in sc_rows})
    out = [f"## Scale: 79 and {meta.get('scale_target', 100000):,} platforms\n"]
    out.append(environment(meta) + "\n")
    out.append(
        f"The synthetic registry is made by `bench/scale.sql` ({meta.get('scale_gen_s', '?')} s to "
        f"generate, {meta.get('scale_counts', '?')}). Each scenario runs for "
        f"{meta.get('scale_duration')} s with oha twice: at a fixed {meta.get('scale_rate')} req/s "
        "(latency-corrected, so time spent queueing behind slower requests counts), then on one "
        "connection, one request at a time, which shows the cost of a lone request. Requests "
        "still unanswered when the time is up are not in the percentiles.\n"
    )
    head = "| scenario | load | " + " | ".join(
        f"p50 @ {s:,} | p99 @ {s:,} | answers @ {s:,}" for s in sizes
    ) + " |"
    out.append(head)
    out.append("|---|---|" + "---:|---:|---|" * len(sizes))
    loads = {"fixed": f"{meta.get('scale_rate')} req/s", "seq": "one at a time"}
    for sc in ["list", "get", "search", "search-new", "overlap", "overlap-new"]:
        for load, load_label in loads.items():
            cells = []
            for s in sizes:
                r = next((x for x in sc_rows if x["scenario"] == sc and x["size"] == s
                          and x.get("load", "fixed") == load), None)
                if r is None:
                    cells += ["n/a", "n/a", ""]
                    continue
                st = status_text(r.get("status"))
                if r.get("errors"):
                    st += f"; {r['errors']}"
                if r.get("aborted_at_deadline"):
                    st += f"; {r['aborted_at_deadline']} unanswered when time was up"
                cells += [f"{fmt(r['p50_ms'], 1)} ms", f"{fmt(r['p99_ms'], 1)} ms", st]
            out.append(f"| {SCENARIO_LABEL[sc]} | {load_label} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("### Targets\n")
    out.append("| target | measured | verdict |")
    out.append("|---|---|---|")
    big = max(sizes) if sizes else None
    # p50 targets at the large size: list, get and search under 10 ms (issue 14), a new search
    # under 30 ms and an overlap check under 50 ms (issue 10).
    for sc, target in [("list", 10), ("get", 10), ("search", 10), ("search-new", 30),
                       ("overlap", 50), ("overlap-new", 50)]:
        r = next((x for x in sc_rows if x["scenario"] == sc and x["size"] == big
                  and x.get("load", "fixed") == "fixed"), None)
        seq = next((x for x in sc_rows if x["scenario"] == sc and x["size"] == big
                    and x.get("load") == "seq"), None)
        if r is None:
            out.append(f"| {SCENARIO_LABEL[sc]}: p50 under {target} ms at 100,000 platforms | n/a | not measured |")
            continue
        bad = sum(v for k, v in (r.get("status") or {}).items() if not k.startswith("2"))
        ok = r["p50_ms"] is not None and r["p50_ms"] < target and bad == 0
        extra = f", {bad} non-2xx answers" if bad else ""
        if seq:
            extra += f" (one request at a time: {fmt(seq['p50_ms'], 1)} ms)"
        out.append(
            f"| {SCENARIO_LABEL[sc]}: p50 under {target} ms at {big:,} platforms, {meta.get('scale_rate')} req/s | "
            f"{fmt(r['p50_ms'], 1)} ms{extra} | {met(ok)} |"
        )
    hwm = meta.get("ours_vmhwm_kb")
    end = meta.get("ours_vmrss_end_kb")
    out.append(
        f"| RSS under 100 MB under load at {big:,} platforms | peak {fmt(hwm / 1024 if hwm else None, 1)} MB "
        f"(VmHWM of ndp-registry over the whole scale run, both sizes; "
        f"{fmt(end / 1024 if end else None, 1)} MB at the end) | "
        f"{met(None if not hwm else hwm < 100 * 1024)} |"
    )
    out.append("")
    if meta.get("scale_notes"):
        out.append(meta["scale_notes"] + "\n")
    if incidents(meta):
        out.append(incidents(meta))
    out.append("### Commands\n")
    out.append("```sh\n" + "\n".join(meta["commands"]) + "\n```\n")
    return "\n".join(out)


def update(path, section_key, body):
    begin, end = f"<!-- BEGIN {section_key} -->", f"<!-- END {section_key} -->"
    text = HEADER
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
    block = f"{begin}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text if text.endswith("\n") else text + "\n")


def main():
    out_dir, mode, md = sys.argv[1:4]
    meta, rows = load(out_dir)
    if mode == "scale":
        body, key = scale_section(meta, rows), "scale"
    else:
        body, key = throughput_section(meta, rows), "throughput"
    print(body)
    update(md, key, body)


if __name__ == "__main__":
    main()
