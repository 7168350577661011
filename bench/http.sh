#!/usr/bin/env bash
# HTTP benchmark of tfreg's hot paths beside nginx serving the same versions JSON as a static
# file, in one script on this machine (plain HTTP, loopback, wrk with 64 connections). Also
# prints tfreg's start-up time and idle RSS, and the versions path with a catalogue of 10,000
# modules. Needs wrk and nginx (Debian packages; installed here if missing). Not part of CI.
#
#   bench/http.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
secs=${1:-10}
for tool in wrk nginx curl; do
  command -v $tool >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light curl >/dev/null; break; }
done
cargo build --release -q -p tfreg-server
bin=target/release/tfreg
work=$(mktemp -d)
# nginx's workers run as nobody: they must be able to read the static baseline.
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

token=tfreg_bench-master-token-0123456789
tport=18480; nport=18481
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$1/status; }

start_tfreg() {
  # Time from exec to the first accepted TCP connection, polled in-process (no curl start-up).
  read -r tfreg_pid ms < <(python3 - "$bin" "$tport" "$work" "$token" <<'PY'
import os, socket, subprocess, sys, time
binary, port, work, token = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
env = dict(os.environ, TFREG_MASTER_TOKEN=token, TFREG_LOG="warn")
out = open(os.path.join(work, "tfreg.out"), "w")
t0 = time.perf_counter()
p = subprocess.Popen([binary, "serve", "--plain-http", "--listen", f"127.0.0.1:{port}",
                      "--storage", f"file://{work}/store"], env=env, stdout=out, stderr=out, start_new_session=True)
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
        break
    except OSError:
        time.sleep(0.0005)
print(p.pid, round((time.perf_counter() - t0) * 1000, 1))
PY
)
  pids+=($tfreg_pid)
  echo "tfreg start-up: $ms ms from exec to the first accepted connection; it reports $(grep -o 'ready in [0-9.]* ms' "$work/tfreg.out")"
}

run() { # name url [header]
  local name=$1 url=$2; shift 2
  local out
  out=$(wrk -t2 -c64 -d"${secs}s" --latency "$@" "$url")
  # A baseline or path that answers errors measures nothing: stop.
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "bench/http.sh: $name answered errors: $(grep 'Non-2xx' <<<"$out")" >&2
    exit 1
  fi
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '  %-44s %12s req/s   p50 %-9s p99 %-9s\n' "$name" "$rps" "$p50" "$p99"
  echo "$rps" >"$work/last"
}

echo "== start-up and idle memory"
start_tfreg
sleep 1
echo "tfreg idle RSS: $(rss $tfreg_pid)"

echo "== seeding: module acme/network/aws with 20 versions"
mod="$work/mod"; mkdir -p "$mod"
for v in $(seq 0 19); do
  printf 'output "version" { value = "1.%s.0" }\n' "$v" >"$mod/main.tf"
  tar -czf "$work/m.tgz" -C "$mod" main.tf
  curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $token" --data-binary @"$work/m.tgz" \
    "http://127.0.0.1:$tport/v1/modules/acme/network/aws/1.$v.0"
done

mkdir -p "$work/www/v1/modules/acme/network/aws"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$tport/v1/modules/acme/network/aws/versions" \
  >"$work/www/v1/modules/acme/network/aws/versions"
nginx_config "$work" "  default_type application/json;
  server { listen 127.0.0.1:$nport; root $work/www; }"
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5
pids+=($(cat "$work/nginx.pid"))

auth=(-H "Authorization: Bearer $token")
rounds=${ROUNDS:-3}
echo "== wrk -t2 -c64 -d${secs}s, same machine, plain HTTP on loopback; $rounds interleaved rounds, median shown"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A results
targets=(
  "nginx: static versions file (baseline)|http://127.0.0.1:$nport/v1/modules/acme/network/aws/versions|"
  "tfreg: discovery|http://127.0.0.1:$tport/.well-known/terraform.json|"
  "tfreg: versions (token)|http://127.0.0.1:$tport/v1/modules/acme/network/aws/versions|auth"
  "tfreg: download (token, signed link)|http://127.0.0.1:$tport/v1/modules/acme/network/aws/1.7.0/download|auth"
)
for round in $(seq "$rounds"); do
  for t in "${targets[@]}"; do
    IFS='|' read -r name url needs <<<"$t"
    if [ -n "$needs" ]; then line=$(run "$name" "$url" "${auth[@]}"); else line=$(run "$name" "$url"); fi
    results["$name"]+="$(cat "$work/last") "
    results["$name.lines"]+="$line"$'\n'
  done
done
for t in "${targets[@]}"; do
  IFS='|' read -r name _ _ <<<"$t"
  m=$(tr ' ' '\n' <<<"${results[$name]}" | grep . | median)
  grep -F "$m" <<<"${results[$name.lines]}" | head -n 1
  results["$name.median"]=$m
done
base=${results["nginx: static versions file (baseline)".median]}
d=${results["tfreg: discovery".median]}
v=${results["tfreg: versions (token)".median]}
dl=${results["tfreg: download (token, signed link)".median]}
echo "tfreg RSS after load: $(rss $tfreg_pid)"

echo "== catalogue of 10,000 modules (index objects written straight into the store's folder)"
python3 - "$work/store" <<'PY'
import json, os, sys
root = sys.argv[1]
for m in range(10000):
    d = os.path.join(root, "modules", "acme", f"m{m}", "aws")
    os.makedirs(d, exist_ok=True)
    versions = [{"version": f"1.{v}.0", "sha256": "0"*64, "size": 100, "published_at": "2026-01-01T00:00:00Z", "published_by": "bench"} for v in range(19, -1, -1)]
    with open(os.path.join(d, "index.json"), "w") as f:
        json.dump({"namespace": "acme", "name": f"m{m}", "system": "aws", "versions": versions}, f)
PY
cat >"$work/spread.lua" <<LUA
request = function()
  return wrk.format("GET", "/v1/modules/acme/m" .. math.random(0, 9999) .. "/aws/versions", {["Authorization"] = "Bearer $token"})
end
LUA
run "tfreg: versions, one of 10,000 modules" "http://127.0.0.1:$tport/v1/modules/acme/network/aws/versions" "${auth[@]}"
v10k=$(cat "$work/last")
run "tfreg: versions, random among 10,000" "http://127.0.0.1:$tport/" -s "$work/spread.lua"
echo "tfreg RSS with 10,000 modules cached: $(rss $tfreg_pid)"

echo "== ratios to nginx-static ($base req/s)"
for pair in "discovery:$d" "versions:$v" "download:$dl" "versions@10k:$v10k"; do
  name=${pair%%:*}; val=${pair#*:}
  python3 -c "print(f'  {\"$name\":<14} {float(\"$val\")/float(\"$base\")*100:6.1f} % of nginx-static')"
done
