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
echo "== mypy --strict aigate_setup" >&2
mypy --strict aigate_setup
echo "== pytest" >&2
python -m pytest "$@"
