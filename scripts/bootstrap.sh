#!/usr/bin/env bash
# Create .venv with Python >= 3.12 and install canal with what a task needs.
# usage: scripts/bootstrap.sh demo|test
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-demo}"

find_python() {
  for c in python3.13 python3.12 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  # pyenv keeps versions that its shims refuse to run without being selected
  for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*; do
    for exe in "$d"/bin/python3.1[2-9]; do
      if [ -x "$exe" ]; then echo "$exe"; return 0; fi
    done
  done
  echo "canal needs Python >= 3.12 (none found on PATH or in pyenv)" >&2
  return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
  rm -rf .venv
  "$(find_python)" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
if [ "$want" = "test" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v '^WARNING: Location' || true
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -e . 2>&1 | grep -v '^WARNING: Location' || true
fi
.venv/bin/python -c 'import canal' || { echo "installing canal failed" >&2; exit 1; }
