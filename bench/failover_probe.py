#!/usr/bin/env python3
"""Failover probe for bench/failover_bench.sh; run it inside the BACKUP's
network namespace.

Waits for one CARP advertisement from the MASTER (raw IP protocol 112
socket), SIGKILLs the MASTER right after it, then polls `ip -o addr show`
every POLL seconds until the virtual IP appears here. Killing just after
an advert means the backup's master-down timer started at that advert, so
(VIP seen - advert seen) - master-down interval is the backup's lateness.

Prints one line: advert_to_vip kill_to_vip kill_after_advert polls
mean_poll_period (seconds, or a count), or exits 1 on timeout.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True, help="MASTER's pid")
    ap.add_argument("--src", required=True, help="MASTER's source address")
    ap.add_argument("--vip", required=True)
    ap.add_argument("--vhid", type=int, default=1)
    ap.add_argument("--poll", type=float, default=0.005)
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()

    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    s.settimeout(a.timeout)
    while True:
        try:
            data, (addr, _) = s.recvfrom(2048)
        except socket.timeout:
            print("no advert from the master", file=sys.stderr)
            return 1
        t_adv = time.monotonic()
        ihl = (data[0] & 0x0F) * 4
        if addr == a.src and len(data) >= ihl + 36 and data[ihl + 1] == a.vhid:
            break
    os.kill(a.pid, signal.SIGKILL)
    t_kill = time.monotonic()
    polls = 0
    while True:
        out = subprocess.run(
            ["ip", "-o", "addr", "show"], capture_output=True, text=True, check=False
        ).stdout
        polls += 1
        now = time.monotonic()
        if f" {a.vip}/" in out:
            break
        if now - t_kill > a.timeout:
            print("the backup never took the VIP", file=sys.stderr)
            return 1
        time.sleep(a.poll)
    print(
        f"{now - t_adv:.6f} {now - t_kill:.6f} {t_kill - t_adv:.6f} "
        f"{polls} {(now - t_kill) / polls:.6f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
