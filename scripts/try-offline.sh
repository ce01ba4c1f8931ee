#!/usr/bin/env bash
# Try aigate-setup with no key and no network: the bundled fake AIGate gateway on 127.0.0.1,
# and a throwaway HOME so your real configs are never touched.
# Usage: scripts/try-offline.sh                 the scripted tour (models, init --yes, doctor, check)
#        scripts/try-offline.sh --interactive   the wizard itself, in this terminal
# (after `pipx install .` / `uv tool install .`, or inside the repo's .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=tour
case "${1:-}" in
  -i | --interactive) mode=wizard ;;
  "") ;;
  -h | --help) sed -n '2,6p' "$0"; exit 0 ;;
  *) echo "usage: scripts/try-offline.sh [--interactive]" >&2; exit 2 ;;
esac
PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] && PY=.venv/bin/python
CLI=("$PY" -m aigate_setup)

sandbox="$(mktemp -d -t aigate-try.XXXXXX)"
port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$PY" -m aigate_setup.testing --port "$port" --quiet >"$sandbox/gateway.log" 2>&1 &
gw=$!
trap 'kill "$gw" 2>/dev/null || true; wait "$gw" 2>/dev/null || true' EXIT

# Everything aigate-setup reads or writes lives under the sandbox: the wizard pointed at the
# fake gateway would otherwise write 127.0.0.1 URLs into your real configs.
export HOME="$sandbox/home" XDG_CONFIG_HOME="$sandbox/home/.config" \
  XDG_STATE_HOME="$sandbox/home/.local/state" XDG_CACHE_HOME="$sandbox/home/.cache" \
  CODEX_HOME="$sandbox/home/.codex" USERPROFILE="$sandbox/home"
unset CLAUDE_CONFIG_DIR ZDOTDIR
export AIGATE_BASE_URL="http://127.0.0.1:$port/v1"
mkdir -p "$HOME"
for _ in $(seq 50); do
  "$PY" -c "import urllib.request; urllib.request.urlopen('$AIGATE_BASE_URL/models', timeout=1)" 2>/dev/null && break
  sleep 0.1
done

if [ "$mode" = wizard ]; then
  unset AIGATE_API_KEY
  printf 'The wizard against the fake gateway at %s.\n' "$AIGATE_BASE_URL"
  printf 'Any key that starts with sk- works (try "hello" to see a rejected one).\n'
  printf 'Files go to the throwaway HOME %s, never to your own.\n\n' "$HOME"
  "${CLI[@]}" init || true
  printf '\nEverything was written under %s (delete it when done). Look around with:\n' "$sandbox"
  printf '  HOME=%s %s -m aigate_setup restore --list\n' "$HOME" "$PY"
  exit 0
fi

export AIGATE_API_KEY="sk-offline-demo"
run() { printf '\n$ aigate-setup %s\n' "$*"; "${CLI[@]}" "$@"; }
run models --kind chat
run init --yes --model openai/gpt-5.5
run doctor --client codex --client opencode --client kilo --client claude || true
run check "$XDG_CONFIG_HOME" "$CODEX_HOME" || true
printf '\nEverything above was written under %s (delete it when done).\n' "$sandbox"
