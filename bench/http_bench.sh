#!/usr/bin/env bash
# Data-plane benchmark: harp against HAProxy 2.6 under wrk, measured in the
# same run, on 127.0.0.0/8 only.
#
# Both proxies run the same rendered file (bench/configs/proxy.cfg.in: one
# frontend on 127.0.0.1, a backend of 2 servers, nbthread 1). The servers are
# origins served by a separate HAProxy process (bench/configs/origin.cfg.in,
# `http-request return`: 18-byte body on /, 64 KiB file on /big), started once
# and shared by every run. Only the proxy under test changes.
#
# CPU placement: the proxy under test on core 1 (taskset -c 1), wrk, the
# origins and the idle-connection client on core 0.
#
# Scenarios, each run ROUNDS times alternating harp, haproxy, harp, haproxy...
# with a fresh proxy process per run (WARMUP s of load first, not measured):
#   keepalive  keep-alive, small responses, CONNS connections
#   close      a new connection per request (wrk -H 'Connection: close')
#   body64k    keep-alive, 64 KiB responses
#   conns1000  1,000 keep-alive connections, small responses
#   idle       IDLE_CONNS idle keep-alive client connections: RSS per connection
# Per run: wrk req/s and p99 (--latency); CPU-seconds of the proxy process
# (utime+stime from /proc/PID/stat around the measured wrk run) per 10,000
# requests; peak RSS (VmHWM). The report prints each for harp and HAProxy,
# the harp/HAProxy ratio and the goal.
#
# Usage: bench/http_bench.sh
# env: DURATION=10 (s per measured run)  WARMUP=2  ROUNDS=2  CONNS=50
#      WRK_THREADS=1  IDLE_CONNS (default 10000, lowered to what the fd limit
#      lets HAProxy accept)  SCENARIOS="keepalive close body64k conns1000 idle"
#      NICE=-10 (priority of proxy, wrk and origins, so that other work on a
#      shared machine takes less from them; 0 to leave it; negative needs root)
#      HAPROXY=/usr/sbin/haproxy  SKIP_BUILD=1 (use the existing release binary)
#      OUT=target/bench/http (logs, rendered configs, raw results)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${DURATION:-10}"
warmup="${WARMUP:-2}"
rounds="${ROUNDS:-2}"
conns="${CONNS:-50}"
wrk_threads="${WRK_THREADS:-1}"
scenarios="${SCENARIOS:-keepalive close body64k conns1000 idle}"
haproxy="${HAPROXY:-/usr/sbin/haproxy}"
harp="$root/target/release/harp"
out="${OUT:-$root/target/bench/http}"
util="$root/bench/http_bench_util.py"
proxy_core=1
load_core=0
nice_level="${NICE:--10}"
if [ "$nice_level" -lt 0 ] && [ "$(id -u)" -ne 0 ]; then
    nice_level=0
fi
# Prefixes of every process of the benchmark (nice and taskset exec the
# command: $! is the pid of the proxy itself).
on_load=(nice -n "$nice_level" taskset -c "$load_core")
on_proxy=(nice -n "$nice_level" taskset -c "$proxy_core")

# ---------------------------------------------------------------- setup
need_install=()
command -v wrk >/dev/null || need_install+=(wrk)
[ -x "$haproxy" ] || need_install+=(haproxy)
if [ "${#need_install[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "== installing ${need_install[*]}"
        apt-get install -y "${need_install[@]}" >/dev/null
    else
        echo "http_bench: missing ${need_install[*]}; run as root or: apt-get install -y ${need_install[*]}" >&2
        exit 1
    fi
fi
for tool in python3 taskset curl; do
    command -v "$tool" >/dev/null || { echo "http_bench: $tool is needed" >&2; exit 1; }
done
if [ "$(nproc --all)" -lt 2 ]; then
    echo "http_bench: needs at least 2 cores (proxy on core $proxy_core, load on core $load_core)" >&2
    exit 1
fi

if [ -z "${SKIP_BUILD:-}" ]; then
    echo "== building harp (release)"
    (cd "$root" && cargo build --release --bin harp)
fi
[ -x "$harp" ] || { echo "http_bench: $harp missing" >&2; exit 1; }

# The idle scenario holds many sockets: raise the soft fd limit to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit="$(ulimit -n)"
# HAProxy refuses to start when 2*maxconn plus ~15 fds exceeds the fd limit.
max_idle=$(( (fd_limit - 100) / 2 / 100 * 100 ))
idle_conns="${IDLE_CONNS:-10000}"
if [ "$idle_conns" -gt "$max_idle" ]; then
    echo "== fd limit $fd_limit: idle connections lowered from $idle_conns to $max_idle"
    idle_conns="$max_idle"
fi
maxconn=$(( idle_conns + 50 ))

rm -rf "$out"
mkdir -p "$out/logs"
runs="$out/runs.tsv"
mem="$out/idle.jsonl"
: > "$runs"
: > "$mem"

# ---------------------------------------------------------------- cleanup
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    sleep 0.3
    for p in "${pids[@]}"; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    pids=()
}
trap cleanup EXIT
trap 'echo "http_bench: interrupted" >&2; exit 130' INT TERM

