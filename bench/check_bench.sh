#!/usr/bin/env bash
# Check-speed benchmark: `haproxy -c` against `harp -c` on a large configuration
# (10,000 backends x 2 servers, a frontend with 10,000 ACLs and use_backend rules).
#
# Builds harp in release mode, generates target/bench/big.cfg with
# bench/gen_config.py, then times both checkers alternately (A B A B ...) for
# ROUNDS rounds, each round running each command RUNS times (hyperfine when
# installed, otherwise a bash loop timed with date +%s.%N). Prints each median
# and the ratio harp/haproxy.
#
# Usage: bench/check_bench.sh
# env: BACKENDS=10000 ROUNDS=3 RUNS=3 HAPROXY=/usr/sbin/haproxy NO_HYPERFINE=1 (force the bash loop)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
backends="${BACKENDS:-10000}"
rounds="${ROUNDS:-3}"
runs="${RUNS:-3}"
haproxy="${HAPROXY:-/usr/sbin/haproxy}"
harp="$root/target/release/harp"
out="$root/target/bench"

[ -x "$haproxy" ] || { echo "check_bench: $haproxy not found (apt-get install -y haproxy)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "check_bench: python3 is needed to generate the config" >&2; exit 1; }

echo "== building harp (release)"
(cd "$root" && cargo build --release --bin harp)

mkdir -p "$out"
cfg="$out/big.cfg"
python3 "$root/bench/gen_config.py" "$backends" > "$cfg"
echo "== $cfg: $(wc -l < "$cfg") lines, $backends backends x 2 servers"

# One untimed run each: show the verdicts (a fast failure is not a fast check).
for prog in "$haproxy" "$harp"; do
    rc=0
    "$prog" -c -f "$cfg" > "$out/$(basename "$prog").out" 2>&1 || rc=$?
    echo "== $(basename "$prog") -c: exit $rc ($(tail -n 1 "$out/$(basename "$prog").out"))"
    if { [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; } || ! grep -q 'Configuration file' "$out/$(basename "$prog").out"; then
        echo "   WARNING: $(basename "$prog") did not check the config as valid; its timing below is not a check time" >&2
    fi
done

a_times="$out/haproxy.times"
b_times="$out/harp.times"
: > "$a_times"
: > "$b_times"

if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then
    echo "== timing with hyperfine: $rounds rounds x $runs runs, alternating haproxy / harp"
    for r in $(seq "$rounds"); do
        hyperfine -N --style basic --ignore-failure --runs "$runs" \
            --export-json "$out/round$r.json" \
            "$haproxy -c -f $cfg" "$harp -c -f $cfg" > "$out/round$r.log" 2>&1
        python3 - "$out/round$r.json" "$a_times" "$b_times" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
for r, path in zip(res, sys.argv[2:]):
    with open(path, "a") as f:
        f.writelines(f"{t}\n" for t in r["times"])
PY
        echo "   round $r done"
    done
else
    echo "== timing with a bash loop: $rounds rounds x $runs runs, alternating haproxy / harp"
    for r in $(seq "$((rounds * runs))"); do
        for pair in "$haproxy:$a_times" "$harp:$b_times"; do
            prog="${pair%%:*}"
            t0=$(date +%s.%N)
            "$prog" -c -f "$cfg" > /dev/null 2>&1 || true
            t1=$(date +%s.%N)
            awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }' >> "${pair#*:}"
        done
    done
fi

python3 - "$a_times" "$b_times" <<'PY'
import statistics, sys
a = [float(x) for x in open(sys.argv[1]) if x.strip()]
b = [float(x) for x in open(sys.argv[2]) if x.strip()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"haproxy -c median: {ma * 1000:9.1f} ms  ({len(a)} runs, min {min(a) * 1000:.1f}, max {max(a) * 1000:.1f})")
print(f"harp    -c median: {mb * 1000:9.1f} ms  ({len(b)} runs, min {min(b) * 1000:.1f}, max {max(b) * 1000:.1f})")
print(f"ratio harp/haproxy: {mb / ma:.3f}")
PY
