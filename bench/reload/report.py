#!/usr/bin/env python3
"""Markdown report of a bench/reload/run.sh run: nginx vs sluice under keep-alive load with reloads.

usage: report.py RESULTS_DIR RELOADS INTERVAL CONNECTIONS WORKERS
Reads <proxy>/load.json (sluice_reload_load), <proxy>/watch.jsonl (sluice_reload_watch, one line per reload) and
sluice/sluice.log (the master's "generation N ready ... elapsed_ms=T" lines). Ratios are sluice / nginx.
"""
import json
import re
import statistics
import sys
from pathlib import Path

FAILURE_KINDS = ["connect_refused", "connect_error", "reset", "eof_before_response", "eof_mid_response",
                 "timeout", "non_2xx", "bad_response"]


def load_json(path):
    text = path.read_text().strip() if path.exists() else ""
    return json.loads(text.splitlines()[0]) if text else {}


def watch_values(path, key):
    values = []
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                values.append(json.loads(line)[key])
    return values


def stats(values):
    """(p50, max, missing) over the values that were measured (>= 0)."""
    measured = [v for v in values if v >= 0]
    if not measured:
        return None, None, len(values)
    return statistics.median(measured), max(measured), len(values) - len(measured)


def fmt(value, digits=1):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def ratio(sluice, nginx):
    if sluice is None or nginx is None:
        return "n/a"
    if nginx == 0:
        return "=" if sluice == 0 else "∞"
    return f"{sluice / nginx:.2f}"


def main():
    results, reloads, interval, connections, workers = Path(sys.argv[1]), *sys.argv[2:6]
    load = {p: load_json(results / p / "load.json") for p in ("nginx", "sluice")}
    rows = [("requests answered 2xx", "ok"), ("failed requests, all kinds", "failures")]
    rows += [(f"  failed: {kind}", kind) for kind in FAILURE_KINDS]
    rows += [("connections closed with `Connection: close`", "closes_announced"),
             ("2xx per second", "ok_per_s"), ("latency p50 (µs)", "latency_p50_us"),
             ("latency p99 (µs)", "latency_p99_us"), ("latency max (µs)", "latency_max_us")]

    print(f"## Reload under keep-alive load: nginx vs sluice\n")
    print(f"{reloads} reloads {interval} s apart, {connections} keep-alive connections of sequential GETs, "
          f"{workers} workers each, same upstream, same machine, same run.\n")
    print("| metric | nginx | sluice | sluice/nginx |")
    print("|---|---:|---:|---:|")
    for label, key in rows:
        n, s = load["nginx"].get(key), load["sluice"].get(key)
        print(f"| {label} | {fmt(n)} | {fmt(s)} | {ratio(s, n)} |")

    for label, key in (("signal → new workers exist (ms)", "new_workers_ms"),
                       ("signal → old workers gone (ms)", "old_gone_ms")):
        n = stats(watch_values(results / "nginx" / "watch.jsonl", key))
        s = stats(watch_values(results / "sluice" / "watch.jsonl", key))
        print(f"| {label}, p50 | {fmt(n[0], 2)} | {fmt(s[0], 2)} | {ratio(s[0], n[0])} |")
        print(f"| {label}, max | {fmt(n[1], 2)} | {fmt(s[1], 2)} | {ratio(s[1], n[1])} |")
        if n[2] or s[2]:
            print(f"| {label}, not within 5 s | {n[2]} | {s[2]} | |")

    log = results / "sluice" / "sluice.log"
    elapsed = []
    if log.exists():
        for line in log.read_text(errors="replace").splitlines():
            m = re.search(r"generation (\d+) ready workers=\d+ elapsed_ms=(\d+)", line)
            if m and int(m.group(1)) >= 2:
                elapsed.append(int(m.group(2)))
    p50, top, _ = stats(elapsed)
    print(f"| sluice: trigger → `generation N ready` (elapsed_ms), p50 / max | | "
          f"{fmt(p50)} / {fmt(top)} ({len(elapsed)} reloads) | |")


if __name__ == "__main__":
    main()
