"""Property: for any pre-existing configs, `init` then `remove` gives byte-identical files, and
`remove` then `restore` gives the `init` result back. And the owned parts alone: taking them
out of an init result (no backups to help) gives the user's settings back unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from aigate_setup import fsio, paths, plan
from aigate_setup.clients import claude, codex, kilo, opencode
from aigate_setup.merge import jsonc
from aigate_setup.merge import text as textmod
from aigate_setup.merge.tomlread import parse_toml
from aigate_setup.testing import FakeGateway

MODEL = "openai/gpt-5.5"
SLOW = settings(
    max_examples=20,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking CLI runs takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

words = st.sampled_from(["alpha", "beta", "qwen3", "o3", "mine", "x-1"])
comments = st.lists(st.sampled_from(["# mine", "# keep me", "#"]), max_size=2)


@st.composite
def codex_text(draw: st.DrawFn) -> str:
    lines = list(draw(comments))
    if draw(st.booleans()):
        lines.append(f'model_provider = "{draw(st.sampled_from(["openrouter", "ollama"]))}"')
    if draw(st.booleans()):
        lines.append(f'model = "{draw(words)}"  # my model')
    if draw(st.booleans()):
        lines.append("approval_policy = 'never'")
    if draw(st.booleans()):
        lines += ["", "[model_providers.openrouter]", 'name = "OpenRouter"']
        lines.append('base_url = "https://openrouter.ai/api/v1"')
    if draw(st.booleans()):
        lines += ["", "[tui]", "notifications = true"]
    return "\n".join(lines) + ("\n" if draw(st.booleans()) else "")


@st.composite
def json_text(draw: st.DrawFn) -> str:
    members = []
    if draw(st.booleans()):
        members.append('"model": "ollama/' + draw(words) + '"')
    if draw(st.booleans()):
        members.append('// mine\n  "theme": "dark"')
    if draw(st.booleans()):
        members.append('"provider": {\n    "ollama": {"npm": "x"}\n  }')
    if draw(st.booleans()):
        members.append('"enabled_providers": ["ollama"]')
    if not members:
        members.append('"autoupdate": false')
    head = "// my config\n" if draw(st.booleans()) else ""
    trailing = "," if draw(st.booleans()) else ""
    body = ",\n  ".join(members)
    return head + "{\n  " + body + trailing + "\n}" + ("\n" if draw(st.booleans()) else "")


@st.composite
def script_text(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.sampled_from(["export FOO=1", "# mine", "alias ll='ls -l'"])))
    final = draw(st.booleans())
    return "\n".join(lines) + ("\n" if lines and final else "")


@st.composite
def encoded(draw: st.DrawFn, text: st.SearchStrategy[str]) -> bytes | None:
    if draw(st.integers(0, 5)) == 0:
        return None  # no file yet
    body = draw(text)
    if draw(st.booleans()):
        body = body.replace("\n", "\r\n")
    data = body.encode()
    return (b"\xef\xbb\xbf" + data) if draw(st.booleans()) else data


def targets() -> dict[str, Path]:
    return {
        "codex": paths.codex_home() / "config.toml",
        "opencode": paths.xdg_config_home() / "opencode" / "opencode.json",
        "kilo": paths.xdg_config_home() / "kilo" / "kilo.jsonc",
        "claude": paths.aigate_config_dir() / "aigate-claude.sh",
    }


def files() -> dict[str, bytes]:
    out = {}
    skip = (paths.state_dir(), paths.cache_dir())
    for p in sorted(paths.home().rglob("*")):
        if p.is_file() and not any(p.is_relative_to(d) for d in skip):
            out[str(p)] = p.read_bytes()
    return out


def reset() -> None:
    for child in paths.home().iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


@SLOW
@given(
    codex_old=encoded(codex_text()),
    opencode_old=encoded(json_text()),
    kilo_old=encoded(json_text()),
    claude_old=encoded(script_text()),
    default=st.booleans(),
)
def test_init_then_remove_is_byte_identical_and_restore_undoes_it(
    fake_gateway: FakeGateway,
    codex_old: bytes | None,
    opencode_old: bytes | None,
    kilo_old: bytes | None,
    claude_old: bytes | None,
    default: bool,
) -> None:
    reset()
    olds = {"codex": codex_old, "opencode": opencode_old, "kilo": kilo_old, "claude": claude_old}
    for client, path in targets().items():
        data = olds[client]
        if data is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    before = files()
    flag = "--default" if default else "--no-default"
    env = {"AIGATE_API_KEY": "sk-test0000000000000000000000000000"}
    r = run_cli(
        "init", "--yes", "--base-url", fake_gateway.base_url, "--model", MODEL,
        "--no-smoke-test", flag, env=env,
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    after_init = files()
    r = run_cli("remove", "--yes")
    assert r.exit_code == 0, r.stderr
    assert files() == before
    fsio.restore()  # the latest run: the remove
    assert files() == after_init


def _selection(default: bool) -> plan.Selection:
    return plan.Selection(
        clients=("codex", "opencode", "kilo", "claude"),
        model=MODEL,
        claude=plan.ClaudeSlots(MODEL, MODEL, MODEL),
        extra_models=(),
        scope="user",
        project_dir=Path("/nowhere"),
        base_url="https://api.aigate.shop/v1",
        key_env="AIGATE_API_KEY",
        make_default=default,
    )


def _roundtrip(module: Any, path: Path, old: bytes, default: bool) -> tuple[str, str]:
    doc = textmod.decode(old)
    new = module.render(_selection(default), None, path, doc.text)
    before = module.owned_values(path, doc.text)
    back = {k: before.get(k) for k in module.DEFAULT_KEYS}
    out = module.unrender(path, module.put_back(path, new, back))
    if out is None:  # nothing but aigate-setup's settings: a blank file held nothing else
        assert not doc.text.strip()
        return doc.text, doc.text
    return doc.text, out


@settings(max_examples=60, deadline=None)
@given(old=encoded(codex_text()), default=st.booleans())
def test_codex_unrender_gives_the_settings_back(old: bytes | None, default: bool) -> None:
    if old is None:
        return
    text, out = _roundtrip(codex, Path("/h/.codex/config.toml"), old, default)
    assert parse_toml(out) == parse_toml(text)
    assert out.strip() == text.strip()


@settings(max_examples=60, deadline=None)
@given(old=encoded(json_text()), default=st.booleans())
@pytest.mark.parametrize("module", [opencode, kilo])
def test_json_unrender_gives_the_settings_back(
    module: Any, old: bytes | None, default: bool
) -> None:
    if old is None:
        return
    text, out = _roundtrip(module, Path("/h/.config/x/opencode.json"), old, default)
    assert jsonc.loads(out) == jsonc.loads(text)
    assert out == text


@settings(max_examples=60, deadline=None)
@given(old=encoded(script_text()))
def test_script_unrender_gives_the_lines_back(old: bytes | None) -> None:
    if old is None or not textmod.decode(old).text.strip():
        return
    path = Path("/h/.config/aigate/aigate-claude.sh")
    text, out = _roundtrip(claude, path, old, True)
    assert out.rstrip("\r\n") == text.rstrip("\r\n")


@st.composite
def settings_text(draw: st.DrawFn) -> str:
    """A user's ~/.claude/settings.json: their own keys, maybe their own env entries, model
    variable, apiKeyHelper or model (which init replaces and remove must put back)."""
    members = []
    if draw(st.booleans()):
        members.append('"permissions": {"allow": ["Bash(ls)"]}')
    env = []
    if draw(st.booleans()):
        env.append('"FOO": "1"')
    if draw(st.booleans()):
        env.append(f'"ANTHROPIC_MODEL": "{draw(words)}"')
    if draw(st.booleans()):
        env.append('"ANTHROPIC_BASE_URL": "https://other.example/api"')
    empty_env = draw(st.booleans())  # an "env" object with nothing of ours in it
    if env or empty_env:
        members.append('"env": {' + ", ".join(env) + "}")
    if draw(st.booleans()):
        members.append('"apiKeyHelper": "~/bin/my-key"')
    if draw(st.booleans()):
        members.append('"model": "opus"')
    indent = draw(st.sampled_from(["  ", "    ", "\t"]))
    body = (",\n" + indent).join(members)
    return "{\n" + indent + body + "\n}" + ("\n" if draw(st.booleans()) else "")


@SLOW
@given(
    settings_old=encoded(settings_text()),
    bashrc_old=encoded(script_text()),
    zshrc_old=encoded(script_text()),
    save=st.booleans(),
)
def test_claude_settings_key_file_and_startup_blocks_come_out_byte_identical(
    fake_gateway: FakeGateway,
    only_bash: Path,
    settings_old: bytes | None,
    bashrc_old: bytes | None,
    zshrc_old: bytes | None,
    save: bool,
) -> None:
    reset()
    home = paths.home()
    olds = {
        home / ".claude" / "settings.json": settings_old,
        home / ".bashrc": bashrc_old,
        home / ".zshrc": zshrc_old,
    }
    for path, data in olds.items():
        if data is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    before = files()
    flags = ["--save-key", "--shell-profile"] if save else ["--no-save-key", "--no-shell-profile"]
    env = {"AIGATE_API_KEY": "sk-test0000000000000000000000000000"}
    r = run_cli(
        "init", "--yes", "--base-url", fake_gateway.base_url, "--model", MODEL,
        "--no-smoke-test", "--client", "claude", *flags, env=env,
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    after_init = files()
    assert after_init != before  # init wrote something: the test is not vacuous
    r = run_cli("remove", "--yes", "--delete-key")
    assert r.exit_code == 0, r.stderr
    assert files() == before
    fsio.restore()  # the latest run: the remove
    assert files() == after_init
