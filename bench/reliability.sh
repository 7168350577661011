#!/usr/bin/env bash
# Reliability under attack (issue 11's proof), on this machine, loopback only: the slow-body
# flood, gzip bombs and large archives, kill -9 during uploads, wrk -c256 on the hot answers
# (bench/reliability.py), then the
# 16-way download of a 100 MB provider package beside nginx (bench/download.sh). Prints each
# figure beside its limit. Needs python3, curl and ss; not part of CI.
#
#   bench/reliability.sh [flood-sockets]   (default 4000)
#   TFREG_BIN=/path/to/tfreg bench/reliability.sh   (measure that binary instead of building)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${TFREG_BIN:-}" ]; then bin=$(realpath "$TFREG_BIN"); else
  cargo build --release -q -p tfreg-server
  bin=$PWD/target/release/tfreg
fi
python3 bench/reliability.py "$bin" "${1:-4000}"
echo "== 5. 16 concurrent downloads of a 100 MB provider package"
TFREG_BIN=$bin bench/download.sh 100 16
