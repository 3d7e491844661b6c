#!/usr/bin/env bash
# Build harp and run it on the bundled configuration, which needs nothing
# else: its two origins are listeners of the same file answering with
# `http-request return`. Then: curl http://127.0.0.1:8080/ (alternates
# server1/server2). Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --bin harp
target/release/harp -c -f examples/demo.cfg
echo "harp listens on http://127.0.0.1:8080/ (Ctrl-C to stop)"
exec target/release/harp -db -f examples/demo.cfg "$@"
