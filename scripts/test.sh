#!/usr/bin/env bash
# The whole test suite from a fresh clone: venv, install, lint, types, tests.
# Usage: scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${AIGATE_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
export PATH="$PWD/$VENV/bin:$PATH"
echo "== ruff check" >&2
ruff check .
echo "== ruff format --check" >&2
ruff format --check .
echo "== mypy --strict (package and tests; Python 3.11 and 3.10)" >&2
mypy --strict aigate_setup tests scripts
mypy --strict --python-version 3.10 aigate_setup
echo "== install the pinned coding clients (end-to-end tests)" >&2
# The e2e tests (pytest marker e2e) run the real clients; they FAIL with the reason when the
# install did not work, so a failed install does not stop the rest of the suite here.
if CLIENTS_OUT="$(bash scripts/install_clients.sh)"; then
  # Not put on PATH: other tests must not see real clients (the wizard preselects found ones).
  export AIGATE_CLIENTS_BIN="${CLIENTS_OUT##*$'\n'}"
else
  export AIGATE_CLIENTS_INSTALL_FAILED=1
fi
echo "== pytest" >&2
python -m pytest "$@"

# Python 3.10 is supported (requires-python >= 3.10): run the suite (without the real clients)
# on it too when this machine has a 3.10 interpreter, in its own venv.
py310=""
for cand in python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
  if "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    py310="$cand"
    break
  fi
done
if [ -n "$py310" ]; then
  echo "== pytest on Python 3.10 ($py310)" >&2
  VENV310="${VENV}-py310"
  [ -x "$VENV310/bin/python" ] || "$py310" -m venv "$VENV310"
  "$VENV310/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  "$VENV310/bin/python" -m pytest -m "not e2e" -q -p no:cacheprovider
else
  echo "== no Python 3.10 interpreter here: the 3.10 run is skipped (mypy still checks 3.10)" >&2
fi
