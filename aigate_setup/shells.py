"""`--shell-profile`: a managed block in the startup file of each shell the user has, loading one
aigate-owned env file that sets the key variable from the kept key file when it is unset.

Startup files (the block, between `# >>> aigate-setup >>>` and `# <<< aigate-setup <<<`):
bash `~/.bashrc` (on macOS also the login file: `~/.bash_profile`, else an existing
`~/.bash_login` or `~/.profile`, because Terminal.app starts login shells and bash reads only the
first of those three that exists: creating `~/.bash_profile` next to a `~/.profile` would hide
it), zsh `${ZDOTDIR:-~}/.zshrc`, fish `$XDG_CONFIG_HOME/fish/conf.d/aigate.fish` (fish reads
every file there), PowerShell 7 `$PROFILE` (CurrentUserCurrentHost) and, on Windows, Windows
PowerShell 5.1's. Env files (owned whole): `~/.config/aigate/env.sh`, `env.fish`, `env.ps1`.

A shell counts as one "the user has" when its startup file exists, its binary is on PATH, or it
is the login shell ($SHELL). `$PROFILE` is computed, never asked of `pwsh` (a missing or slow
pwsh must not stall init): `$XDG_CONFIG_HOME/powershell/` (default `~/.config/powershell/`) on
Linux and macOS, the Documents folder (the registry's `Personal` shell folder, which OneDrive may
redirect; else `~/Documents`) plus `PowerShell` or `WindowsPowerShell` on Windows.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from aigate_setup import paths
from aigate_setup.errors import ConfigError, ParseError

if TYPE_CHECKING:
    from aigate_setup.fsio import FileChange

Flavor = Literal["sh", "fish", "ps1"]
CLIENT = "aigate"  # the `client` of every FileChange here
PROFILE_NAME = "Microsoft.PowerShell_profile.ps1"
ENV_NAMES: dict[Flavor, str] = {"sh": "env.sh", "fish": "env.fish", "ps1": "env.ps1"}
# A path that can sit inside "$HOME/..." in every flavor without quoting trouble.
_PLAIN = re.compile(r"[A-Za-z0-9._/+-]+")
_MARKER_HINT = "keep exactly one pair of aigate-setup markers in it (or delete both)"


@dataclass(frozen=True)
class Shell:
    name: str  # bash, zsh, fish, pwsh, powershell
    flavor: Flavor
    binaries: tuple[str, ...]
    startup: tuple[Path, ...]  # the files that get the block
    marker: Path  # its existence means the user has this shell (a startup file or its dir)

    @property
    def env_file(self) -> Path:
        return paths.aigate_config_dir() / ENV_NAMES[self.flavor]


def _documents(env: Mapping[str, str]) -> Path:
    """Windows: the Documents folder PowerShell uses (OneDrive may have moved it)."""
    if sys.platform == "win32":  # pragma: no cover - reasoned about, not run here
        try:
            import winreg

            key = r"Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell Folders"
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as k:
                value, _ = winreg.QueryValueEx(k, "Personal")
            return Path(os.path.expandvars(str(value)))
        except OSError:
            pass
    return paths.home() / "Documents"


def _bash_login(home: Path) -> Path:
    """macOS login shells read the first of these that exists; a new one is .bash_profile."""
    for name in (".bash_profile", ".bash_login", ".profile"):
        if (home / name).exists():
            return home / name
    return home / ".bash_profile"


def known(env: Mapping[str, str] | None = None, platform: str | None = None) -> list[Shell]:
    """Every shell aigate-setup knows, with its startup files on this platform."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    home = paths.home()
    bashrc = home / ".bashrc"
    bash_files = (bashrc, _bash_login(home)) if platform == "darwin" else (bashrc,)
    zdotdir = env.get("ZDOTDIR", "")
    zshrc = (Path(zdotdir) if zdotdir else home) / ".zshrc"
    fish_dir = paths.xdg_config_home() / "fish"
    if platform == "win32":
        docs = _documents(env)
        pwsh = docs / "PowerShell" / PROFILE_NAME
    else:
        pwsh = paths.xdg_config_home() / "powershell" / PROFILE_NAME
    found = [
        Shell("bash", "sh", ("bash",), bash_files, bashrc),
        Shell("zsh", "sh", ("zsh",), (zshrc,), zshrc),
        Shell("fish", "fish", ("fish",), (fish_dir / "conf.d" / "aigate.fish",), fish_dir),
        Shell("pwsh", "ps1", ("pwsh",), (pwsh,), pwsh),
    ]
    if platform == "win32":
        legacy = _documents(env) / "WindowsPowerShell" / PROFILE_NAME
        found.append(Shell("powershell", "ps1", ("powershell",), (legacy,), legacy))
    return found


def has(shell: Shell, env: Mapping[str, str] | None = None) -> bool:
    """The user has `shell`: its startup file (or config dir) exists, its binary is on PATH,
    or it is the login shell."""
    env = os.environ if env is None else env
    login = os.path.basename(env.get("SHELL", "")).lower().removesuffix(".exe")
    if login in shell.binaries or any(p.exists() for p in (shell.marker, *shell.startup)):
        return True
    search = env.get("PATH", os.defpath)
    return any(shutil.which(b, path=search) for b in shell.binaries)