forget_pid() {
    local p keep=()
    for p in "${pids[@]}"; do
        [ "$p" = "$1" ] || keep+=("$p")
    done
    pids=("${keep[@]}")
}

# ---------------------------------------------------------------- configs
read -r proxy_port origin1_port origin2_port <<< "$(python3 "$util" freeports 3 | tr "\n" " ")"
big="$out/big.bin"
# 64 KiB of printable bytes (the origin sends it as is).
python3 -c 'import sys; sys.stdout.write(("0123456789abcdef" * 63 + "0123456789abcde\n") * 64)' > "$big"
[ "$(stat -c %s "$big")" -eq 65536 ]

render() {
    sed -e "s|@PROXY_PORT@|$proxy_port|g" \
        -e "s|@ORIGIN1_PORT@|$origin1_port|g" \
        -e "s|@ORIGIN2_PORT@|$origin2_port|g" \
        -e "s|@MAXCONN@|$maxconn|g" \
        -e "s|@BIG_FILE@|$big|g" "$1" > "$2"
}
render "$root/bench/configs/origin.cfg.in" "$out/origin.cfg"
render "$root/bench/configs/proxy.cfg.in" "$out/proxy.cfg"
"$haproxy" -c -q -f "$out/origin.cfg"
"$haproxy" -c -q -f "$out/proxy.cfg"

wait_http() { # port pid: until GET / answers 200 (5 s)
    local i
    for i in $(seq 1 50); do
        kill -0 "$2" 2>/dev/null || return 1
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null)" = 200 ]; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

echo "== origins on 127.0.0.1:$origin1_port and :$origin2_port (core $load_core)"
"${on_load[@]}" "$haproxy" -db -f "$out/origin.cfg" > "$out/logs/origin.log" 2>&1 &
origin_pid=$!
pids+=("$origin_pid")
wait_http "$origin1_port" "$origin_pid" && wait_http "$origin2_port" "$origin_pid" || {
    echo "http_bench: the origins did not start:" >&2
    cat "$out/logs/origin.log" >&2
    exit 1
}

# ---------------------------------------------------------------- runs
proxy_pid=""
start_proxy() { # name logfile
    if [ "$1" = harp ]; then
        "${on_proxy[@]}" "$harp" -f "$out/proxy.cfg" > "$2" 2>&1 &
    else
        "${on_proxy[@]}" "$haproxy" -db -f "$out/proxy.cfg" > "$2" 2>&1 &
    fi
    proxy_pid=$!
    pids+=("$proxy_pid")
    if ! wait_http "$proxy_port" "$proxy_pid"; then
        echo "http_bench: $1 did not answer on 127.0.0.1:$proxy_port:" >&2
        cat "$2" >&2
        exit 1
    fi
}

stop_proxy() {
    kill -TERM "$proxy_pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do
        kill -0 "$proxy_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
    forget_pid "$proxy_pid"
    proxy_pid=""
}

# Wait for a load process run in the background (a signal to the script
# interrupts `wait` at once; cleanup then ends the process).
wait_load() {
    pids+=("$1")
    wait "$1" || true
    forget_pid "$1"
}

wrk_args() { # scenario -> wrk arguments after the duration
    local url="http://127.0.0.1:$proxy_port"
    case "$1" in
        keepalive) echo "-c $conns $url/" ;;
        close) echo "-c $conns $url/" ;;
        body64k) echo "-c $conns $url/big" ;;
        conns1000) echo "-c 1000 $url/" ;;
    esac
}

