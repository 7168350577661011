#!/usr/bin/env bash
# Many clients downloading one large provider package from `tfreg serve` (release build, local
# file store) at once, beside nginx serving the same zip as a static file, in one script on this
# machine (loopback only). The package is a zip holding one incompressible executable
# `terraform-provider-big_v1.0.0` (100 MB by default), published once as acme/big 1.0.0
# linux/amd64 (as the request body, to a server started with a body limit above the size).
#
# Then, per round (plain HTTP/1.1 with --plain-http; HTTPS HTTP/1.1; HTTPS HTTP/2):
#   1. a freshly started tfreg, so that its VmHWM (peak resident set, /proc/PID/status) is this
#      round's peak; its idle VmRSS is shown beside it;
#   2. GET /v1/providers/acme/big/1.0.0/download/linux/amd64 with the token, and download_url
#      resolved against that JSON's URL (as Terraform does; the link is signed, no token);
#   3. N concurrent curl processes (16 by default, one connection each) fetch it to /dev/null;
#      the wall time runs from starting the first to the end of the last; every download must
#      answer 200 with the package's size over the protocol asked for, and one more download
#      must have the SHA-256 the JSON names;
#   4. the same N concurrent curls against nginx (same file, same protocol, same certificate).
#
# A server that holds each response body in memory peaks near N x the package size; one that
# streams bodies from the store should stay near its idle RSS. Needs nginx, curl and bc (Debian
# packages; installed here if missing). Not part of CI.
#
#   bench/download.sh [size-in-MB] [clients]   (default 100 and 16)
#   TFREG_BIN=/path/to/old/tfreg bench/download.sh    (measure that binary instead of building)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
mb=${1:-100}
clients=${2:-16}
for tool in nginx curl bc; do
  command -v $tool >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light curl bc >/dev/null
    break
  }
done
if [ -n "${TFREG_BIN:-}" ]; then bin=$(realpath "$TFREG_BIN"); else
  cargo build --release -q -p tfreg-server
  bin=$PWD/target/release/tfreg
fi
work=$(mktemp -d)
# nginx's workers run as nobody when started by root: they must be able to read the files.
chmod 755 "$work"
pid=
nginx_pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

token=tfreg_bench-master-token-0123456789
port=18492; nport=18493; nsport=18494

echo "== building a ${mb} MB provider package (stored, incompressible)"
mkdir -p "$work/www"
zip=$work/www/terraform-provider-big_1.0.0_linux_amd64.zip
big_provider_zip "$zip" "$mb"
size=$(stat -c %s "$zip")
sha=$(sha256sum "$zip" | cut -d' ' -f1)
echo "   $size bytes, sha256 $sha"

