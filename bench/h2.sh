#!/usr/bin/env bash
# HTTP/2 latency of `tfreg serve` over TLS (what Terraform speaks) beside nginx serving the same
# versions JSON as a static file over TLS with http2 (same certificate, same bytes), in one
# script on this machine (release build, loopback only):
#
#   1. h2load -m1 with 1 and with 64 connections on the versions endpoint of a module with 40
#      versions, over HTTP/2 and over HTTP/1.1 (h2load --h1), for tfreg and for nginx;
#   2. `terraform init` (Terraform 1.11.4, /usr/local/bin/terraform or $TERRAFORM) of a root
#      module with 10 module calls to tfreg, over HTTP/2 (Terraform's default) and over HTTP/1.1
#      (GODEBUG=http2client=0), a fresh .terraform each round, timed with hyperfine.
#
# A small answer that takes ~40 ms over HTTP/2 and ~0.1 ms over HTTP/1.1 is Nagle's algorithm
# meeting delayed ACKs (see NO_DELAY in examples/src/serve.rs). Needs h2load, nginx, hyperfine and
# bc (Debian packages; installed here if missing). Not part of CI.
#
#   bench/h2.sh [seconds-per-h2load-run] [terraform-init-rounds]   (default 10 and 5)
#   TFREG_BIN=/path/to/old/tfreg bench/h2.sh    (measure that binary instead of building this tree)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
secs=${1:-10}
rounds=${2:-5}
tf=${TERRAFORM:-/usr/local/bin/terraform}
for tool in h2load nginx hyperfine curl bc; do
  command -v $tool >/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client nginx-light hyperfine curl bc >/dev/null
    break
  }
done
[ -x "$tf" ] || { echo "no Terraform at $tf (set TERRAFORM)" >&2; exit 1; }
if [ -n "${TFREG_BIN:-}" ]; then bin=$(realpath "$TFREG_BIN"); else
  cargo build --release -q -p tfreg-server
  bin=$PWD/target/release/tfreg
fi
work=$(mktemp -d)
# nginx's workers run as nobody when started by root: they must be able to read the files.
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

token=tfreg_bench-master-token-0123456789
tport=18482; nport=18483

echo "== tfreg serve over TLS (development certificate) on 127.0.0.1:$tport"
TFREG_MASTER_TOKEN=$token TFREG_LOG=warn "$bin" serve --listen "127.0.0.1:$tport" \
  --storage "file://$work/store" >"$work/tfreg.out" 2>&1 &
pids+=($!)
for _ in $(seq 200); do
  grep -q "listening on" "$work/tfreg.out" 2>/dev/null && break
  sleep 0.05
done
grep -q "listening on" "$work/tfreg.out" || { cat "$work/tfreg.out" >&2; exit 1; }
head -n 1 "$work/tfreg.out"
cert=$work/store/tls/cert.pem
key=$work/store/tls/key.pem
export SSL_CERT_FILE=$cert
curl_=(curl -sS --fail-with-body --cacert "$cert" -H "Authorization: Bearer $token")
api=https://127.0.0.1:$tport/v1/modules

echo "== seeding: acme/network/aws with 40 versions, acme/m0..m9/aws with 3 versions each"
publish() { # name version
  printf 'output "version" { value = "%s" }\n' "$2" >"$work/mod/main.tf"
  tar -czf "$work/m.tgz" -C "$work/mod" main.tf
  "${curl_[@]}" -o /dev/null -X PUT --data-binary @"$work/m.tgz" "$api/acme/$1/aws/$2"
}
mkdir -p "$work/mod"
for v in $(seq 0 39); do publish network "1.$v.0"; done
for m in $(seq 0 9); do for v in 0 1 2; do publish "m$m" "1.$v.0"; done; done

versions=$api/acme/network/aws/versions
mkdir -p "$work/www/v1/modules/acme/network/aws"
"${curl_[@]}" "$versions" >"$work/www/v1/modules/acme/network/aws/versions"
size=$(stat -c %s "$work/www/v1/modules/acme/network/aws/versions")
# Like tfreg: TLS 1.3 offered, and no limit on the requests a connection carries (nginx's
# default closes a connection after 1,000, and h2load -D does not reconnect).
nginx_config "$work" "  default_type application/json;
  ssl_protocols TLSv1.2 TLSv1.3;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$nport ssl http2;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    root $work/www;
  }"
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5
pids+=("$(cat "$work/nginx.pid")")
nginx_versions=https://127.0.0.1:$nport/v1/modules/acme/network/aws/versions
cmp -s <("${curl_[@]}" "$nginx_versions") "$work/www/v1/modules/acme/network/aws/versions" ||
  { echo "nginx does not serve the versions file" >&2; cat "$work/nginx.err" >&2; exit 1; }

