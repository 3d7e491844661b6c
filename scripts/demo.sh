#!/usr/bin/env bash
# Build harp and run it on the bundled configuration, which needs nothing
# else: its origins are listeners of the same file (`http-request return`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --bin harp
exec target/release/harp -c -f examples/demo.cfg "$@"
