"""Each client's resolver reads the layers the real client reads, in its order (docs/status.md
says how each was checked against the real binaries)."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from aigate_setup.clients import claude, codex, kilo, opencode
from aigate_setup.clients.base import Where

GW = "http://127.0.0.1:9/v1"
AIGATE = {"npm": "@ai-sdk/openai-compatible", "options": {"baseURL": GW,
          "apiKey": "{env:AIGATE_API_KEY}"}, "models": {"openai/gpt-5.5": {}}}  # fmt: skip


def home() -> Path:
    return Path(os.environ["HOME"])


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2) + "\n")
    return path


def repo(root: Path) -> Path:
    write(root / ".git" / "HEAD", "ref: refs/heads/main\n")
    (root / "sub").mkdir(parents=True, exist_ok=True)
    return root


def opencode_user(model: str = "aigate/openai/gpt-5.5") -> Path:
    data = {"provider": {"aigate": AIGATE}, "model": model}
    return write(home() / ".config" / "opencode" / "opencode.json", data)


def line_of(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if needle in ln)


def env() -> dict[str, str]:
    return dict(os.environ)


def test_opencode_healthy_origins_with_lines() -> None:
    user = opencode_user()
    res = opencode.resolve(Path.cwd(), env(), GW)
    assert res.reaches_aigate and res.overrides == ()
    assert res.model.origin == Where(user, line_of(user, '"model": "aigate/'))
    assert res.base_url == type(res.base_url)(GW, Where(user, line_of(user, '"baseURL"')))
    assert res.credential.value == "{env:AIGATE_API_KEY}"


def test_opencode_jsonc_beats_json_in_one_directory(tmp_path: Path) -> None:
    opencode_user()
    root = repo(tmp_path / "r")
    write(root / "opencode.json", {"model": "a/one"})
    jsonc = write(root / "opencode.jsonc", '{\n  // x\n  "model": "b/two"\n}\n')
    res = opencode.resolve(root, env(), GW)
    assert res.model.value == "b/two" and res.model.origin == Where(jsonc, 3)


def test_opencode_walks_up_to_the_git_root_only(tmp_path: Path) -> None:
    opencode_user()
    write(tmp_path / "opencode.json", {"model": "above/root"})  # outside the repository
    root = repo(tmp_path / "r")
    res = opencode.resolve(root / "sub", env(), GW)
    assert res.reaches_aigate, res
    inside = write(root / "opencode.json", {"model": "openrouter/x"})
    res = opencode.resolve(root / "sub", env(), GW)
    assert not res.reaches_aigate
    assert [(o.what, o.origin.path) for o in res.overrides] == [("model", inside)]


def test_opencode_config_content_and_managed_dir_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opencode_user()
    root = repo(tmp_path / "r")
    write(root / "opencode.json", {"model": "openrouter/x"})
    content = {**env(), "OPENCODE_CONFIG_CONTENT": '{"model": "aigate/openai/gpt-5.5"}'}
    res = opencode.resolve(root, content, GW)
    assert res.reaches_aigate and res.model.origin == Where(env="OPENCODE_CONFIG_CONTENT")
    managed = tmp_path / "etc-opencode"
    monkeypatch.setattr(opencode, "MANAGED_DIR", managed)
    write(managed / "opencode.json", {"model": "anthropic/claude"})
    res = opencode.resolve(root, content, GW)
    assert res.model.value == "anthropic/claude" and not res.reaches_aigate


def test_opencode_default_agent_setting_picks_the_agent(tmp_path: Path) -> None:
    opencode_user()
    root = repo(tmp_path / "r")
    write(root / "opencode.json", {"default_agent": "plan", "agent": {
        "plan": {"model": "openrouter/x"}, "build": {"model": "aigate/openai/gpt-5.5"}}})  # fmt: skip
    res = opencode.resolve(root, env(), GW)
    assert [o.what for o in res.overrides] == ["agent.plan.model"]


def test_kilo_skips_project_files_with_env_refs_and_ignores_dot_opencode(tmp_path: Path) -> None:
    data = {"provider": {"aigate": AIGATE}, "model": "aigate/openai/gpt-5.5"}
    write(home() / ".config" / "kilo" / "kilo.jsonc", data)
    root = repo(tmp_path / "r")
    write(root / "kilo.jsonc", {"model": "openrouter/x", "instructions": ["{file:./R.md}"]})
    write(root / ".opencode" / "opencode.json", {"model": "openrouter/y"})
    res = kilo.resolve(root, env(), GW)
    assert res.reaches_aigate, res
    assert "skips it" in kilo.resolve(root, env(), "http://other/v1").why
    own = write(root / ".kilo" / "kilo.jsonc", {"agent": {"code": {"model": "kilo/auto"}}})
    res = kilo.resolve(root, env(), GW)
    assert [(o.what, o.origin.path) for o in res.overrides] == [("agent.code.model", own)]


def _codex_user(extra: str = "") -> Path:
    text = (
        'model_provider = "aigate"\nmodel = "openai/gpt-5.5"\n' + extra + "\n"
        f'[model_providers.aigate]\nname = "AIGate"\nbase_url = "{GW}"\n'
        'env_key = "AIGATE_API_KEY"\nwire_api = "responses"\n'
    )
    return write(home() / ".codex" / "config.toml", text)


def test_codex_project_model_only_when_the_root_is_trusted(tmp_path: Path) -> None:
    root = repo(tmp_path / "r")
    write(root / ".codex" / "config.toml", 'model = "gpt-5-codex"\n')
    user = _codex_user()
    assert codex.resolve(root / "sub", env(), GW).reaches_aigate
    user.write_text(user.read_text() + f'\n[projects."{root / "sub"}"]\ntrust_level = "trusted"\n')
    assert codex.resolve(root / "sub", env(), GW).reaches_aigate  # a subdirectory: not enough
    user.write_text(user.read_text() + f'\n[projects."{root}"]\ntrust_level = "trusted"\n')
    res = codex.resolve(root / "sub", env(), GW)
    assert not res.reaches_aigate
    assert [(o.what, o.origin) for o in res.overrides if o.what != "model_catalog_json"] == [
        ("model", Where(root / ".codex" / "config.toml", 1))
    ]


def test_codex_gateway_shaped_review_model_is_fine() -> None:
    _codex_user('review_model = "openai/gpt-5.5"\n')
    res = codex.resolve(Path.cwd(), env(), GW)
    # no model_catalog_json: only the non-blocking picker note (tests/test_status_codex.py)
    assert res.reaches_aigate and [o.what for o in res.overrides] == ["model_catalog_json"]
    assert res.credential.value == "$AIGATE_API_KEY"


def test_codex_builtin_openai_and_openai_base_url() -> None:
    # Codex 0.169 ignores OPENAI_BASE_URL; the root openai_base_url key moves the provider
    user = write(home() / ".codex" / "config.toml", 'model = "gpt-5"\n')
    res = codex.resolve(Path.cwd(), {**env(), "OPENAI_BASE_URL": "https://proxy.example/v1"}, GW)
    assert (res.provider.value, res.base_url.value) == ("openai", "https://api.openai.com/v1")
    assert res.base_url.origin.is_default and not res.configured
    write(user, 'openai_base_url = "https://proxy.example/v1"\nmodel = "gpt-5"\n')
    res = codex.resolve(Path.cwd(), env(), GW)
    assert res.base_url.value == "https://proxy.example/v1" and res.base_url.origin == Where(
        user, 1
    )


def _claude_settings(path: Path, **env_block: str) -> Path:
    return write(path, {"env": env_block})


def test_claude_project_settings_only_from_the_start_directory(tmp_path: Path) -> None:
    root = repo(tmp_path / "r")
    ours = {"ANTHROPIC_BASE_URL": GW[:-3], "ANTHROPIC_MODEL": "anthropic/claude-sonnet-4.6"}
    _claude_settings(home() / ".claude" / "settings.json", **ours)
    local = _claude_settings(root / ".claude" / "settings.local.json",
                             ANTHROPIC_BASE_URL="https://other.example")  # fmt: skip
    assert claude.resolve(root / "sub", env(), GW).reaches_aigate
    res = claude.resolve(root, env(), GW)
    assert not res.reaches_aigate and res.base_url.origin == Where(local, 3)


def test_claude_config_dir_and_managed_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "claude-dir"
    settings = _claude_settings(custom / "settings.json", ANTHROPIC_BASE_URL=GW[:-3],
                                ANTHROPIC_AUTH_TOKEN="")  # fmt: skip
    e = {**env(), "CLAUDE_CONFIG_DIR": str(custom), "ANTHROPIC_BASE_URL": "https://x.example"}
    res = claude.resolve(Path.cwd(), e, GW)
    assert res.reaches_aigate and res.base_url.origin == Where(settings, 3)
    # the package's `resolve` function shadows its module of the same name
    mod = importlib.import_module("aigate_setup.clients.claude.resolve")
    monkeypatch.setattr(mod, "MANAGED_DIR", tmp_path / "etc")
    managed = _claude_settings(tmp_path / "etc" / "managed-settings.json",
                               ANTHROPIC_AUTH_TOKEN="sk-corp-000000000000000000001234")  # fmt: skip
    res = claude.resolve(Path.cwd(), e, GW)
    assert not res.reaches_aigate
    (o,) = res.overrides
    assert (o.what, o.origin, o.value) == ("env.ANTHROPIC_AUTH_TOKEN", Where(managed, 3),
                                           "sk-...1234")  # fmt: skip


# The order OpenCode 1.18.33 and Kilo 7.7.7 really load their files in, highest precedence
# first, as `opencode debug config` / `kilo debug config` showed it in `repo/sub` with all of
# these files present, the winner removed one at a time (tests/test_e2e_layers.py repeats it
# with the binaries). H is $HOME, G the global directory, R the repository root.
OPENCODE_ORDER = (
    "H/.opencode/opencode.jsonc", "H/.opencode/opencode.json",
    "R/.opencode/opencode.jsonc", "R/.opencode/opencode.json",
    "R/sub/.opencode/opencode.jsonc", "R/sub/.opencode/opencode.json",
    "R/sub/opencode.jsonc", "R/sub/opencode.json", "R/opencode.jsonc", "R/opencode.json",
    "G/opencode.jsonc", "G/opencode.json", "G/config.json",
)  # fmt: skip
_KILO_DIR = ("opencode.json", "opencode.jsonc", "kilo.json", "kilo.jsonc")
KILO_ORDER = (
    *(f"{d}/{n}" for d in ("H/.kilo", "H/.kilocode", "R/.kilo", "R/.kilocode", "R/sub/.kilo",
                           "R/sub/.kilocode") for n in _KILO_DIR),
    "R/sub/opencode.jsonc", "R/sub/opencode.json", "R/opencode.jsonc", "R/opencode.json",
    "R/sub/kilo.jsonc", "R/sub/kilo.json", "R/kilo.jsonc", "R/kilo.json",
    "G/opencode.jsonc", "G/opencode.json", "G/kilo.jsonc", "G/kilo.json", "G/config.json",
)  # fmt: skip
# Planted too, never read: Kilo 7.7 reads no `.opencode/` directory.
KILO_UNREAD = tuple(f"{d}/{n}" for d in ("H/.opencode", "R/.opencode", "R/sub/.opencode")
                    for n in _KILO_DIR)  # fmt: skip


def layer_places(client: str, root: Path, names: Sequence[str] | None = None) -> dict[str, Path]:
    """The short names above (default: all of the client's) as paths: H the sandbox HOME, G
    the client's global directory, R `root`."""
    from aigate_setup import paths

    bases = {"H": home(), "G": paths.xdg_config_home() / client, "R": root}
    if names is None:
        names = OPENCODE_ORDER if client == "opencode" else KILO_ORDER + KILO_UNREAD
    return {name: bases[name[0]] / name[2:] for name in names}


def peel(client: str, winner: Callable[[], Path | None], places: dict[str, Path]) -> list[str]:
    """Plant every file with its own model, then name the winner and remove it until none is
    left: the load order, highest first."""
    for name, path in places.items():
        write(path, {"model": f"other/{name}"})
    by_path = {str(p): n for n, p in places.items()}
    seen: list[str] = []
    for _ in range(len(places) + 1):
        found = winner()
        if found is None or not found.is_file():
            break
        seen.append(by_path[str(found)])
        found.unlink()
    return seen


@pytest.mark.parametrize("client", ["opencode", "kilo"])
def test_the_files_load_in_the_order_the_binaries_showed(client: str, tmp_path: Path) -> None:
    resolve = opencode.resolve if client == "opencode" else kilo.resolve
    root = repo(tmp_path / "R")
    places = layer_places(client, root)

    def winner() -> Path | None:
        return resolve(root / "sub", env(), GW).model.origin.path

    expected = OPENCODE_ORDER if client == "opencode" else KILO_ORDER
    assert peel(client, winner, places) == list(expected)


def test_kilo_takes_env_refs_in_the_home_config_dirs(tmp_path: Path) -> None:
    """`~/.kilo/` and `~/.kilocode/` are user files: `{env:...}` works there (checked with
    `kilo debug config`), and `check` does not flag it."""
    from aigate_setup.clients import kilo_rules

    data = {"provider": {"aigate": AIGATE}, "model": "aigate/openai/gpt-5.5"}
    write(home() / ".config" / "kilo" / "kilo.jsonc", data)
    root = repo(tmp_path / "r")
    assert kilo.resolve(root, env(), GW).reaches_aigate
    mine = write(home() / ".kilo" / "kilo.json", {"model": "openrouter/x", "x": "{env:HOME}"})
    res = kilo.resolve(root, env(), GW)
    assert not res.reaches_aigate
    assert [(o.what, o.origin.path) for o in res.overrides] == [("model", mine)]
    assert kilo_rules.file_kind(mine) == "kilo-user"
    assert kilo_rules.file_kind(home() / ".kilocode" / "opencode.json") == "kilo-user"
    assert kilo_rules.file_kind(root / ".kilo" / "kilo.json") == "kilo-project"
    assert (mine, "kilo-user") in kilo.config_paths(root)


def linked_worktree(tmp_path: Path) -> tuple[Path, Path]:
    """A main work tree and a linked one, laid out as `git worktree add` does."""
    main = repo(tmp_path / "main")
    admin = main / ".git" / "worktrees" / "linked"
    write(admin / "commondir", "../..\n")
    write(admin / "HEAD", "ref: refs/heads/linked\n")
    linked = tmp_path / "linked"
    write(linked / ".git", f"gitdir: {admin}\n")
    (linked / "sub").mkdir()
    return main, linked


# What Kilo reads from `linked/sub` of a linked work tree (L) of a main one (M), the winner
# first (found with `kilo debug config`, tests/test_e2e_layers.py).
WORKTREE_ORDER = ("L/.kilo/kilo.json", "L/sub/.kilo/kilo.json", "M/.kilo/opencode.json",
                  "M/.kilo/kilo.json", "M/.kilocode/kilo.json", "M/sub/.kilo/kilo.json",
                  "L/kilo.json")  # fmt: skip


def worktree_places(main: Path, linked: Path) -> dict[str, Path]:
    """WORKTREE_ORDER's files, and the main work tree's own kilo.json, which is never read."""
    write(main / "kilo.json", {"model": "other/main-file"})
    return {n: {"L": linked, "M": main}[n[0]] / n[2:] for n in WORKTREE_ORDER}


def test_kilo_from_a_linked_worktree_reads_the_main_ones_config_dirs(tmp_path: Path) -> None:
    """Order found with `kilo debug config` from `linked/sub` (tests/test_e2e_layers.py): the
    same walk in the main work tree first, then the linked one's; the main one's project files
    are not read. OpenCode 1.18.33 reads none of the main work tree."""
    from aigate_setup.clients import layers

    main, linked = linked_worktree(tmp_path)
    assert layers.primary_checkout(linked) == main
    assert layers.primary_checkout(main) is None
    places = worktree_places(main, linked)

    def winner() -> Path | None:
        return kilo.resolve(linked / "sub", env(), GW).model.origin.path

    assert peel("kilo", winner, places) == list(WORKTREE_ORDER)
    write(main / ".opencode" / "opencode.json", {"model": "other/x"})
    assert opencode.resolve(linked / "sub", env(), GW).model.origin.path is None


@pytest.mark.parametrize(
    ("platform", "claude_dir", "kilo_dir"),
    [
        ("linux", "/etc/claude-code", "/etc/kilo"),
        ("darwin", "/Library/Application Support/ClaudeCode", "/Library/Application Support/kilo"),
        ("win32", "C:\\Program Files\\ClaudeCode", "D:\\Data\\kilo"),
    ],
)
def test_managed_settings_directories_per_os(
    monkeypatch: pytest.MonkeyPatch, platform: str, claude_dir: str, kilo_dir: str
) -> None:
    """Where Claude Code 2.1.197, OpenCode 1.18.33 and Kilo 7.7.7 look for managed settings
    (the strings of their binaries): `%ProgramData%` on Windows for the OpenCode family."""
    import sys

    from aigate_setup import paths

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("PROGRAMDATA", "D:\\Data")
    places = importlib.import_module("aigate_setup.clients.claude.resolve").MANAGED_PLACES
    assert str(paths.managed_dir(*places)) == str(Path(claude_dir))
    assert str(paths.managed_dir(*kilo.MANAGED_PLACES)) == str(Path(kilo_dir))
    opencode_dir = paths.managed_dir(*opencode.MANAGED_PLACES)
    assert str(opencode_dir) == str(Path(kilo_dir.replace("kilo", "opencode")))
