#!/usr/bin/env python3
"""Regenerate the root-key lists of OpenCode and Kilo (rule AIG034) from the installed binaries.

Usage: python scripts/gen_known_keys.py [--bin DIR] [--check]

Both clients validate their config with a schema compiled into the binary (the one they
publish as https://opencode.ai/config.json and https://app.kilo.ai/config.json). The binary is
the oracle: every candidate key (each `name:X.optional(` of the schema code in the binary, plus
the current list) is written into a sandboxed user config with a value no setting accepts
(`[[[]]]`), and `<client> debug config` names exactly the keys it knows ("Expected ..., got
[[[]]] <key>", or a path below the key); unknown keys are dropped without a word. The result goes to
aigate_setup/clients/data/<client>-root-keys.json with the client's version, so a client upgrade
makes tests/test_rules_known_keys.py fail until this script is run again.

--check compares instead of writing (exit 1 on a difference). Nothing here touches the real
home or the network: HOME and XDG_* point at a temp dir and model fetches are off.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "aigate_setup" / "clients" / "data"
_CANDIDATE = re.compile(rb'(?<![\w$"])"?([A-Za-z_$][\w$]{0,60})"?:[\w$]{1,3}\.optional\(')
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# "↳ Expected string, got [[]] enabled_providers.0" / "↳ Missing key plugin.0.1": the root key
# is the first segment of the path.
_KNOWN = re.compile(r"(?:got \S+|Missing key) ([^\s.]+)\S*\s*$")
SENTINEL: list[list[list[object]]] = [[[]]]


@dataclass(frozen=True)
class Client:
    name: str
    command: str  # the file in the bin directory
    package_dir: str  # under node_modules: where the real binary lives
    config: str  # the user config file, relative to XDG_CONFIG_HOME
    env: tuple[tuple[str, str], ...]


CLIENTS = (
    Client(
        "opencode",
        "opencode",
        "opencode-linux-x64/bin/opencode",
        "opencode/opencode.json",
        (("OPENCODE_DISABLE_MODELS_FETCH", "1"), ("OPENCODE_DISABLE_AUTOUPDATE", "1")),
    ),
    Client(
        "kilo",
        "kilo",
        "@kilocode/cli-linux-x64/bin/kilo",
        "kilo/kilo.json",
        (
            ("KILO_TELEMETRY_LEVEL", "off"),
            ("KILO_DISABLE_MODELS_FETCH", "1"),
            ("KILO_DISABLE_AUTOUPDATE", "1"),
        ),
    ),
)


def data_file(client: str) -> Path:
    return DATA / f"{client}-root-keys.json"


def stored(client: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(data_file(client).read_text(encoding="utf-8"))
    return data


def candidates(binary: Path) -> set[str]:
    """Every `key:X.optional(` in the binary's schema code (root and nested alike)."""
    found = {m.group(1).decode() for m in _CANDIDATE.finditer(binary.read_bytes())}
    found.add("$schema")
    return found


def _env(root: Path, client: Client) -> dict[str, str]:
    home = root / "home"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "NO_COLOR": "1",
        **dict(client.env),
    }


def accepted(bin_dir: Path, client: Client, keys: set[str]) -> set[str]:
    """The keys among `keys` that the installed client knows at the root of its config."""
    with tempfile.TemporaryDirectory(prefix="aigate-keys-") as tmp:
        root = Path(tmp)
        config = root / "home" / ".config" / client.config
        config.parent.mkdir(parents=True)
        config.write_text(json.dumps(dict.fromkeys(sorted(keys), SENTINEL)), encoding="utf-8")
        work = root / "work"
        work.mkdir()
        proc = subprocess.run(
            [str(bin_dir / client.command), "debug", "config"],
            cwd=work,
            env=_env(root, client),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
            check=False,
        )
    out = _ANSI.sub("", proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace"))
    known = {m.group(1) for line in out.splitlines() if (m := _KNOWN.search(line))}
    if not known:
        raise RuntimeError(f"{client.name} debug config named no key; output:\n{out[-2000:]}")
    return known & keys


def version(bin_dir: Path, client: Client) -> str:
    proc = subprocess.run(
        [str(bin_dir / client.command), "--version"],
        capture_output=True,
        timeout=60,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return proc.stdout.decode().strip().split()[-1]


def generate(bin_dir: Path, client: Client) -> dict[str, object]:
    modules = bin_dir.parent
    binary = (modules / client.package_dir).resolve()
    previous: set[str] = set()
    if data_file(client.name).exists():
        keys = stored(client.name)["keys"]
        assert isinstance(keys, list)
        previous = set(keys)
    keys = accepted(bin_dir, client, candidates(binary) | previous)
    return {
        "client": client.name,
        "version": version(bin_dir, client),
        "generated_by": "scripts/gen_known_keys.py (the installed binary's `debug config`)",
        "keys": sorted(keys),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_bin = os.environ.get("AIGATE_CLIENTS_BIN") or str(REPO / ".clients/node_modules/.bin")
    ap.add_argument("--bin", default=default_bin, help="the bin dir of the installed clients")
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    args = ap.parse_args()
    bin_dir = Path(args.bin)
    status = 0
    for client in CLIENTS:
        data = generate(bin_dir, client)
        text = json.dumps(data, indent=2) + "\n"
        path = data_file(client.name)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path.relative_to(REPO)} is stale: run scripts/gen_known_keys.py")
                status = 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)} ({len(data['keys'])} keys)")  # type: ignore[arg-type]
    return status


if __name__ == "__main__":
    sys.exit(main())
