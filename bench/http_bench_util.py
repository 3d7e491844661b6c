#!/usr/bin/env python3
"""Helpers of bench/http_bench.sh: free ports, /proc readings, wrk output
parsing and the final report.

Subcommands:
  freeports N                 N free TCP ports on 127.0.0.1, one per line
  proc PID                    "<cpu_ticks> <VmHWM kB> <VmRSS kB>" of a process
                              (utime+stime of all its threads, /proc/PID/stat)
  wrk FILE                    one tab-separated line from a `wrk --latency`
                              output: rps p99_ms requests bytes
                              sock_errors non2xx (see WRK_FIELDS)
  cores                       "<busy> <total>" ticks of cpu0 then cpu1 (/proc/stat)
  usage BEFORE AFTER TICKS    "<core0 %> <core1 %> <proxy %>" busy over the
                              interval between two `cores` lines, TICKS being
                              the proxy's own CPU ticks in it
  report RUNS_TSV MEM_TSV     the Markdown tables of the whole run
"""
import json
import os
import re
import socket
import statistics
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")

WRK_FIELDS = ["rps", "p99_ms", "requests", "bytes", "sock_errors", "non2xx"]

# Columns of the runs file written by http_bench.sh (one line per run).
RUN_FIELDS = [
    "scenario", "proxy", "round", *WRK_FIELDS, "cpu_ticks", "hwm_kb", "alive",
    "core0_pct", "core1_pct", "proxy_pct",
]

# Scenario names in print order, with their description and CPU/req goal.
SCENARIOS = {
    "keepalive": ("keep-alive, small responses", 0.8),
    "close": ("new connection per request (Connection: close)", 1.0),
    "body64k": ("keep-alive, 64 KiB bodies", 1.0),
    "conns1000": ("1,000 keep-alive connections, small responses", 1.0),
}


def freeports(n: int) -> None:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    for s in socks:
        print(s.getsockname()[1])
        s.close()


