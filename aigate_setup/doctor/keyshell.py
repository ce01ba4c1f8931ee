"""Doctor and the kept key: `env.key_file` (the 0600 key file), `env.shell_profile` (the startup
blocks that load it), and the key doctor uses when the variable is not set in its own shell.

A key kept by `--save-key` is what new terminals (through the startup block), Claude Code's key
helper and the OpenCode/Kilo `{file:...}` references read, so doctor uses it for its live checks
when the key variable is unset, and reports an unset variable as a warning, not a failure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from aigate_setup import keyfile, paths, shells
from aigate_setup.findings import Check
from aigate_setup.options import DoctorOptions
from aigate_setup.secrets import mask_key

KEY_FILE = "env.key_file", "Kept key file"
SHELL_PROFILE = "env.shell_profile", "Key in new terminals"


def with_kept_key(opts: DoctorOptions) -> DoctorOptions:
    """`opts` whose key falls back to the kept key file when the variable is unset."""
    if opts.common.key() is not None:
        return opts
    kept = keyfile.read()
    if kept.key is None:
        return opts
    return replace(opts, common=opts.common._replace(kept_key=kept.key))


def environment(checks: list[Check], opts: DoctorOptions) -> list[Check]:
    """The environment checks with env.key softened when the key is kept, and env.key_file and
    env.shell_profile after env.key_format."""
    kept = keyfile.read()
    var = opts.common.key_env
    out: list[Check] = []
    for c in checks:
        if c.id == "env.key" and c.status == "fail" and kept.key is not None:
            detail = (
                f"{c.detail} in this shell; {paths.display(kept.path)} holds your key "
                f"({mask_key(kept.key)}), which new terminals with the startup block, Claude "
                "Code's key helper and OpenCode/Kilo read"
            )
            hint = f'export {var}="$(cat {paths.display(kept.path)})" for this shell'
            c = c._replace(status="warn", detail=detail, hint=hint)
        out.append(c)
        if c.id == "env.key_format":
            out += [key_file_check(kept, var), shell_profile_check(kept, var)]
    return out


def key_file_check(kept: keyfile.Kept, var: str, environ: Mapping[str, str] | None = None) -> Check:
    cid, title = KEY_FILE
    shown = paths.display(kept.path)
    if kept.key is None:
        if kept.problem == "does not exist":
            return Check(cid, "skip", title, f"no key kept ({shown} does not exist)")
        hint = f"keep it again: aigate-setup init --save-key (with ${var} set)"
        return Check(cid, "fail", title, f"{shown} {kept.problem}", hint)
    if kept.loose:
        detail = f"{shown} can be read by others (mode {kept.mode or 0:04o})"
        return Check(cid, "fail", title, detail, f"chmod 600 {shown}")
    current = (os.environ if environ is None else environ).get(var, "").strip()
    if current and current != kept.key:
        detail = (
            f"{shown} holds {mask_key(kept.key)}, but ${var} is {mask_key(current)}: new "
            "terminals, IDEs and Claude Code's helper use the file"
        )
        hint = "keep the current one: aigate-setup init --save-key"
        return Check(cid, "warn", title, detail, hint)
    return Check(cid, "pass", title, f"{shown} holds {mask_key(kept.key)}, mode 0600")


def shell_profile_check(kept: keyfile.Kept, var: str) -> Check:
    """Each shell the user has loads the env file from its startup file."""
    cid, title = SHELL_PROFILE
    found = shells.detected()
    with_block: list[tuple[shells.Shell, Path]] = []
    without: list[tuple[shells.Shell, Path]] = []
    for shell in found:
        for path in shell.startup:
            (with_block if shells.block_in(path)[0] else without).append((shell, path))
    if not with_block:
        if kept.key is None:
            return Check(cid, "skip", title, "no key kept and no startup block")
        files = ", ".join(paths.display(p) for _, p in without) or "no shell found"
        detail = f"new terminals do not set ${var}: no aigate-setup block in {files}"
        return Check(cid, "warn", title, detail, "aigate-setup init --shell-profile")
    missing_env = sorted({s.env_file for s, _ in with_block if not s.env_file.is_file()})
    if missing_env:
        detail = f"the startup block loads {paths.display(missing_env[0])}, which is missing"
        return Check(cid, "fail", title, detail, "aigate-setup init --shell-profile")
    have = ", ".join(paths.display(p) for _, p in with_block)
    if kept.key is None:
        detail = f"the block in {have} has no key file to load ({paths.display(kept.path)})"
        return Check(cid, "warn", title, detail, f"aigate-setup init --save-key (with ${var} set)")
    if without:
        rest = ", ".join(paths.display(p) for _, p in without)
        detail = f"block in {have}; none in {rest}"
        return Check(cid, "warn", title, detail, "aigate-setup init --shell-profile")
    return Check(cid, "pass", title, f"sets ${var} from the key file (block in {have})")
