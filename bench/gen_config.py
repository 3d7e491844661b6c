#!/usr/bin/env python3
"""Write a large, realistic haproxy.conf for the check-speed benchmark.

N backends of 2 servers each (health-checked, with default-server settings),
one HTTP frontend routing to them by Host header through named ACLs and
use_backend rules, a stats listener, global/defaults with timeouts and logs.
All addresses are in 127.0.0.0/8 so `-c` needs no network or DNS.

Usage: gen_config.py [N_BACKENDS] > big.cfg   (default 10000)
"""
import sys


def addr(n: int, k: int) -> str:
    # Two distinct loopback addresses per backend, spread over 127.x.y.z.
    i = 2 * n + k
    return f"127.{1 + i // 65025}.{(i // 255) % 255}.{1 + i % 255}"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    w = sys.stdout.write
    w(
        "global\n"
        "    maxconn 100000\n"
        "    log 127.0.0.1:514 local0 info\n"
        "    stats socket /tmp/harp-bench-admin.sock mode 600 level admin\n"
        "    stats timeout 30s\n"
        "    tune.bufsize 32768\n"
        "\n"
        "defaults\n"
        "    mode http\n"
        "    log global\n"
        "    option httplog\n"
        "    option dontlognull\n"
        "    option forwardfor\n"
        "    option redispatch\n"
        "    retries 3\n"
        "    timeout connect 5s\n"
        "    timeout client 30s\n"
        "    timeout server 30s\n"
        "    timeout http-request 10s\n"
        "    timeout http-keep-alive 2s\n"
        "    timeout queue 1m\n"
        "    timeout check 3s\n"
        "    default-server inter 2s fall 3 rise 2 maxconn 500\n"
        "\n"
        "listen stats\n"
        "    bind 127.0.0.1:8404\n"
        "    stats enable\n"
        "    stats uri /stats\n"
        "    stats refresh 10s\n"
        "    stats admin if { src 127.0.0.1 }\n"
        "\n"
        "frontend www\n"
        "    bind 127.0.0.1:8080\n"
        "    bind 127.0.0.1:8081 name alt\n"
        "    http-request set-header X-Forwarded-Proto http\n"
        "    http-request deny if { path_beg /admin } !{ src 127.0.0.0/8 }\n"
        "    acl is_health path /healthz\n"
        "    http-request return status 200 content-type text/plain string ok if is_health\n"
    )
    for i in range(n):
        w(f"    acl host_{i} hdr(host) -i svc{i}.example.com svc{i}.internal\n")
    for i in range(n):
        w(f"    use_backend be_{i} if host_{i}\n")
    w("    default_backend be_0\n")
    for i in range(n):
        w(
            f"\nbackend be_{i}\n"
            "    balance roundrobin\n"
            "    option httpchk\n"
            f"    http-check send meth GET uri /health ver HTTP/1.1 hdr Host svc{i}.example.com\n"
            "    http-check expect status 200-399\n"
            "    http-request set-header X-Backend %[be_name]\n"
            f"    server s1 {addr(i, 0)}:8080 check weight 100\n"
            f"    server s2 {addr(i, 1)}:8080 check weight 100 backup\n"
        )


if __name__ == "__main__":
    main()