echo "== h2load -m1 -D${secs}s, 1 thread, on the versions JSON ($size bytes), loopback"
declare -A rps mean proto
h2() { # server url protocol(h2|h1) clients
  local server=$1 url=$2 p=$3 c=$4 flags=() out
  [ "$p" = h1 ] && flags=(--h1)
  out=$(h2load "${flags[@]}" -c"$c" -m1 -t1 -D "$secs" --warm-up-time=1 \
    -H "Authorization: Bearer $token" "$url" 2>&1) || true
  local k=$server.$p.$c
  rps[$k]=$(awk '/^finished in/ {print $4}' <<<"$out")
  mean[$k]=$(awk '/^time for request:/ {print $6}' <<<"$out")
  proto[$k]=$(awk '/^Application protocol:/ {p=$3} /^TLS Protocol:/ {t=$3} END {print p ", " t}' <<<"$out")
  # Every answer must be a 2xx: a benchmark of error answers measures nothing.
  local ok
  ok=$(awk '/^requests:/ {done=$6; good=$8} /^status codes:/ {other=$5 + $7 + $9}
            END {print (done > 0 && good == done && other == 0) ? "yes" : "no"}' <<<"$out")
  if [ "$ok" != yes ]; then
    echo "h2load $server $p -c$c: not every request succeeded:" >&2
    echo "$out" >&2
    exit 1
  fi
  printf '  %-6s %-9s -c%-3s %10s req/s   mean %9s   (ALPN, TLS: %s)\n' \
    "$server" "$([ "$p" = h2 ] && echo HTTP/2 || echo HTTP/1.1)" "$c" "${rps[$k]}" "${mean[$k]}" "${proto[$k]}"
}
for p in h2 h1; do
  for c in 1 64; do
    h2 tfreg "$versions" "$p" "$c"
    h2 nginx "$nginx_versions" "$p" "$c"
  done
done

echo "== terraform init of 10 module calls, $rounds rounds each (hyperfine, fresh .terraform)"
root=$work/root
mkdir -p "$root"
for m in $(seq 0 9); do
  printf 'module "m%s" {\n  source  = "127.0.0.1:%s/acme/m%s/aws"\n  version = "~> 1.0"\n}\n' \
    "$m" "$tport" "$m" >>"$root/main.tf"
done
printf 'credentials "127.0.0.1:%s" {\n  token = "%s"\n}\n' "$tport" "$token" >"$work/terraformrc"
# This script's own CLI config and a plain environment: no plugin cache, no data dir elsewhere,
# no CLI arguments from the environment, and no checkpoint call (traffic stays on 127.0.0.1).
unset TF_CLI_CONFIG_FILE TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_CLI_ARGS TF_CLI_ARGS_init TF_LOG GODEBUG
export TF_CLI_CONFIG_FILE=$work/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
"$tf" version | head -n 1
# One checked round first: it must install the 10 modules, and speak HTTP/2 unless told not to.
check() { # GODEBUG value
  rm -rf "$root/.terraform" "$root/.terraform.lock.hcl"
  (cd "$root" && GODEBUG=$1 TF_LOG=trace TF_LOG_PATH="$work/init.log" "$tf" init -input=false -no-color) \
    >"$work/init.out" 2>&1 || { cat "$work/init.out" >&2; exit 1; }
  [ "$(grep -c "Downloading 127.0.0.1:$tport/acme/m" "$work/init.out")" = 10 ] ||
    { echo "terraform init did not install the 10 modules:" >&2; cat "$work/init.out" >&2; exit 1; }
  grep -c 'http2: Transport creating client conn' "$work/init.log" || true
  rm -f "$work/init.log"
}
h2conns=$(check http2debug=1)
h1conns=$(check http2client=0,http2debug=1)
echo "  HTTP/2 client connections Terraform opened: $h2conns with the default, $h1conns with GODEBUG=http2client=0"
if [ "$h2conns" = 0 ] || [ "$h1conns" != 0 ]; then
  echo "Terraform did not pick the protocol asked for" >&2
  exit 1
fi
(cd "$root" && hyperfine -N --style basic --warmup 1 --runs "$rounds" \
  --prepare 'rm -rf .terraform .terraform.lock.hcl' --export-json "$work/init.json" \
  -n "HTTP/2" "$tf init -input=false" \
  -n "HTTP/1.1" "env GODEBUG=http2client=0 $tf init -input=false" >"$work/hyperfine.out") ||
  { cat "$work/hyperfine.out" >&2; exit 1; }
read -r init_h2 init_h1 < <(python3 - "$work/init.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
f = lambda x: f'{x["mean"]*1000:.0f}ms±{x["stddev"]*1000:.0f}(min:{x["min"]*1000:.0f}ms)'
print(f(r["HTTP/2"]), f(r["HTTP/1.1"]))
PY
)

echo
echo "== summary: tfreg (TLS, $(grep -o 'tfreg [0-9.]*' "$work/tfreg.out" | head -n 1)) beside nginx, versions JSON of $size bytes"
printf '%-30s %12s %12s %10s %12s %12s\n' "h2load -m1, ${secs}s" "tfreg req/s" "nginx req/s" "of nginx" "tfreg mean" "nginx mean"
for p in h2 h1; do
  for c in 1 64; do
    t=${rps[tfreg.$p.$c]}; n=${rps[nginx.$p.$c]}
    printf '%-30s %12s %12s %9.1f%% %12s %12s\n' "  $([ "$p" = h2 ] && echo HTTP/2 || echo HTTP/1.1) -c$c" \
      "$t" "$n" "$(echo "100 * $t / $n" | bc -l)" "${mean[tfreg.$p.$c]}" "${mean[nginx.$p.$c]}"
  done
done
printf '%-30s %s\n' "terraform init, 10 modules" "mean±sd (min), $rounds rounds"
printf '%-30s %s\n' "  HTTP/2 (default)" "$init_h2"
printf '%-30s %s\n' "  HTTP/1.1 (http2client=0)" "$init_h1"