def detected(env: Mapping[str, str] | None = None, platform: str | None = None) -> list[Shell]:
    """The shells the user has, in a fixed order (bash, zsh, fish, pwsh, powershell)."""
    return [s for s in known(env, platform) if has(s, env)]


def current(env: Mapping[str, str] | None = None) -> str | None:
    """The name of the user's login shell ($SHELL), when aigate-setup knows it."""
    env = os.environ if env is None else env
    login = os.path.basename(env.get("SHELL", "")).lower().removesuffix(".exe")
    names = {b: s.name for s in known(env) for b in s.binaries}
    return names.get(login)


# --- quoting and rendering --------------------------------------------------------------------


def _quote(value: str, flavor: Flavor) -> str:
    if flavor == "fish":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if flavor == "ps1":
        from aigate_setup.clients.claude import ps_quote

        return ps_quote(value)
    from aigate_setup.clients.claude import sh_quote

    return sh_quote(value)


def shell_path(path: Path, flavor: Flavor) -> str:
    """`path` as a word of `flavor`: `"$HOME/..."` under the home directory (so a synced
    dotfile works for another user name), else the absolute path quoted."""
    home = paths.home()
    try:
        rel = path.relative_to(home).as_posix()
    except ValueError:
        rel = ""
    if rel and _PLAIN.fullmatch(rel) and ".." not in rel.split("/"):
        return f'"$HOME/{rel}"'
    return _quote(str(path), flavor)


def block_body(shell: Shell, key_env: str) -> str:
    from aigate_setup import templates
    from aigate_setup.clients.common import check_env_name

    name = f"shell/block.{shell.flavor}.j2"
    return templates.render(
        name, key_env=check_env_name(key_env), env_file=shell_path(shell.env_file, shell.flavor)
    )


def env_text(flavor: Flavor, key_env: str, key_file: Path) -> str:
    """The whole env file of `flavor` (it never holds the key, only the key file's path)."""
    from aigate_setup import templates
    from aigate_setup.clients.common import check_env_name

    return templates.render(
        f"shell/env.{flavor}.j2",
        key_env=check_env_name(key_env),
        key_file=shell_path(key_file, flavor),
    )


# --- planning ---------------------------------------------------------------------------------


def block_problem(path: Path, text: str) -> ConfigError | None:
    from aigate_setup.merge.block import extract_block

    try:
        extract_block(text)
    except ParseError as exc:
        return ConfigError.from_parse(exc, path, _MARKER_HINT)
    return None


def merged(old_text: str | None, body: str) -> str:
    """The startup file with the block put in (or replaced); every other byte kept."""
    from aigate_setup.merge.block import merge_block

    return merge_block(old_text or "", body)


def plan_changes(
    key_env: str, key_file: Path, shells: list[Shell] | None = None
) -> list[FileChange]:
    """The env file of each flavor in use and the block in each startup file, all read and
    parsed first: a startup file with broken markers (or unreadable) stops the run with every
    problem listed (plan.PlanError), before anything is written."""
    from aigate_setup import fsio
    from aigate_setup.merge import text as textmod
    from aigate_setup.plan import PlanError

    chosen = detected() if shells is None else shells
    problems: list[ConfigError] = []
    changes: list[FileChange] = []
    for flavor in dict.fromkeys(s.flavor for s in chosen):
        path = paths.aigate_config_dir() / ENV_NAMES[flavor]
        try:
            old = fsio.read_bytes(path)
        except ConfigError as exc:
            problems.append(exc)
            continue
        new = env_text(flavor, key_env, key_file).encode()
        changes.append(fsio.FileChange(client=CLIENT, path=path, old=old, new=new))
    for shell in chosen:
        body = block_body(shell, key_env)
        for path in dict.fromkeys(shell.startup):
            try:
                old = fsio.read_bytes(path)
                doc = textmod.decode(old) if old is not None else textmod.new_document()
            except ConfigError as exc:
                problems.append(exc)
                continue
            except ValueError as exc:
                problems.append(ConfigError(str(exc), path=path, hint="save the file as UTF-8"))
                continue
            problem = block_problem(path, doc.text)
            if problem is not None:
                problems.append(problem)
                continue
            new = textmod.encode(doc, merged(doc.text if old is not None else None, body))
            changes.append(fsio.FileChange(client=CLIENT, path=path, old=old, new=new))
    if problems:
        raise PlanError(problems)
    return changes


# --- reading back (doctor) and taking out (remove) ---------------------------------------------


def block_in(path: Path) -> tuple[bool, str]:
    """(the startup file has our block, why not when it has none)."""
    from aigate_setup import fsio
    from aigate_setup.merge import text as textmod
    from aigate_setup.merge.block import extract_block

    try:
        raw = fsio.read_bytes(path)
        if raw is None:
            return False, "does not exist"
        return extract_block(textmod.decode(raw).text) is not None, "has no aigate-setup block"
    except (ConfigError, ValueError) as exc:
        return False, str(getattr(exc, "message", exc))


def unrender(path: Path, text: str) -> str | None:
    """A startup file without our block (markers included, and the blank line init put before
    it); an env file (owned whole) or a startup file holding nothing else: None."""
    if path.parent == paths.aigate_config_dir() and path.name in ENV_NAMES.values():
        return None
    from aigate_setup.merge.block import remove_block

    return remove_block(text)
