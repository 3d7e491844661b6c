#!/usr/bin/env bash
# CARP failover benchmark (not a timed test): harp vs ucarp on the same
# pair of network namespaces.
#
# For each implementation a MASTER (advskew 0) and a BACKUP (advskew
# $SKEW_B) run in two namespaces joined by a veth pair, both with preempt
# (harp: net.inet.carp.preempt=1 in a sysctl.conf; ucarp: -P) so that the
# restarted MASTER takes the VIP back between rounds. Each of $ROUNDS
# rounds: bench/failover_probe.py, inside the BACKUP's namespace, waits for
# one of the MASTER's adverts, SIGKILLs the MASTER right after it and polls
# `ip -o addr show` every 5 ms until the VIP is on the BACKUP; then the
# MASTER's leftover VIP is removed, it is restarted and the pair settles.
#
# Lateness = (VIP seen - last advert seen) - master-down interval, where
# the interval is 3*advbase + advskew/256 (CARP.md §6). It includes the
# polling period (~5 ms plus one `ip` run, printed as "poll").
#
# Usage, as root from the repository root:
#   bench/failover_bench.sh
# Knobs (environment): ROUNDS=10 ADVBASE=1 SKEW_B=100 SETTLE=2 (s after the
# MASTER is back) HARP=target/release/harp (built first unless NOBUILD=1)
# UCARP=/usr/sbin/ucarp OUT=target/bench/carp (logs and raw results)
# ONLY=harp|ucarp (run one side).
# Only 10.99.77.x addresses inside the namespaces are used; the namespaces
# and processes are removed on exit, whatever happens.

set -euo pipefail

ROUNDS=${ROUNDS:-10}
ADVBASE=${ADVBASE:-1}
SKEW_B=${SKEW_B:-100}
SETTLE=${SETTLE:-2}
HARP=${HARP:-target/release/harp}
UCARP=${UCARP:-/usr/sbin/ucarp}
OUT=${OUT:-target/bench/carp}
ONLY=${ONLY:-}
PROBE="$(cd "$(dirname "$0")" && pwd)/failover_probe.py"

NA="hfb$$a"
NB="hfb$$b"
DEVA=fba
DEVB=fbb
HOSTA=10.99.77.1
HOSTB=10.99.77.2
VIP=10.99.77.100
PIDS=()

