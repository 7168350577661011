#!/usr/bin/env bash
# Peak memory of `tfreg serve` (release build, HTTPS, local storage) while it takes a large
# provider package, in one script:
#
#   1. baseline: the package PUT as the request body of the provider publish endpoint, which
#      the registry reads whole (the server is started with a body limit above the size);
#   2. the upload session: POST /v1/uploads, PUT the file to the registry-signed upload URL
#      (streamed to the store), then publish with ?upload=<id> (the package is copied to a
#      temporary file, checked from there and streamed to its final key).
#
# Each run uses a fresh server process; the figure is the kernel's VmHWM (peak resident set)
# for that process. Not part of CI.
#
#   bench/upload-rss.sh [size-in-MB]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
mb=${1:-200}
cargo build --release -q -p tfreg-server
bin=$PWD/target/release/tfreg
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
token=tfreg_bench-master-token-0123456789
port=18490

echo "== building a ${mb} MB provider package (stored, incompressible)"
big_provider_zip "$work/big.zip" "$mb"
size=$(stat -c %s "$work/big.zip")
echo "   $size bytes"

start() { # extra flags...
  rm -rf "$work/store"
  TFREG_MASTER_TOKEN=$token TFREG_LOG=warn "$bin" serve --listen "127.0.0.1:$port" \
    --storage "file://$work/store" "$@" >"$work/out" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    grep -q "listening on" "$work/out" 2>/dev/null && break
    sleep 0.05
  done
  curl_=(curl -sS --fail-with-body --cacert "$work/store/tls/cert.pem")
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
mem() { awk -v k="$1" '$1 == k":" {printf "%.1f", $2/1024}' "/proc/$pid/status"; }

echo "== 1. baseline: the package as the request body"
start --max-upload-bytes $((size + 1024))
idle=$(mem VmRSS)
t0=$(date +%s.%N)
"${curl_[@]}" -o /dev/null -X PUT -H "Authorization: Bearer $token" --data-binary @"$work/big.zip" \
  "https://127.0.0.1:$port/v1/providers/acme/big/1.0.0/linux/amd64"
t1=$(date +%s.%N)
body_peak=$(mem VmHWM)
printf '   idle %s MB, peak %s MB (%.1f s)\n' "$idle" "$body_peak" "$(echo "$t1 - $t0" | bc)"
stop

echo "== 2. upload session: streamed PUT, then publish by naming the session"
start
idle=$(mem VmRSS)
session=$("${curl_[@]}" -X POST -H "Authorization: Bearer $token" "https://127.0.0.1:$port/v1/uploads")
url=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["upload_url"])' <<<"$session")
id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$session")
t0=$(date +%s.%N)
"${curl_[@]}" -o /dev/null -T "$work/big.zip" "$url"
t1=$(date +%s.%N)
upload_peak=$(mem VmHWM)
"${curl_[@]}" -o /dev/null -X PUT -H "Authorization: Bearer $token" \
  "https://127.0.0.1:$port/v1/providers/acme/big/1.0.0/linux/amd64?upload=$id"
t2=$(date +%s.%N)
session_peak=$(mem VmHWM)
printf '   idle %s MB, peak after the upload %s MB (%.1f s), peak after publishing %s MB (%.1f s)\n' \
  "$idle" "$upload_peak" "$(echo "$t1 - $t0" | bc)" "$session_peak" "$(echo "$t2 - $t1" | bc)"
stored=$(find "$work/store/providers" -name '*.zip' -printf '%s\n')
[ "$stored" = "$size" ] || { echo "the stored package has $stored bytes, not $size" >&2; exit 1; }
stop

echo
printf '%-52s %10s\n' "server peak RSS (VmHWM) taking a ${mb} MB package" "MB"
printf '%-52s %10s\n' "  as the request body (baseline)" "$body_peak"
printf '%-52s %10s\n' "  through an upload session (upload + publish)" "$session_peak"
