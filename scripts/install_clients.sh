#!/usr/bin/env bash
# Install the pinned coding clients used by the end-to-end tests.
#
# Usage: scripts/install_clients.sh
#   AIGATE_CLIENTS_DIR  install prefix (default: <repo>/.clients, git-ignored)
#
# Idempotent: when every pinned version is already installed it does nothing (no network).
# The last line of stdout is always the bin directory holding codex, opencode, claude, kilo,
# qwen, cn and aider (Aider lives in its own venv, <prefix>/aider-venv, linked into that directory).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${AIGATE_CLIENTS_DIR:-$REPO/.clients}"
BIN="$DIR/node_modules/.bin"

# package@version and the command each one provides: the versions CONTRIBUTING.md lists as tested
# ("End-to-end tests with the real clients"); @kilocode/cli 7.8.x lacks platform packages.
PACKAGES=(
  "@openai/codex@0.169.0:codex"
  "opencode-ai@1.18.33:opencode"
  "@anthropic-ai/claude-code@2.1.197:claude"
  "@kilocode/cli@7.7.7:kilo"
  "@qwen-code/qwen-code@0.24.4:qwen"
  "@continuedev/cli@1.5.47:cn"
)
# Libraries the tests load with node (no command): Microsoft's jsonc-parser, the JSONC parser of
# OpenCode and Kilo, for the differential test of aigate_setup/merge/jsonc.
LIBRARIES=(
  "jsonc-parser@3.3.1"
)

die() {
  echo "install_clients: $1" >&2
  [ $# -gt 1 ] && echo "hint: $2" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || die "node is not installed" "install Node.js 20 or newer"
command -v npm >/dev/null 2>&1 || die "npm is not installed" "install Node.js 20 or newer (it ships npm)"

installed_version() {
  # Prints the installed version of package $1 under $DIR, or nothing.
  local pj="$DIR/node_modules/$1/package.json"
  [ -f "$pj" ] || return 0
  node -e 'process.stdout.write(String(require(process.argv[1]).version || ""))' "$pj" 2>/dev/null || true
}

missing=()
for entry in "${PACKAGES[@]}"; do
  spec="${entry%%:*}"
  cmd="${entry##*:}"
  name="${spec%@*}"
  want="${spec##*@}"
  have="$(installed_version "$name")"
  if [ "$have" != "$want" ] || [ ! -x "$BIN/$cmd" ]; then
    missing+=("$spec")
  fi
done

for spec in "${LIBRARIES[@]}"; do
  if [ "$(installed_version "${spec%@*}")" != "${spec##*@}" ]; then
    missing+=("$spec")
  fi
done

# Aider is a Python program: it gets its own venv under the prefix and a link in $BIN.
# Runs after npm (npm may rebuild $BIN) and on every call, so a lost link comes back.
AIDER_SPEC="aider-chat==0.86.2"
AIDER_VENV="$DIR/aider-venv"
install_aider() {
  local want="${AIDER_SPEC##*==}" have=""
  if [ -x "$AIDER_VENV/bin/aider" ]; then
    have="$("$AIDER_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("aider-chat"))' 2>/dev/null || true)"
  fi
  if [ "$have" != "$want" ]; then
    echo "install_clients: installing $AIDER_SPEC into $AIDER_VENV" >&2
    command -v python3 >/dev/null 2>&1 || die "python3 is not installed" "install Python 3.10-3.12 for Aider"
    [ -d "$AIDER_VENV" ] || python3 -m venv "$AIDER_VENV" >&2 || die "cannot create $AIDER_VENV" "install python3-venv"
    timeout 900 "$AIDER_VENV/bin/python" -m pip install -q --disable-pip-version-check "$AIDER_SPEC" >&2 \
      || die "pip install $AIDER_SPEC failed" "see the pip output above; retry scripts/install_clients.sh"
  fi
  mkdir -p "$BIN"
  if [ "$(readlink "$BIN/aider" 2>/dev/null)" != "$AIDER_VENV/bin/aider" ]; then
    ln -sfn "$AIDER_VENV/bin/aider" "$BIN/aider"
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  install_aider
  echo "install_clients: all pinned clients already installed in $DIR" >&2
  echo "$BIN"
  exit 0
fi

echo "install_clients: installing ${missing[*]} into $DIR" >&2
REGISTRY="$(npm config get registry 2>/dev/null | tail -n 1)"
if ! timeout 60 npm ping >/dev/null 2>&1; then
  die "cannot reach the npm registry ($REGISTRY); the end-to-end tests need the real clients" \
    "check the network or proxy (HTTPS_PROXY) or set npm's registry, then run scripts/install_clients.sh again"
fi

mkdir -p "$DIR"
if [ ! -f "$DIR/package.json" ]; then
  printf '{\n  "name": "aigate-setup-clients",\n  "private": true\n}\n' >"$DIR/package.json"
fi

specs=()
for entry in "${PACKAGES[@]}"; do
  specs+=("${entry%%:*}")
done
specs+=("${LIBRARIES[@]}")
# Install the whole pinned set at once so npm keeps a consistent tree; scripts must run
# (the clients fetch or select their platform binaries in postinstall).
if ! timeout 900 npm install --prefix "$DIR" --save-exact --no-audit --no-fund \
  --loglevel=error "${specs[@]}" >&2; then
  die "npm install failed for ${specs[*]}" "see the npm output above; retry scripts/install_clients.sh"
fi

for entry in "${PACKAGES[@]}"; do
  spec="${entry%%:*}"
  cmd="${entry##*:}"
  name="${spec%@*}"
  want="${spec##*@}"
  have="$(installed_version "$name")"
  [ "$have" = "$want" ] || die "$name is $have after install, expected $want" "remove $DIR and retry"
  [ -x "$BIN/$cmd" ] || die "$cmd is missing from $BIN after install" "remove $DIR and retry"
done

for spec in "${LIBRARIES[@]}"; do
  have="$(installed_version "${spec%@*}")"
  [ "$have" = "${spec##*@}" ] || die "${spec%@*} is $have after install, expected ${spec##*@}" "remove $DIR and retry"
done

install_aider
echo "install_clients: installed into $DIR" >&2
echo "$BIN"