die() { echo "failover_bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (namespaces, raw sockets)"
if [ -z "${NOBUILD:-}" ] && [ "$ONLY" != ucarp ]; then
    cargo build --release --quiet --bin harp
fi
[ "$ONLY" = ucarp ] || [ -x "$HARP" ] || die "$HARP not found"
[ "$ONLY" = harp ] || [ -x "$UCARP" ] || die "$UCARP not found (Debian package ucarp)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
HARP=$(realpath "$HARP" 2>/dev/null || echo "$HARP")

cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$NA" 2>/dev/null || true
    ip netns del "$NB" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NA"
ip netns add "$NB"
ip link add "$DEVA" netns "$NA" type veth peer name "$DEVB" netns "$NB"
ip -n "$NA" addr add "$HOSTA/24" dev "$DEVA"
ip -n "$NB" addr add "$HOSTB/24" dev "$DEVB"
for ns in "$NA" "$NB"; do
    ip -n "$ns" link set lo up
done
ip -n "$NA" link set "$DEVA" up
ip -n "$NB" link set "$DEVB" up

has_vip() { ip -n "$1" -o addr show | grep -q " $VIP/"; }

# wait_settled: the MASTER (A) holds the VIP and the BACKUP (B) does not.
wait_settled() {
    local i
    for i in $(seq 1 300); do
        if has_vip "$NA" && ! has_vip "$NB"; then return 0; fi
        sleep 0.05
    done
    return 1
}

# start IMPL SIDE NS DEV HOST SKEW: starts a node, prints its pid.
start() {
    local impl=$1 side=$2 ns=$3 dev=$4 host=$5 skew=$6 log="$OUT/$1-$2.log"
    if [ "$impl" = harp ]; then
        local skew_words=""
        [ "$skew" -gt 0 ] && skew_words="advskew $skew "
        printf 'ifconfig_em0="inet %s/24"\nifconfig_em0_alias0="inet vhid 1 advbase %s %spass secret alias %s/32"\n' \
            "$host" "$ADVBASE" "$skew_words" "$VIP" >"$OUT/harp-$side.rc.conf"
        echo "net.inet.carp.preempt=1" >"$OUT/harp-$side.sysctl.conf"
        ip netns exec "$ns" "$HARP" --carp "$OUT/harp-$side.rc.conf" \
            --carp "$OUT/harp-$side.sysctl.conf" --carp-iface "em0=$dev" \
            </dev/null >/dev/null 2>>"$log" &
    else
        ip netns exec "$ns" "$UCARP" -i "$dev" -s "$host" -v 1 -p secret -a "$VIP" \
            -b "$ADVBASE" -k "$skew" -P -u "$OUT/vip-up.sh" -d "$OUT/vip-down.sh" \
            -x "$side" -f none </dev/null >>"$log" 2>&1 &
    fi
    echo $!
}

for verb in add del; do
    printf '#!/bin/sh\nip addr %s "$2/32" dev "$1"\nexit 0\n' "$verb" >"$OUT/vip-$( [ $verb = add ] && echo up || echo down).sh"
done
chmod +x "$OUT/vip-up.sh" "$OUT/vip-down.sh"

# bench IMPL: one pair, $ROUNDS kills; appends to $OUT/results.tsv.
bench() {
    local impl=$1 a b r line
    : >"$OUT/$impl-A.log"
    : >"$OUT/$impl-B.log"
    b=$(start "$impl" B "$NB" "$DEVB" "$HOSTB" "$SKEW_B")
    PIDS+=("$b")
    a=$(start "$impl" A "$NA" "$DEVA" "$HOSTA" 0)
    PIDS+=("$a")
    wait_settled || die "$impl: A never became the only MASTER (see $OUT/$impl-*.log)"
    sleep "$SETTLE"
    for r in $(seq 1 "$ROUNDS"); do
        line=$(ip netns exec "$NB" python3 "$PROBE" --pid "$a" --src "$HOSTA" --vip "$VIP") ||
            die "$impl round $r: probe failed (see $OUT/$impl-*.log)"
        wait "$a" 2>/dev/null || true
        printf '%s\t%s\t%s\n' "$impl" "$r" "$line" | tr ' ' '\t' >>"$OUT/results.tsv"
        printf '%-5s round %2d: kill->VIP %s s, advert->VIP %s s\n' "$impl" "$r" \
            "$(cut -d' ' -f2 <<<"$line")" "$(cut -d' ' -f1 <<<"$line")"
        # The killed MASTER could not remove its VIP; a real host would
        # have rebooted. Remove it, restart, let it preempt.
        ip -n "$NA" addr del "$VIP/32" dev "$DEVA" 2>/dev/null || true
        a=$(start "$impl" A "$NA" "$DEVA" "$HOSTA" 0)
        PIDS+=("$a")
        wait_settled || die "$impl round $r: A did not take the VIP back (see $OUT/$impl-*.log)"
        sleep "$SETTLE"
    done
    kill "$a" "$b" 2>/dev/null || true
    wait "$a" "$b" 2>/dev/null || true
    ip -n "$NA" addr del "$VIP/32" dev "$DEVA" 2>/dev/null || true
    ip -n "$NB" addr del "$VIP/32" dev "$DEVB" 2>/dev/null || true
}

: >"$OUT/results.tsv"
echo "failover_bench: $ROUNDS rounds, advbase $ADVBASE, backup advskew $SKEW_B; logs in $OUT"
[ "$ONLY" = ucarp ] || bench harp
[ "$ONLY" = harp ] || bench ucarp

python3 - "$OUT/results.tsv" "$ADVBASE" "$SKEW_B" <<'PY'
import statistics, sys
path, advbase, skew = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
down = 3 * advbase + skew / 256
rows = {}
for line in open(path):
    f = line.split("\t")
    rows.setdefault(f[0], []).append([float(x) for x in f[2:]])
print(f"\nmaster-down interval 3*{advbase} + {skew}/256 = {down:.3f} s")
print(f"{'':6} {'kill->VIP (s)':>24}   {'lateness vs master-down (ms)':>30}   poll (ms)")
print(f"{'':6} {'min':>7} {'median':>7} {'max':>7}   {'min':>9} {'median':>9} {'max':>9}   {'mean':>7}")
worst = {}
for impl, rs in rows.items():
    k = [r[1] for r in rs]
    late = [(r[0] - down) * 1000 for r in rs]
    poll = statistics.mean(r[4] for r in rs) * 1000
    worst[impl] = max(late)
    print(f"{impl:6} {min(k):7.3f} {statistics.median(k):7.3f} {max(k):7.3f}   "
          f"{min(late):9.1f} {statistics.median(late):9.1f} {max(late):9.1f}   {poll:7.1f}")
if "harp" in worst:
    ok = "within" if worst["harp"] <= 50 else "NOT within"
    print(f"harp worst case {worst['harp']:.1f} ms late: {ok} the 50 ms goal")
if "harp" in worst and "ucarp" in worst:
    print(f"ucarp worst case {worst['ucarp']:.1f} ms late; "
          f"harp's worst case is {worst['ucarp'] - worst['harp']:.1f} ms earlier")
PY
