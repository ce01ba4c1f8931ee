"""The interactive wizard's decisions, with the prompt seam (aigate_setup.prompts) scripted.

The real terminal is exercised in test_wizard_tty.py; here every question is answered from a
list so the branches (defaults, retry/quit, decline, Ctrl-C, key file) stay fast to test.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, run_cli

from aigate_setup import paths, prompts
from aigate_setup.commands import init as init_command
from aigate_setup.testing import FakeGateway

ENTER = object()  # take the prompt's default


class Script:
    """Answers prompts in order; records each question's message and default."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: list[Any]) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str, Any]] = []
        monkeypatch.setattr(init_command, "_has_tty", lambda json_mode=False: True)
        for name in ("password", "confirm", "select", "checkbox", "autocomplete", "text"):
            monkeypatch.setattr(prompts, name, self._make(name))

    def _make(self, kind: str) -> Callable[..., Any]:
        def ask(message: str, *args: Any, **kwargs: Any) -> Any:
            default = _default(kind, args, kwargs)
            self.asked.append((kind, message, default))
            if not self.answers:
                raise AssertionError(f"unexpected question: {message}")
            answer = self.answers.pop(0)
            if isinstance(answer, BaseException):
                raise answer
            return default if answer is ENTER else answer

        return ask


def _default(kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if kind == "confirm":
        return kwargs.get("default", args[0] if args else True)
    if kind == "select":
        return kwargs.get("default", args[1] if len(args) > 1 else None)
    if kind == "checkbox":
        return [value for _t, value, checked in (args[0] if args else kwargs["choices"]) if checked]
    if kind in ("autocomplete", "text"):
        return kwargs.get("default", "")
    return ""


def wizard_run(gw: FakeGateway, *args: str, key: str | None = TEST_KEY) -> Any:
    env = {"AIGATE_API_KEY": key} if key else {}
    return run_cli("init", "--base-url", gw.base_url, *args, env=env)


def test_enter_enter_enter_configures_all_four(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")  # no client installed: all four preselected
    s = Script(monkeypatch, [ENTER] * 8)
    r = wizard_run(fake_gateway)
    assert r.exit_code == 0, r.output
    kinds = [(k, m.split(" (")[0].split("?")[0]) for k, m, _ in s.asked]
    assert [k for k, _ in kinds] == [
        "checkbox", "autocomplete", "confirm", "confirm", "select", "confirm", "confirm",
    ]  # fmt: skip
    assert s.asked[0][2] == ["codex", "opencode", "kilo", "claude"]
    assert s.asked[1][2] == "openai/gpt-5.5"
    assert s.asked[4][2] == "user"
    assert f"Using your key from $AIGATE_API_KEY: sk-...{TEST_KEY[-4:]}" in r.stdout
    assert "Plan:" in r.stdout and "Next steps:" in r.stdout
    assert (paths.codex_home() / "config.toml").is_file()
    assert (paths.aigate_config_dir() / "aigate-claude.sh").is_file()
    assert not (paths.aigate_config_dir() / "key").exists()


def test_installed_clients_are_preselected(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("codex", "claude"):
        exe = bin_dir / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    s = Script(monkeypatch, [ENTER] * 5 + [False])  # decline at the final confirm
    r = wizard_run(fake_gateway)
    assert r.exit_code == 0, r.output
    assert s.asked[0][2] == ["codex", "claude"]
    assert "Nothing written." in r.stdout
    assert not (paths.codex_home() / "config.toml").exists()
    assert [q for q in fake_gateway.requests if q.method == "POST"] == []


def test_typed_key_kept_in_a_0600_file(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-typed0secret0key0for0wizard0QRST"
    Script(
        monkeypatch,
        [secret, True, ["codex", "claude"], "openai/gpt-5.5", ENTER, ENTER, False, True, True],
    )  # ... scope, no startup block (tests/test_keyshell.py), diffs, write
    r = wizard_run(fake_gateway, key=None)
    assert r.exit_code == 0, r.output
    key_file = paths.aigate_config_dir() / "key"
    assert key_file.read_text().strip() == secret
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "Key: sk-...QRST" in r.stdout
    assert secret[3:-4] not in r.output
    assert "cat ~/.config/aigate/key" in r.stdout  # how to export it for Codex
    # the generated Claude script reads the kept key when the variable is not set
    script = paths.aigate_config_dir() / "aigate-claude.sh"
    env = {k: v for k, v in os.environ.items() if k != "AIGATE_API_KEY"}
    check = f'. "{script}" && [ "$ANTHROPIC_AUTH_TOKEN" = "$(cat "{key_file}")" ] && echo same'
    proc = subprocess.run(
        ["bash", "-c", check], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.stdout.strip() == "same", proc.stderr
    for p in paths.home().rglob("*"):
        if p.is_file() and p != key_file:
            assert secret[3:-4].encode() not in p.read_bytes(), p


def test_typed_key_not_kept_explains_export(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-typed0secret0key0not0kept0WXYZ"
    Script(monkeypatch, [secret, False, ["opencode"], ENTER, False, ENTER, ENTER, True])
    r = wizard_run(fake_gateway, key=None)
    assert r.exit_code == 0, r.output
    assert 'export AIGATE_API_KEY="sk-..."' in r.stdout
    assert not (paths.aigate_config_dir() / "key").exists()
    assert secret[3:-4] not in r.output


def test_ctrl_c_exits_130_and_writes_nothing(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    Script(monkeypatch, [ENTER, KeyboardInterrupt()])
    r = wizard_run(fake_gateway)
    assert r.exit_code == 130
    assert "interrupted" in r.stderr
    assert not (paths.codex_home() / "config.toml").exists()


def test_catalog_failure_retry_then_quit(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gateway.add_fault("/v1/models", status=401)
    s = Script(monkeypatch, ["retry", "quit"])
    r = wizard_run(fake_gateway)
    assert r.exit_code == 1
    assert [k for k, _, _ in s.asked] == ["select", "select"]
    assert r.stderr.count("error:") == 2  # shown once per attempt, not again on quit
    assert "401" in r.stderr


def test_catalog_failure_then_retry_succeeds(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gateway.add_fault("/v1/models", status=401, times=1)
    Script(monkeypatch, ["retry", ["codex"], ENTER, ENTER, ENTER, True])
    r = wizard_run(fake_gateway)
    assert r.exit_code == 0, r.output
    assert (paths.codex_home() / "config.toml").is_file()


def test_flags_skip_their_questions(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Script(monkeypatch, [ENTER, ENTER, ENTER])  # scope, show diffs, confirm
    r = wizard_run(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5-mini")
    assert r.exit_code == 0, r.output
    assert [k for k, _, _ in s.asked] == ["select", "confirm", "confirm"]
    assert "openai/gpt-5.5-mini" in (paths.codex_home() / "config.toml").read_text()


def test_smoke_failure_in_wizard_writes_nothing(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gateway.add_fault("/v1/responses", status=401)
    Script(monkeypatch, [["codex"], ENTER, ENTER, ENTER, True])
    r = wizard_run(fake_gateway)
    assert r.exit_code == 1
    assert "nothing was written" in r.stderr
    assert not (paths.codex_home() / "config.toml").exists()


def test_extra_models_and_claude_slots(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    Script(
        monkeypatch,
        [
            ["opencode", "claude"],
            "anthropic/claude-sonnet-4.6",
            False,  # change the Claude slots
            "anthropic/claude-opus-4.7",
            "anthropic/claude-sonnet-4.6",
            "anthropic/claude-sonnet-4.6",
            True,  # offer more models
            ["google/gemini-3-pro"],
            ENTER,
            ENTER,
            True,
        ],
    )
    r = wizard_run(fake_gateway)
    assert r.exit_code == 0, r.output
    opencode = (paths.xdg_config_home() / "opencode" / "opencode.json").read_text()
    assert "google/gemini-3-pro" in opencode
    script = (paths.aigate_config_dir() / "aigate-claude.sh").read_text()
    assert "ANTHROPIC_DEFAULT_HAIKU_MODEL" in script
    assert "claude-haiku" not in script


# --- hostile input (issue 18) ------------------------------------------------------------------

HOSTILE_ID = "acme/gpt-5{file:~/.ssh/id_rsa}"
EVERY_ROUTE = ["openai", "openai-response", "anthropic"]


def test_enter_through_a_hostile_catalog_never_picks_a_hostile_id(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gateway.set_catalog(
        {
            "data": [
                {"id": HOSTILE_ID, "supported_endpoint_types": EVERY_ROUTE},
                {
                    "id": "acme/ok-1",
                    "name": "OK {env:HOME}",
                    "supported_endpoint_types": EVERY_ROUTE,
                },
            ]
        }
    )
    monkeypatch.setenv("PATH", "")
    s = Script(monkeypatch, [["opencode", "kilo"], ENTER, ENTER, ENTER, ENTER, ENTER])
    r = wizard_run(fake_gateway)
    assert r.exit_code == 0, r.output
    assert s.asked[1][2] == "acme/ok-1"
    for path in (
        paths.xdg_config_home() / "opencode" / "opencode.json",
        paths.xdg_config_home() / "kilo" / "kilo.jsonc",
    ):
        text = path.read_text()
        assert "{file:" not in text and "{env:HOME}" not in text
        assert '"name": "OK env:HOME"' in text


def test_plain_http_to_another_host_asks_first(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = fake_gateway.base_url.replace("127.0.0.1", "0.0.0.0")  # not loopback, yet local
    s = Script(monkeypatch, [ENTER])  # default: no
    r = run_cli("init", "--base-url", base, env={"AIGATE_API_KEY": TEST_KEY})
    assert r.exit_code == 0, r.output
    assert s.asked == [("confirm", "Send your key over plain http to 0.0.0.0 anyway?", False)]
    assert "warning: --base-url http://0.0.0.0:" in r.stderr
    assert "--allow-insecure-http" in r.stderr
    assert "Nothing written." in r.stdout
    assert fake_gateway.requests == []

    s = Script(monkeypatch, [True, ["codex"], ENTER, ENTER, ENTER, True])
    r = run_cli("init", "--base-url", base, env={"AIGATE_API_KEY": TEST_KEY})
    assert r.exit_code == 0, r.output
    assert (paths.codex_home() / "config.toml").is_file()


def test_typed_key_loses_surrounding_quotes_and_line_breaks(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-typed0secret0key0quoted0WXYZ"
    Script(monkeypatch, [f' "{secret}"\r\n', True, ["codex"], ENTER, ENTER, False, ENTER, True])
    r = wizard_run(fake_gateway, key=None)
    assert r.exit_code == 0, r.output
    assert (paths.aigate_config_dir() / "key").read_bytes() == secret.encode() + b"\n"
    assert {q.key_suffix for q in fake_gateway.requests if q.method == "POST"} == {"WXYZ"}
    assert secret[3:-4] not in r.output


def test_key_prompt_refuses_a_key_with_inner_whitespace() -> None:
    from aigate_setup.commands.init_questions import key_answer, typed_key

    assert typed_key("  'sk-abc123456789'\r\n") == "sk-abc123456789"
    assert typed_key("\u201csk-abc123456789\u201d") == "sk-abc123456789"
    assert key_answer("sk-abc123456789\n") is True
    assert key_answer("   ") == "paste your key, e.g. sk-..."
    refused = key_answer("sk-abc 123456789")
    assert isinstance(refused, str) and "space" in refused and "123456789" not in refused


def test_project_scope_in_a_missing_directory_is_refused(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    typo = tmp_path / "no-such-project"
    Script(monkeypatch, [["codex"], ENTER, "project"])
    r = wizard_run(fake_gateway, "--project-dir", str(typo))
    assert r.exit_code == 2, r.output
    assert f"--project-dir {typo} does not exist" in r.stderr
    assert not typo.exists()
    assert [q for q in fake_gateway.requests if q.method == "POST"] == []


# --- mistakes caught where they happen (issue 16) ---------------------------------------------


def test_env_key_rejected_stops_before_any_question(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeGateway(keys=["sk-the0only0good0key0000"]) as gw:
        s = Script(monkeypatch, [])
        r = wizard_run(gw)
        assert [q.path for q in gw.requests] == ["/v1/balance"]
    assert r.exit_code == 1, r.output
    assert "the gateway rejected the key in $AIGATE_API_KEY" in r.stderr
    assert "--no-smoke-test" not in r.output
    assert s.asked == []


def test_rejected_typed_key_is_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    good = "sk-the0only0good0key0WXYZ"
    with FakeGateway(keys=[good]) as gw:
        s = Script(monkeypatch, ["sk-wrong0key00000000", good, False, ["codex"], ENTER, ENTER,
                                 ENTER, True])  # fmt: skip
        r = wizard_run(gw, key=None)
    assert r.exit_code == 0, r.output
    assert [k for k, _, _ in s.asked][:3] == ["password", "password", "confirm"]
    assert "the gateway rejected this key (401)" in r.stderr
    assert "key ok · balance $25.00" in r.stdout


def test_a_key_that_cannot_pay_is_a_warning(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gateway.add_fault("/v1/balance", status=402)
    Script(monkeypatch, [KeyboardInterrupt()])  # stop at the first question
    r = wizard_run(fake_gateway)
    assert r.exit_code == 130
    assert "warning: key ok, but 402 Payment Required" in r.stderr
    assert "top up" in r.stderr


def test_base_url_retry_then_quit_by_enter_never_loops(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gateway.add_fault("/v1/balance", status=503)
    s = Script(monkeypatch, [ENTER] * 5)
    r = wizard_run(fake_gateway)
    assert r.exit_code == 1, r.output
    assert [d for k, _, d in s.asked] == ["retry", "quit"]  # Enter: retry once, then quit
    assert r.stdout.count(f"Tried: {fake_gateway.base_url}") == 2


def test_broken_config_continue_without_that_client(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = paths.xdg_config_home() / "opencode" / "opencode.json"
    config.parent.mkdir(parents=True)
    config.write_text('{"model": "x/y",\n  "provider": {\n')
    s = Script(monkeypatch, [ENTER, ["codex"], ENTER, ENTER, ENTER, True])
    r = wizard_run(fake_gateway)
    assert r.exit_code == 0, r.output
    assert s.asked[0][1].startswith("Continue without OpenCode?")
    assert f"error: {config}:" in r.stderr
    choices = [c for c in s.asked if c[0] == "checkbox"]
    assert "opencode" not in choices[0][2]
    s = Script(monkeypatch, [False])
    r = wizard_run(fake_gateway)
    assert r.exit_code == 1 and [k for k, _, _ in s.asked] == ["confirm"]


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("https://api.aigate.shop", "https://api.aigate.shop/v1"),
        ("htps://api.aigate.shop/v1", "https://api.aigate.shop/v1"),
        ("https//api.aigate.shop/v1", "https://api.aigate.shop/v1"),
        ("api.aigate.shop/v1", "https://api.aigate.shop/v1"),
        ("https://api.aigate.shop/v1/chat/completions", "https://api.aigate.shop/v1"),
        ("https://api.aigate.shop/v1/models/", "https://api.aigate.shop/v1"),
        ("https://api.aigate.shop/v1/v1", "https://api.aigate.shop/v1"),
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787/v1"),
        ("https://api.aigate.shop/v1", None),
    ],
)
def test_base_url_suggestions(typed: str, suggested: str | None) -> None:
    from aigate_setup.commands.init_checks import suggest_base_url

    assert suggest_base_url(typed) == suggested


def test_unusable_models_are_listed_with_the_reason(fake_gateway: FakeGateway) -> None:
    from aigate_setup import catalog
    from aigate_setup.commands.init_questions import unusable_reasons
    from aigate_setup.options import Common

    cat = catalog.fetch_catalog(Common(base_url=fake_gateway.base_url), timeout=10)
    reasons = unusable_reasons(cat, ("codex", "opencode"))
    assert reasons["deepseek/deepseek-v3.2"] == "not usable by codex: no /v1/responses"
    assert "openai/gpt-5.5" not in reasons


def test_key_check_can_be_skipped_when_the_gateway_does_not_answer(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gateway.add_fault("/v1/balance", status=503)
    s = Script(monkeypatch, ["skip", ["codex"], ENTER, ENTER, ENTER, True])
    r = wizard_run(fake_gateway)
    assert r.exit_code == 0, r.output
    assert "note: the key was not checked; the smoke test will check it" in r.stderr
    assert s.asked[0][0] == "select" and (paths.codex_home() / "config.toml").is_file()