def proc(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    # Fields after the command name (which may hold spaces) start at field 3;
    # utime and stime are fields 14 and 15 (proc(5)).
    rest = stat[stat.rindex(")") + 2 :].split()
    ticks = int(rest[11]) + int(rest[12])
    hwm = rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return f"{ticks} {hwm} {rss}"


def cores() -> str:
    """Busy and total ticks of cpu0 and cpu1 (busy = all but idle and iowait)."""
    out = []
    with open("/proc/stat") as f:
        lines = {ln.split()[0]: ln.split()[1:] for ln in f if ln.startswith("cpu")}
    for cpu in ("cpu0", "cpu1"):
        v = [int(x) for x in lines[cpu][:8]]
        total = sum(v)
        out += [total - v[3] - v[4], total]
    return " ".join(str(x) for x in out)


def usage(before: str, after: str, proxy_ticks: int) -> str:
    b = [int(x) for x in before.split()]
    a = [int(x) for x in after.split()]
    d = [y - x for x, y in zip(b, a)]
    pct0 = 100 * d[0] / d[1] if d[1] else 0.0
    pct1 = 100 * d[2] / d[3] if d[3] else 0.0
    proxy = 100 * proxy_ticks / d[3] if d[3] else 0.0
    return f"{pct0:.0f} {pct1:.0f} {proxy:.0f}"


UNITS_TIME = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
UNITS_SIZE = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def parse_wrk(text: str) -> dict:
    out = {"rps": 0.0, "p99_ms": float("nan"), "requests": 0, "bytes": 0, "sock_errors": 0, "non2xx": 0}
    m = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
    if m:
        out["p99_ms"] = float(m.group(1)) * UNITS_TIME[m.group(2)]
    m = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)([KMGT]?B) read", text)
    if m:
        out["requests"] = int(m.group(1))
        out["bytes"] = int(float(m.group(2)) * UNITS_SIZE[m.group(3)])
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out["sock_errors"] = sum(int(g) for g in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    return out


def wrk(path: str) -> None:
    with open(path) as f:
        d = parse_wrk(f.read())
    print("\t".join(str(d[k]) for k in WRK_FIELDS))


def read_tsv(path: str, fields: list) -> list:
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != len(fields) or parts[0] == fields[0]:
                continue
            rows.append(dict(zip(fields, parts)))
    return rows


def fmt(v: float, digits: int = 0) -> str:
    if v != v:  # NaN
        return "n/a"
    return f"{v:,.{digits}f}"


def verdict(ratio: float, goal: float, higher_is_better: bool) -> str:
    if ratio != ratio:
        return "n/a"
    ok = ratio >= goal if higher_is_better else ratio <= goal
    return "met" if ok else "MISSED"


def summarize(rows: list) -> dict:
    """Aggregate the rounds of one proxy in one scenario."""
    rps = [float(r["rps"]) for r in rows]
    p99 = [float(r["p99_ms"]) for r in rows]
    reqs = sum(int(r["requests"]) for r in rows)
    ticks = sum(int(r["cpu_ticks"]) for r in rows)
    return {
        "rps": statistics.median(rps),
        "rps_spread": (min(rps), max(rps)),
        "p99": statistics.median(p99),
        "p99_spread": (min(p99), max(p99)),
        # CPU-seconds per 10,000 requests over all measured rounds.
        "cpu": (ticks / CLK_TCK) / reqs * 10_000 if reqs else float("nan"),
        "hwm_mb": max(int(r["hwm_kb"]) for r in rows) / 1024,
        "bytes_per_req": sum(int(r["bytes"]) for r in rows) / reqs if reqs else float("nan"),
        "sock_errors": sum(int(r["sock_errors"]) for r in rows),
        "non2xx": sum(int(r["non2xx"]) for r in rows),
        "dead": sum(1 for r in rows if r["alive"] != "alive"),
        "rounds": len(rows),
        "core0": [int(r["core0_pct"]) for r in rows],
        "core1": [int(r["core1_pct"]) for r in rows],
        "proxy_pct": [int(r["proxy_pct"]) for r in rows],
    }


def report(runs_path: str, mem_path: str) -> None:
    rows = read_tsv(runs_path, RUN_FIELDS)
    print("| scenario | metric | harp | HAProxy | harp/HAProxy | goal | verdict |")
    print("|---|---|---:|---:|---:|---|---|")
    problems = []
    for name, (desc, cpu_goal) in SCENARIOS.items():
        h = [r for r in rows if r["scenario"] == name and r["proxy"] == "harp"]
        a = [r for r in rows if r["scenario"] == name and r["proxy"] == "haproxy"]
        if not h or not a:
            continue
        sh, sa = summarize(h), summarize(a)
        label = f"{name}: {desc}"

        def ratio(k):
            return sh[k] / sa[k] if sa[k] else float("nan")

        r = ratio("rps")
        print(f"| {label} | req/s (median) | {fmt(sh['rps'])} | {fmt(sa['rps'])} | {fmt(r, 2)} | ≥ 1.0 | {verdict(r, 1.0, True)} |")
        r = ratio("p99")
        print(f"| | p99 latency ms (median) | {fmt(sh['p99'], 2)} | {fmt(sa['p99'], 2)} | {fmt(r, 2)} | ≤ 1.0 | {verdict(r, 1.0, False)} |")
        r = ratio("cpu")
        print(f"| | CPU-s per 10k req | {fmt(sh['cpu'], 3)} | {fmt(sa['cpu'], 3)} | {fmt(r, 2)} | ≤ {cpu_goal} | {verdict(r, cpu_goal, False)} |")
        r = ratio("hwm_mb")
        print(f"| | peak RSS MiB (VmHWM) | {fmt(sh['hwm_mb'], 1)} | {fmt(sa['hwm_mb'], 1)} | {fmt(r, 2)} | – | |")
        for who, s in (("harp", sh), ("HAProxy", sa)):
            if s["sock_errors"] or s["non2xx"] or s["dead"]:
                problems.append(
                    f"- {name} / {who}: {s['sock_errors']} wrk socket errors, {s['non2xx']} non-2xx/3xx responses, "
                    f"{s['dead']} of {s['rounds']} runs where the proxy had exited by the end"
                )
    print()
    print("Per proxy: spread over rounds (min–max); response bytes per request (wrk's count,")
    print("a sanity check); busy % per run of core 0 (wrk + origins), of core 1 and of the")
    print("proxy itself (core 1 minus proxy = other processes and softirq on the proxy's core):")
    print()
    for name in SCENARIOS:
        for who in ("harp", "haproxy"):
            sel = [r for r in rows if r["scenario"] == name and r["proxy"] == who]
            if not sel:
                continue
            s = summarize(sel)
            print(
                f"- {name} {who}: req/s {fmt(s['rps_spread'][0])}–{fmt(s['rps_spread'][1])}, "
                f"p99 {fmt(s['p99_spread'][0], 2)}–{fmt(s['p99_spread'][1], 2)} ms, "
                f"{fmt(s['bytes_per_req'])} B/response, core0 {s['core0']} %, core1 {s['core1']} %, "
                f"proxy {s['proxy_pct']} %"
            )
    busy0 = sum(1 for r in rows if int(r["core0_pct"]) >= 95)
    starved = sum(1 for r in rows if int(r["core1_pct"]) - int(r["proxy_pct"]) >= 10)
    if rows:
        print()
        print(f"Noise: core 0 (wrk + origins) was ≥ 95 % busy in {busy0} of {len(rows)} runs; there req/s and")
        print("p99 are bounded by the load generator and origins, not by the proxy alone. In")
        print(f"{starved} of {len(rows)} runs other work (other processes, softirq) used ≥ 10 % of core 1 beside the proxy.")
        print("CPU-s per request is the least sensitive to both.")
    mem = []
    if os.path.exists(mem_path):
        with open(mem_path) as f:
            mem = [json.loads(line) for line in f if line.strip()]
    if mem:
        print()
        print("| idle keep-alive connections | harp | HAProxy | harp/HAProxy |")
        print("|---|---:|---:|---:|")

        def per_conn(who, key):
            vals = [m[key] for m in mem if m["proxy"] == who and m["ok"] > 0]
            return statistics.median(vals) if vals else float("nan")

        n = max(m["count"] for m in mem)
        for key, label in (
            ("bytes_per_conn_idle", f"bytes per connection after one request each ({n:,} conns)"),
            ("bytes_per_conn_accepted", "bytes per connection before any request"),
        ):
            h, a = per_conn("harp", key), per_conn("haproxy", key)
            r = h / a if a == a and a else float("nan")
            print(f"| {label} | {fmt(h)} | {fmt(a)} | {fmt(r, 2)} |")
        for m in mem:
            bad = m["count"] - m["ok"]
            if bad or m["alive_end"] != m["ok"]:
                problems.append(
                    f"- idle / {m['proxy']} round {m['round']}: {m['connect_failed']} connects failed, "
                    f"{m['bad_response']} bad responses, {m['alive_end']} of {m['ok']} still open at the end"
                )
    print()
    if problems:
        print("Failures seen (wrk errors, non-2xx, proxy exits, idle connections lost):")
        print()
        print("\n".join(problems))
    else:
        print("No wrk socket errors, no non-2xx responses, no proxy exit, no idle connection lost.")


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "freeports":
        freeports(int(args[0]))
    elif cmd == "proc":
        print(proc(int(args[0])))
    elif cmd == "wrk":
        wrk(args[0])
    elif cmd == "cores":
        print(cores())
    elif cmd == "usage":
        print(usage(args[0], args[1], int(args[2])))
    elif cmd == "report":
        report(args[0], args[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
