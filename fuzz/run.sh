#!/usr/bin/env bash
# Builds the fuzz targets and runs each for SECONDS, one after the other, at the lowest CPU
# priority, then prints one line per target: executions, executions per second, corpus size and
# crashes found.
#
#   fuzz/run.sh SECONDS [TARGET...]     (every target of `cargo fuzz list` by default)
#
# Each target runs on a scratch copy of its committed seed corpus (fuzz/corpus/TARGET), so the
# committed corpus never grows; the copy is removed afterwards. Crash, timeout and out-of-memory
# reproducers go to fuzz/artifacts/TARGET/, with the run's log (run.log). Needs the nightly
# toolchain; installs cargo-fuzz when it is missing. Environment: FUZZ_ARGS adds libFuzzer
# options (e.g. FUZZ_ARGS=-max_len=65536), NICE sets the priority of the runs (default 19).
set -euo pipefail

usage() {
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
}
[[ $# -ge 1 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
seconds=$1
shift

cd "$(dirname "$0")/.."
root=$(pwd)

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "$0: the nightly toolchain is needed (rustup toolchain install nightly)" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    nice -n 10 cargo install cargo-fuzz --locked
fi

all=$(cargo +nightly fuzz list)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets <<<"$all"
fi
for target in "${targets[@]}"; do
    grep -qx "$target" <<<"$all" || { echo "$0: no fuzz target $target (have: ${all//$'\n'/ })" >&2; exit 2; }
done

if [[ $# -eq 0 ]]; then
    nice -n 10 cargo +nightly fuzz build
else
    for target in "${targets[@]}"; do
        nice -n 10 cargo +nightly fuzz build "$target"
    done
fi
bin_dir="$root/fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The value of one of libFuzzer's final `stat::NAME: VALUE` lines in a log.
stat() {
    sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

summary=()
for target in "${targets[@]}"; do
    corpus="$scratch/$target"
    artifacts="$root/fuzz/artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    if [[ -d fuzz/corpus/$target ]]; then
        cp -R "fuzz/corpus/$target/." "$corpus/"
    elif [[ -f fuzz/corpus/$target.txt ]]; then
        # A text seed list (one input a line, # comments): one seed file per line.
        grep -v '^#' "fuzz/corpus/$target.txt" |
            awk -v d="$corpus" 'NF { f = sprintf("%s/seed-%03d", d, NR); printf "%s", $0 > f; close(f) }'
    fi
    log="$artifacts/run.log"
    before=$(find "$artifacts" -type f ! -name run.log | wc -l)
    echo "== $target: ${seconds}s, $(find "$corpus" -type f | wc -l) seeds, log in ${log#"$root"/}" >&2
    started=$(date +%s)
    status=0
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
    nice -n "${NICE:-19}" "$bin_dir/$target" "$corpus" -max_total_time="$seconds" -print_final_stats=1 \
        -timeout=10 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - started))
    found=$(($(find "$artifacts" -type f ! -name run.log | wc -l) - before))
    if [[ $status -ne 0 && $found -eq 0 ]]; then
        echo "$0: $target exited with status $status and no reproducer; see $log" >&2
    fi
    summary+=("$(printf '%-20s %8s %14s %10s %8s %8s' "$target" "$elapsed" \
        "$(stat number_of_executed_units "$log")" "$(stat average_exec_per_sec "$log")" \
        "$(find "$corpus" -type f | wc -l)" "$found")")
done

printf '%-20s %8s %14s %10s %8s %8s\n' target seconds executions exec/s corpus crashes
printf '%s\n' "${summary[@]}"
