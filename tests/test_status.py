"""`aigate-setup status`, init's override warnings and doctor's <client>.effective check: each
override planted in a temporary HOME or project is named with its origin by all three."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, Result, run_cli

from aigate_setup.constants import CLIENTS
from aigate_setup.testing import FakeGateway

ENV = {"AIGATE_API_KEY": TEST_KEY}


def home() -> Path:
    return Path(os.environ["HOME"])


def project() -> Path:
    p = Path.cwd()
    (p / ".git").mkdir(exist_ok=True)
    (p / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return p


def init(gw: FakeGateway, *extra: str, env: dict[str, str] | None = None) -> Result:
    args = ["init", "--yes", "--no-smoke-test", "--base-url", gw.base_url]
    args += ["--model", "openai/gpt-5.5", *extra]
    return run_cli(*args, env={**ENV, **(env or {})})


def status(gw: FakeGateway, *args: str, env: dict[str, str] | None = None) -> tuple[Result, Any]:
    r = run_cli(
        "status", "--format", "json", "--base-url", gw.base_url, *args, env={**ENV, **(env or {})}
    )
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and doc["command"] == "status"
    assert doc["status"] == ("fail" if r.exit_code == 1 else "ok")
    return r, doc


def client(doc: Any, name: str) -> dict[str, Any]:
    (found,) = [c for c in doc["clients"] if c["client"] == name]
    return dict(found)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def prepend(path: Path, text: str) -> Path:
    return write(path, text + path.read_text())


# --------------------------------------------------------------------------- healthy


def test_healthy_setup_reaches_aigate_json_shape(fake_gateway: FakeGateway) -> None:
    project()
    assert init(fake_gateway).exit_code == 0
    script = home() / ".config" / "aigate" / "aigate-claude.sh"
    root = fake_gateway.base_url[: -len("/v1")]
    loaded = {"ANTHROPIC_BASE_URL": root, "ANTHROPIC_AUTH_TOKEN": TEST_KEY,
              "ANTHROPIC_MODEL": "openai/gpt-5.5"}  # fmt: skip
    r, doc = status(fake_gateway, env=loaded)
    assert r.exit_code == 0, r.output
    assert TEST_KEY not in r.output
    assert set(doc) == {"version", "command", "status", "gateway", "clients"}
    assert [c["client"] for c in doc["clients"]] == list(CLIENTS)
    configured = [c["client"] for c in doc["clients"] if c["configured"]]
    assert configured == ["codex", "opencode", "kilo", "claude"]
    for c in doc["clients"]:
        assert set(c) >= {"client", "configured", "reaches_aigate", "effective", "origins",
                          "overrides"}  # fmt: skip
        assert set(c["effective"]) == set(c["origins"]) == {
            "provider", "model", "base_url", "credential"}  # fmt: skip
        if c["client"] in configured:
            # Codex is not installed here: no picker catalog, a non-blocking note says so
            notes = [o for o in c["overrides"] if o["what"] != "model_catalog_json"]
            assert c["reaches_aigate"] and notes == [], c
    codex = client(doc, "codex")
    assert codex["effective"]["credential"] == "$AIGATE_API_KEY"
    assert codex["origins"]["model"] == f"{home() / '.codex' / 'config.toml'}:4"
    # settings.json (written by init) beats the exported variables
    settings = str(home() / ".claude" / "settings.json")
    assert client(doc, "claude")["origins"]["base_url"].startswith(settings + ":")
    assert script.exists()


def test_text_output_one_line_per_client(fake_gateway: FakeGateway) -> None:
    project()
    assert init(fake_gateway, "--client", "codex").exit_code == 0
    r = run_cli("status", "--base-url", fake_gateway.base_url, env=ENV)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == f"AIGate: {fake_gateway.base_url}"
    assert "codex" in lines[1] and "reaches AIGate" in lines[1]
    assert "~/.codex/config.toml:4" in lines[1]
    assert any("opencode" in ln and "not configured" in ln for ln in lines)


def test_nothing_configured_exits_0_and_client_narrows(fake_gateway: FakeGateway) -> None:
    r, doc = status(fake_gateway, "--client", "kilo")
    assert r.exit_code == 0
    assert [c["client"] for c in doc["clients"]] == ["kilo"]
    assert not doc["clients"][0]["configured"]


def test_script_not_loaded_is_named(fake_gateway: FakeGateway) -> None:
    # --no-default: only the scripts (no settings.json), so Claude needs the script loaded
    project()
    assert init(fake_gateway, "--client", "claude", "--no-default").exit_code == 0
    r, doc = status(fake_gateway)
    assert r.exit_code == 1
    claude = client(doc, "claude")
    assert not claude["reaches_aigate"] and "not loaded" in claude["why"]
    assert claude["overrides"] == []


def test_status_uses_the_remembered_base_url(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aigate_setup import state

    project()
    assert init(fake_gateway, "--client", "codex").exit_code == 0
    monkeypatch.setattr(state, "remembered_base_url", lambda warn=None: fake_gateway.base_url)
    r = run_cli("status", "--format", "json", env=ENV)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["gateway"] == fake_gateway.base_url


# --------------------------------------------------------------------------- overrides


@dataclass(frozen=True)
class Case:
    client: str
    what: str
    plant: Callable[[], tuple[Path | None, dict[str, str]]]  # file (None: env) and env
    value: str


def _settings_env() -> tuple[Path | None, dict[str, str]]:
    text = '{\n  "env": {\n    "ANTHROPIC_BASE_URL": "https://other.example"\n  }\n}\n'
    return write(home() / ".claude" / "settings.json", text), {}


def _settings_local() -> tuple[Path | None, dict[str, str]]:
    text = '{"env": {"ANTHROPIC_BASE_URL": "https://other.example"}}\n'
    return write(project() / ".claude" / "settings.local.json", text), {}


def _exported() -> tuple[Path | None, dict[str, str]]:
    return None, {"ANTHROPIC_BASE_URL": "https://other.example"}


def _opencode_project_model() -> tuple[Path | None, dict[str, str]]:
    return write(project() / "opencode.json", '{\n  "model": "openrouter/x-ai/grok"\n}\n'), {}


def _opencode_agent() -> tuple[Path | None, dict[str, str]]:
    text = '{"agent": {"build": {"model": "openrouter/x-ai/grok"}}}\n'
    return write(project() / "opencode.json", text), {}


def _kilo_agent() -> tuple[Path | None, dict[str, str]]:
    text = '{\n  // mine\n  "agent": {"code": {"model": "kilo/kilo-auto/frontier"}}\n}\n'
    return write(project() / "kilo.jsonc", text), {}


def _trust() -> None:
    user = home() / ".codex" / "config.toml"
    write(user, user.read_text() + f'\n[projects."{project()}"]\ntrust_level = "trusted"\n')


def _codex_project_model() -> tuple[Path | None, dict[str, str]]:
    _trust()
    return write(project() / ".codex" / "config.toml", 'model = "gpt-5-codex"\n'), {}


def _review_model() -> tuple[Path | None, dict[str, str]]:
    return prepend(home() / ".codex" / "config.toml", 'review_model = "gpt-5-codex"\n'), {}


CASES = {
    "settings.json env": Case("claude", "env.ANTHROPIC_BASE_URL", _settings_env,
                              "https://other.example"),
    "settings.local.json": Case("claude", "env.ANTHROPIC_BASE_URL", _settings_local,
                                "https://other.example"),
    "exported ANTHROPIC_BASE_URL": Case("claude", "ANTHROPIC_BASE_URL", _exported,
                                        "https://other.example"),
    "project opencode.json model": Case("opencode", "model", _opencode_project_model,
                                        "openrouter/x-ai/grok"),
    "opencode agent model": Case("opencode", "agent.build.model", _opencode_agent,
                                 "openrouter/x-ai/grok"),
    "kilo code agent model": Case("kilo", "agent.code.model", _kilo_agent,
                                  "kilo/kilo-auto/frontier"),
    "codex project model": Case("codex", "model", _codex_project_model, "gpt-5-codex"),
    "codex review_model": Case("codex", "review_model", _review_model, "gpt-5-codex"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_override_named_by_status_init_and_doctor(fake_gateway: FakeGateway, name: str) -> None:
    case = CASES[name]
    project()
    # Claude through its scripts only (--no-default: no settings.json of ours, whose env
    # entries init owns and would win over an exported variable).
    scripts_only = ("--no-default",) if case.client == "claude" else ()
    assert init(fake_gateway, "--client", case.client, *scripts_only).exit_code == 0
    path, env = case.plant()
    origin = f"env:{case.what}" if path is None else str(path)

    r, doc = status(fake_gateway, env=env)
    assert r.exit_code == 1, r.output
    c = client(doc, case.client)
    assert c["configured"] and not c["reaches_aigate"]
    (found,) = [o for o in c["overrides"] if o["what"] == case.what]
    assert found["value"] == case.value
    assert found["origin"] == origin or found["origin"].startswith(origin + ":"), found
    text = run_cli("status", "--base-url", fake_gateway.base_url, env={**ENV, **env})
    assert text.exit_code == 1 and case.what in text.stdout

    dry = init(fake_gateway, "--client", case.client, *scripts_only, "--dry-run", "--format",
               "json", env=env)  # fmt: skip
    assert dry.exit_code == 0, dry.output
    warnings = json.loads(dry.stdout)["warnings"]
    shown = "exported ANTHROPIC_BASE_URL" if path is None else f"`{case.what}` in "
    assert any(shown in w for w in warnings), warnings
    assert any(shown in ln for ln in dry.stderr.splitlines() if ln.startswith("warning:"))

    r = run_cli(
        "doctor", "--offline", "--format", "json", "--base-url", fake_gateway.base_url,
        "--client", case.client, env={**ENV, **env},
    )  # fmt: skip
    assert r.exit_code == 1, r.output
    checks = json.loads(r.stdout)["checks"]
    (eff,) = [ch for ch in checks if ch["id"] == f"{case.client}.effective"]
    assert eff["status"] == "fail"
    assert (path is None and "ANTHROPIC_BASE_URL" in eff["detail"]) or (
        path is not None and os.path.basename(path) in eff["detail"]
    ), eff


def test_init_offers_the_agent_fix_interactively(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aigate_setup.commands import init_warnings
    from aigate_setup.fsio import FileChange

    project()
    assert init(fake_gateway, "--client", "kilo").exit_code == 0
    path, _ = _kilo_agent()
    assert path is not None
    found = init_warnings.overrides(("kilo",), project(), fake_gateway.base_url, [])
    asked: list[str] = []

    def yes(question: str) -> bool:
        asked.append(question)
        return True

    changes = init_warnings.offer_fixes(found, [], yes)
    assert asked == [f"Set agent.code.model to 'aigate/openai/gpt-5.5' in {path}:3?"]
    (ch,) = changes
    assert isinstance(ch, FileChange) and ch.path == path
    assert ch.new.decode() == (
        '{\n  // mine\n  "agent": {"code": {"model": "aigate/openai/gpt-5.5"}}\n}\n'
    )


# --------------------------------------------------------------------------- hostile input


def test_broken_and_hostile_layers_never_crash(fake_gateway: FakeGateway) -> None:
    project()
    assert init(fake_gateway, "--client", "opencode", "--client", "codex").exit_code == 0
    write(project() / "opencode.jsonc", '{"model": "openrouter/\x1b[31mred\\u0007", ')
    write(project() / ".codex" / "config.toml", "model = [unclosed\n")
    hostile = {"OPENCODE_CONFIG_CONTENT": '{"model": "evil/\\u001b]0;title\\u0007x"}'}
    r = run_cli("status", "--base-url", fake_gateway.base_url, env={**ENV, **hostile})
    assert r.exit_code == 1, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output
    assert "Traceback" not in r.output
    r, doc = status(fake_gateway, env=hostile)
    oc = client(doc, "opencode")
    assert oc["origins"]["model"] == "env:OPENCODE_CONFIG_CONTENT"
    assert "opencode.jsonc" in oc["why"]


def test_a_literal_credential_is_masked(fake_gateway: FakeGateway) -> None:
    project()
    assert init(fake_gateway, "--client", "opencode").exit_code == 0
    secret = "sk-literal-0000000000000000000000009999"
    user = home() / ".config" / "opencode" / "opencode.json"
    user.write_text(user.read_text().replace("{env:AIGATE_API_KEY}", secret))
    r = run_cli("status", "--format", "json", "--base-url", fake_gateway.base_url, env=ENV)
    assert secret not in r.output
    assert client(json.loads(r.stdout), "opencode")["effective"]["credential"] == "sk-...9999"


def test_a_missing_project_dir_is_a_usage_error(tmp_path: Path) -> None:
    r = run_cli("status", "--project-dir", str(tmp_path / "nope"), "--format", "json")
    assert r.exit_code == 2
    assert json.loads(r.stdout)["error"]["exit_code"] == 2
