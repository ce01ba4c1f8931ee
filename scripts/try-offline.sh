#!/usr/bin/env bash
# Try aigate-setup with no key and no network: the bundled fake AIGate gateway on 127.0.0.1,
# and a throwaway HOME so your real configs are never touched.
# Usage: scripts/try-offline.sh   (after `pip install .`, or inside the repo's .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] && PY=.venv/bin/python
CLI=("$PY" -m aigate_setup)

sandbox="$(mktemp -d -t aigate-try.XXXXXX)"
port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$PY" -m aigate_setup.testing --port "$port" --quiet >"$sandbox/gateway.log" 2>&1 &
gw=$!
trap 'kill "$gw" 2>/dev/null || true; wait "$gw" 2>/dev/null || true' EXIT

export HOME="$sandbox/home" XDG_CONFIG_HOME="$sandbox/home/.config" \
  XDG_STATE_HOME="$sandbox/home/.local/state" XDG_CACHE_HOME="$sandbox/home/.cache" \
  CODEX_HOME="$sandbox/home/.codex"
export AIGATE_BASE_URL="http://127.0.0.1:$port/v1" AIGATE_API_KEY="sk-offline-demo"
mkdir -p "$HOME"
for _ in $(seq 50); do
  "$PY" -c "import urllib.request; urllib.request.urlopen('$AIGATE_BASE_URL/models', timeout=1)" 2>/dev/null && break
  sleep 0.1
done

run() { printf '\n$ aigate-setup %s\n' "$*"; "${CLI[@]}" "$@"; }
run models --kind chat
run init --yes --model openai/gpt-5.5
run doctor --client codex --client opencode --client kilo --client claude || true
run check "$XDG_CONFIG_HOME" "$CODEX_HOME" || true
printf '\nEverything above was written under %s (delete it when done).\n' "$sandbox"