run_wrk() { # scenario seconds outfile
    local hdr=()
    [ "$1" = close ] && hdr=(-H 'Connection: close')
    # shellcheck disable=SC2046
    "${on_load[@]}" wrk -t "$wrk_threads" -d "${2}s" --latency "${hdr[@]}" $(wrk_args "$1") > "$3" 2>&1 &
    wait_load $!
}

threads_of() { awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo "?"; }

load_run() { # scenario proxy round
    local log="$out/logs/$1.$2.$3"
    start_proxy "$2" "$log.proxy.log"
    run_wrk "$1" "$warmup" "$log.warmup.wrk"
    local t0 t1 hwm rss alive=alive c0 c1
    read -r t0 _ _ < <(python3 "$util" proc "$proxy_pid")
    c0="$(python3 "$util" cores)"
    run_wrk "$1" "$duration" "$log.wrk"
    c1="$(python3 "$util" cores)"
    if kill -0 "$proxy_pid" 2>/dev/null; then
        read -r t1 hwm rss < <(python3 "$util" proc "$proxy_pid")
    else
        t1=$t0 hwm=0 alive=exited
    fi
    local use
    use="$(python3 "$util" usage "$c0" "$c1" "$((t1 - t0))")"
    local threads
    threads="$(threads_of "$proxy_pid")"
    stop_proxy
    local w
    w="$(python3 "$util" wrk "$log.wrk")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$w" "$((t1 - t0))" "$hwm" "$alive" "${use// /$'\t'}" >> "$runs"
    local rps p99 reqs _b errs non2xx
    read -r rps p99 reqs _b errs non2xx <<< "$w"
    local u0 u1 up
    read -r u0 u1 up <<< "$use"
    printf '   %-9s %-7s round %s: %10s req/s  p99 %8s ms  %8s req  cpu %5s ticks (proxy %3s%%, core0 %3s%%, core1 %3s%%)  hwm %6s kB  threads %s  errors %s  non-2xx %s  %s\n' \
        "$1" "$2" "$3" "$rps" "$p99" "$reqs" "$((t1 - t0))" "$up" "$u0" "$u1" "$hwm" "$threads" "$errs" "$non2xx" "$alive"
}

idle_run() { # proxy round
    local log="$out/logs/idle.$1.$2"
    start_proxy "$1" "$log.proxy.log"
    "${on_load[@]}" python3 "$root/bench/idle_conns.py" --port "$proxy_port" --pid "$proxy_pid" \
        --count "$idle_conns" --proxy "$1" --round "$2" > "$log.json" 2> "$log.client.log" &
    wait_load $!
    local alive=alive
    kill -0 "$proxy_pid" 2>/dev/null || alive=exited
    stop_proxy
    if [ -s "$log.json" ]; then
        cat "$log.json" >> "$mem"
        python3 - "$log.json" "$alive" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"   idle      {d['proxy']:<7} round {d['round']}: {d['bytes_per_conn_idle']:8.0f} B/conn idle, "
      f"{d['bytes_per_conn_accepted']:8.0f} B/conn before a request, ok {d['ok']}/{d['count']}, "
      f"still open {d['alive_end']}, proxy {sys.argv[2]}")
EOF
    else
        echo "   idle      $1 round $2: client failed: $(tail -n 1 "$log.client.log")"
    fi
}

echo "== proxy under test on 127.0.0.1:$proxy_port (core $proxy_core); ${duration}s runs after ${warmup}s warm-up, $rounds rounds"
for sc in $scenarios; do
    for round in $(seq 1 "$rounds"); do
        for proxy in harp haproxy; do
            if [ "$sc" = idle ]; then
                idle_run "$proxy" "$round"
            else
                load_run "$sc" "$proxy" "$round"
            fi
        done
    done
done

# Anything a proxy said on stderr besides its start banner (pids left out).
echo
echo "== proxy messages (count, message)"
cat "$out"/logs/*.proxy.log 2>/dev/null | grep -v '^\[NOTICE\]' | sed -E 's/\(([0-9]+)\)/(pid)/' | sort | uniq -c || true
echo
echo "== results ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
python3 "$util" report "$runs" "$mem"
echo
echo "raw results: $runs $mem; logs: $out/logs"
