#!/usr/bin/env bash
# Install what the tests need on a fresh Debian machine, then run every test.
# Usage: scripts/test.sh   (root, or a user with sudo)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# HAProxy 2.6 is the oracle of the differential tests; ucarp is the CARP peer;
# iproute2 makes the test namespaces; wrk and hyperfine drive the benchmarks;
# chromium renders the stats page (tests/stats_browser.rs).
packages=(haproxy ucarp iproute2 wrk hyperfine python3 util-linux prometheus-haproxy-exporter chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# Python clients the tests drive: log analysis reads harp's log lines,
# haproxyadmin and haproxy-cli drive the stats socket; haproxy-stats reads the CSV over HTTP.
pypi=(haproxy-log-analysis haproxyadmin haproxy-cli haproxy-stats)
{ python3 -c 'import haproxy.line, haproxyadmin, haproxystats' 2>/dev/null && command -v haproxy-cli >/dev/null; } \
    || python3 -m pip install -q --disable-pip-version-check "${pypi[@]}" \
    || { apt-get install -y -qq python3-pip && python3 -m pip install -q --break-system-packages "${pypi[@]}"; }

# playwright-core drives Debian's chromium from node (it downloads no browser).
[ -d target/browser/node_modules/playwright-core ] \
    || { mkdir -p target/browser \
        && npm install --prefix target/browser --no-audit --no-fund --silent playwright-core@1; }

# The shared reference material (corpus, golden outputs) sits beside the repo.
export HARP_SHARED="${HARP_SHARED:-$(cd .. && pwd)/shared}"
[ -d "$HARP_SHARED" ] || { echo "test.sh: $HARP_SHARED not found (set HARP_SHARED)" >&2; exit 1; }

cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test --all-targets
