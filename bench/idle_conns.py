#!/usr/bin/env python3
"""Idle-connection memory probe of bench/http_bench.sh.

Opens COUNT client connections to a proxy and keeps them open, reading the
proxy's resident memory (VmRSS of /proc/PID/status) at three points:
  before    one request on a throw-away connection, then nothing open
  accepted  COUNT connections open, no request sent on them yet
  idle      one GET / sent and answered on each, connections kept open
            (idle keep-alive: the proxy waits for their next request)
Requests are sent one connection at a time so that the proxy needs only one
server connection at a time. Source addresses rotate over several 127.0.0.x
so the ephemeral port range never runs short. Prints one JSON line.

Usage: idle_conns.py --port P --pid PROXY_PID --count N --proxy NAME --round R
"""
import argparse
import json
import resource
import socket
import sys
import time


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def get(sock: socket.socket, host: str) -> bool:
    """One keep-alive GET /; True on a complete 200 response."""
    sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status_ok = lines[0].split(b" ")[1:2] == [b"200"]
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        body += chunk
    return status_ok


def still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""  # data on an idle connection: not expected
    except BlockingIOError:
        return True
    except OSError:
        return False


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--sources", type=int, default=8, help="source addresses 127.0.0.2 ...")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds before each reading")
    ap.add_argument("--proxy", default="?")
    ap.add_argument("--round", default="1")
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sources = [f"127.0.0.{2 + i}" for i in range(a.sources)]

    with socket.create_connection((a.host, a.port), timeout=5) as s:
        warm_ok = get(s, a.host)
    time.sleep(a.settle)
    before = rss_kb(a.pid)

    socks = []
    connect_failed = 0
    for i in range(a.count):
        s = socket.socket()
        s.settimeout(10)
        try:
            s.bind((sources[i % len(sources)], 0))
            s.connect((a.host, a.port))
            socks.append(s)
        except OSError as e:
            connect_failed += 1
            s.close()
            if connect_failed == 1:
                print(f"idle_conns: connect failed: {e}", file=sys.stderr)
    time.sleep(a.settle)
    accepted = rss_kb(a.pid)

    ok = bad = 0
    live = []
    for s in socks:
        try:
            good = get(s, a.host)
        except OSError:
            good = False
        if good:
            ok += 1
            live.append(s)
        else:
            bad += 1
    time.sleep(a.settle)
    idle = rss_kb(a.pid)
    alive_end = sum(1 for s in live if still_open(s))
    for s in socks:
        s.close()

    opened = len(socks)
    out = {
        "proxy": a.proxy,
        "round": a.round,
        "count": a.count,
        "warm_ok": warm_ok,
        "connect_failed": connect_failed,
        "ok": ok,
        "bad_response": bad,
        "alive_end": alive_end,
        "rss_before_kb": before,
        "rss_accepted_kb": accepted,
        "rss_idle_kb": idle,
        "bytes_per_conn_accepted": (accepted - before) * 1024 / opened if opened else float("nan"),
        "bytes_per_conn_idle": (idle - before) * 1024 / ok if ok else float("nan"),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
