# Sourced by the scripts that run a Python tool from PyPI: `venv NAME IMPORTS SPEC` makes
# .cache/venv-NAME hold SPEC (a pip requirement) unless `import IMPORTS` works there already,
# and prints the venv's path.
venv() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/venv-$1"
  if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c "import $2" 2>/dev/null; then
    python3 -m venv "$dir" >&2
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$3" >&2
  fi
  echo "$dir"
}