start() { # scheme(http|https) extra flags...
  local scheme=$1; shift
  local flags=()
  [ "$scheme" = http ] && flags=(--plain-http)
  TFREG_MASTER_TOKEN=$token TFREG_LOG=warn "$bin" serve --listen "127.0.0.1:$port" \
    --storage "file://$work/store" "${flags[@]}" "$@" >"$work/out" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    grep -q "listening on" "$work/out" 2>/dev/null && break
    sleep 0.05
  done
  grep -q "listening on" "$work/out" || { cat "$work/out" >&2; exit 1; }
  base=$scheme://127.0.0.1:$port
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
mem() { awk -v k="$1" '$1 == k":" {printf "%.0f", $2/1024}' "/proc/$pid/status"; }
cert=$work/store/tls/cert.pem

echo "== publishing acme/big 1.0.0 linux/amd64 (a server with --max-upload-bytes above the size)"
start https --max-upload-bytes $((size + (1 << 20)))
curl -sS --fail-with-body --cacert "$cert" -o /dev/null -X PUT -H "Authorization: Bearer $token" \
  --data-binary @"$zip" "$base/v1/providers/acme/big/1.0.0/linux/amd64?protocols=5.0"
stop

nginx_config "$work" "  sendfile on;
  ssl_protocols TLSv1.2 TLSv1.3;
  server { listen 127.0.0.1:$nport; root $work/www; }
  server {
    listen 127.0.0.1:$nsport ssl http2;
    ssl_certificate $cert;
    ssl_certificate_key $work/store/tls/key.pem;
    root $work/www;
  }"
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5
nginx_pid=$(cat "$work/nginx.pid")

fetch_all() { # url http-version(1.1|2) -> wall seconds; every download checked
  local url=$1 want=$2 flag=--http1.1 i p fail=0 t0 t1 dls=()
  [ "$want" = 2 ] && flag=--http2
  t0=$(date +%s.%N)
  for i in $(seq "$clients"); do
    curl -sS --cacert "$cert" "$flag" --max-time 600 -o /dev/null \
      -w '%{http_code} %{size_download} %{http_version}\n' "$url" >"$work/dl.$i" 2>&1 &
    dls+=($!)
  done
  for p in "${dls[@]}"; do wait "$p" || fail=1; done
  t1=$(date +%s.%N)
  for i in $(seq "$clients"); do
    [ "$(cat "$work/dl.$i")" = "200 $size $want" ] || { fail=1; echo "download $i: $(cat "$work/dl.$i")" >&2; }
  done
  [ $fail = 0 ] || { echo "not every download of $url succeeded (want: 200 $size HTTP/$want)" >&2; exit 1; }
  echo "$t1 - $t0" | bc
}

results=()
round() { # label scheme http-version nginx-port
  local label=$1 scheme=$2 version=$3 nport_=$4
  echo "== $label: $clients concurrent downloads"
  start "$scheme"
  local idle json url got wall peak nwall
  idle=$(mem VmRSS)
  json=$(curl -sS --fail-with-body --cacert "$cert" -H "Authorization: Bearer $token" \
    "$base/v1/providers/acme/big/1.0.0/download/linux/amd64")
  read -r url got < <(python3 -c '
import json, sys, urllib.parse
d = json.loads(sys.argv[2])
print(urllib.parse.urljoin(sys.argv[1], d["download_url"]), d["shasum"])' \
    "$base/v1/providers/acme/big/1.0.0/download/linux/amd64" "$json")
  [ "$got" = "$sha" ] || { echo "the download JSON names shasum $got, not $sha" >&2; exit 1; }
  wall=$(fetch_all "$url" "$version")
  peak=$(mem VmHWM)
  [ "$(curl -sS --cacert "$cert" "$url" | sha256sum | cut -d' ' -f1)" = "$sha" ] ||
    { echo "tfreg served other bytes than the package" >&2; exit 1; }
  stop
  nwall=$(fetch_all "$scheme://127.0.0.1:$nport_/$(basename "$zip")" "$version")
  printf '   tfreg %.2f s, peak RSS %s MB (idle %s MB); nginx %.2f s\n' "$wall" "$peak" "$idle" "$nwall"
  results+=("$label|$wall|$peak|$idle|$nwall")
}
round "plain HTTP/1.1" http 1.1 "$nport"
round "HTTPS HTTP/1.1" https 1.1 "$nsport"
round "HTTPS HTTP/2" https 2 "$nsport"

echo
total=$((size * clients))
echo "== $clients concurrent downloads of one $size-byte provider package ($(echo "$total / 1000000" | bc) MB in all), loopback"
printf '%-16s %10s %10s %14s %12s %10s %10s\n' "" "tfreg s" "tfreg MB/s" "tfreg peak MB" "(idle MB)" "nginx s" "nginx MB/s"
for r in "${results[@]}"; do
  IFS='|' read -r label wall peak idle nwall <<<"$r"
  printf '%-16s %10.2f %10.0f %14s %12s %10.2f %10.0f\n' "$label" "$wall" "$(echo "$total / 1000000 / $wall" | bc -l)" \
    "$peak" "($idle)" "$nwall" "$(echo "$total / 1000000 / $nwall" | bc -l)"
done
echo "tfreg peak = VmHWM of a server process started for that round; nginx: sendfile on (plain), 'auto' workers"
