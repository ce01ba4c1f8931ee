"""`aigate-setup init`, scripted (--yes / no TTY), through the CLI against the loopback gateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TEST_KEY, run_cli
from init_support import (
    ALL,
    SECRET,
    SMOKE_ROUTES,
    backup_runs,
    init,
    init_json,
    posts,
    sandbox_root,
    snapshot,
)

from aigate_setup import paths
from aigate_setup.testing import FakeGateway

# --- success ---------------------------------------------------------------------------------


def test_all_four_clients_json_then_rerun_is_unchanged(fake_gateway: FakeGateway) -> None:
    r, doc = init_json(fake_gateway, "--model", "openai/gpt-5.5")
    assert r.exit_code == 0, r.stderr
    assert set(doc) == {
        "version", "command", "status", "files", "smoke", "run_id", "dry_run", "warnings",
        "replaced", "defaults_replaced", "notices",
    }  # fmt: skip
    assert (doc["version"], doc["command"], doc["status"], doc["dry_run"]) == (
        1,
        "init",
        "ok",
        False,
    )
    assert {f["client"] for f in doc["files"]} == set(ALL)
    for f in doc["files"]:
        assert set(f) == {"client", "path", "status"}
        assert f["status"] == "created"
        assert Path(f["path"]).is_file()
    assert [s["client"] for s in doc["smoke"]] == list(ALL)
    for s in doc["smoke"]:
        assert set(s) == {"client", "model", "route", "ok", "status", "ms", "message"}
        assert s["ok"] is True and s["model"] == "openai/gpt-5.5"
        assert isinstance(s["ms"], int)
    routes = {s["client"]: s["route"] for s in doc["smoke"]}
    assert routes["codex"].endswith("/responses")
    assert routes["opencode"].endswith("/chat/completions")
    assert routes["claude"].endswith("/v1/messages")
    assert doc["run_id"] and backup_runs() == [doc["run_id"]]
    home = paths.home()
    assert (home / ".codex" / "config.toml").is_file()
    assert (home / ".config" / "aigate" / "aigate-claude.sh").is_file()
    before = snapshot(sandbox_root())

    r2, doc2 = init_json(fake_gateway, "--model", "openai/gpt-5.5")
    assert r2.exit_code == 0, r2.stderr
    assert [f["status"] for f in doc2["files"]] == ["unchanged"] * len(doc["files"])
    assert doc2["run_id"] is None
    assert backup_runs() == [doc["run_id"]]
    assert snapshot(sandbox_root()) == before


@pytest.mark.parametrize("shape", ["openai", "openrouter"])
def test_other_catalog_shapes(fake_gateway: FakeGateway, shape: str) -> None:
    fake_gateway.set_catalog(shape)  # type: ignore[arg-type]
    r, doc = init_json(fake_gateway, "--model", "anthropic/claude-sonnet-4.6")
    assert r.exit_code == 0, r.stderr
    assert all(s["ok"] for s in doc["smoke"]) and len(doc["smoke"]) == 4
    r = init(fake_gateway, "--model", "openai/text-embedding-3-small")
    assert r.exit_code == 2 and "embedding model" in r.stderr


def test_text_summary(fake_gateway: FakeGateway) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert "Smoke test:" in out
    for client in ALL:
        assert f"{client}" in out
    assert "created" in out
    (run_id,) = backup_runs()
    assert f"aigate-setup restore {run_id}" in out
    assert "codex:     codex" in out
    assert "opencode:  opencode" in out
    assert "kilo:      kilo" in out
    assert "claude:    claude\n" in out  # settings.json: nothing to load first
    assert "a new terminal: has $AIGATE_API_KEY only if your own startup files set it" in out
    assert "~/.codex/config.toml" in out
    assert "export AIGATE_API_KEY" not in out  # the variable is set
    assert "Traceback" not in r.output


def test_one_client_and_smoke_routes(fake_gateway: FakeGateway) -> None:
    r, doc = init_json(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5")
    assert r.exit_code == 0, r.stderr
    assert {f["client"] for f in doc["files"]} == {"codex"}
    assert posts(fake_gateway) == ["/v1/responses"]
    assert not (paths.aigate_config_dir() / "aigate-claude.sh").exists()


def test_no_smoke_test_without_key_warns_and_explains_export(fake_gateway: FakeGateway) -> None:
    r = init(
        fake_gateway, "--model", "openai/gpt-5.5", "--no-smoke-test", key=None, SHELL="/bin/bash"
    )
    assert r.exit_code == 0, r.stderr
    assert "AIGATE_API_KEY is not set" in r.stderr
    # Next steps name the user's own shell only
    assert 'export AIGATE_API_KEY="sk-..."' in r.stdout
    assert "set -gx" not in r.stdout and "$env:" not in r.stdout
    assert posts(fake_gateway) == []
    assert (paths.codex_home() / "config.toml").is_file()
    fish = init(
        fake_gateway, "--model", "openai/gpt-5.5", "--no-smoke-test", key=None, SHELL="fish"
    )
    assert 'set -gx AIGATE_API_KEY "sk-..."' in fish.stdout and "export " not in fish.stdout
    pwsh = init(
        fake_gateway, "--model", "openai/gpt-5.5", "--no-smoke-test", key=None, SHELL="pwsh"
    )
    assert '$env:AIGATE_API_KEY = "sk-..."' in pwsh.stdout
    # Claude Code reads ~/.claude/settings.json (written by default): nothing to load first
    assert "claude:    claude\n" in pwsh.stdout


def test_project_scope(fake_gateway: FakeGateway, tmp_path: Path) -> None:
    project = tmp_path / "project"
    r, doc = init_json(
        fake_gateway, "--model", "openai/gpt-5.5", "--scope", "project", "--client", "opencode"
    )
    assert r.exit_code == 0, r.stderr
    assert [Path(f["path"]) for f in doc["files"]] == [project / "opencode.json"]


def test_unparsable_config_stops_before_any_request(fake_gateway: FakeGateway) -> None:
    config = paths.codex_home() / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('model = "x"\n[model_providers.aigate\n')
    before = snapshot(sandbox_root())
    r = init(fake_gateway, "--model", "openai/gpt-5.5")
    assert r.exit_code == 1
    assert f"error: {config}:2:" in r.stderr
    assert posts(fake_gateway) == []
    assert snapshot(sandbox_root()) == before


# --- dry run ---------------------------------------------------------------------------------


def test_dry_run_writes_nothing(fake_gateway: FakeGateway) -> None:
    before = snapshot(sandbox_root())
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert snapshot(sandbox_root()) == before
    assert posts(fake_gateway) == []
    assert "+++ " in r.stdout and "model_providers.aigate" in r.stdout
    assert "Would write (dry run, nothing written):" in r.stdout
    assert "\033[" not in r.stdout  # no colour off a TTY
    assert backup_runs() == []


def test_dry_run_json_keeps_stdout_one_document(fake_gateway: FakeGateway) -> None:
    r, doc = init_json(fake_gateway, "--model", "openai/gpt-5.5", "--dry-run")
    assert r.exit_code == 0
    assert doc["dry_run"] is True and doc["run_id"] is None and doc["smoke"] == []
    assert {f["status"] for f in doc["files"]} == {"created"}
    assert "+++ " in r.stderr
    assert not (paths.codex_home() / "config.toml").exists()


def test_dry_run_needs_no_key(fake_gateway: FakeGateway) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--dry-run", key=None)
    assert r.exit_code == 0, r.stderr


# --- usage errors (exit 2, before any write or smoke request) ------------------------------


def test_missing_model_lists_chat_models(fake_gateway: FakeGateway) -> None:
    r = init(fake_gateway)
    assert r.exit_code == 2
    assert "error: --model is required with --yes" in r.stderr
    assert "hint: e.g. --model openai/gpt-5.5 (or " in r.stderr
    assert "text-embedding" not in r.stderr
    assert posts(fake_gateway) == []


def test_missing_model_without_catalog_has_generic_hint() -> None:
    r = run_cli("init", "--yes", "--base-url", "http://127.0.0.1:9/v1", env={"AIGATE_TIMEOUT": "2"})
    assert r.exit_code == 2
    assert "--model is required" in r.stderr
    assert "aigate-setup models --kind chat" in r.stderr


def test_no_tty_without_yes_is_usage_error_not_a_hang(fake_gateway: FakeGateway) -> None:
    r = run_cli("init", "--base-url", fake_gateway.base_url, "--model", "openai/gpt-5.5")
    assert r.exit_code == 2
    assert "hint: pass --yes and flags, or run in a terminal" in r.stderr
    assert fake_gateway.requests == []


def test_no_tty_subprocess_exits_quickly(fake_gateway: FakeGateway) -> None:
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "aigate_setup", "--base-url", fake_gateway.base_url],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        env=dict(os.environ),
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "pass --yes and flags, or run in a terminal" in proc.stderr
    assert time.monotonic() - start < 20


def test_missing_key_with_smoke_test_explains_every_shell(fake_gateway: FakeGateway) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5", key=None)
    assert r.exit_code == 2
    assert "$AIGATE_API_KEY is not set" in r.stderr
    assert 'bash/zsh: export AIGATE_API_KEY="sk-..."' in r.stderr
    assert 'fish: set -gx AIGATE_API_KEY "sk-..."' in r.stderr
    assert 'PowerShell: $env:AIGATE_API_KEY = "sk-..."' in r.stderr
    assert "--no-smoke-test" in r.stderr


def test_custom_key_env(fake_gateway: FakeGateway) -> None:
    r = run_cli(
        "init", "--yes", "--base-url", fake_gateway.base_url, "--model", "openai/gpt-5.5",
        "--key-env", "MY_GATE_KEY", "--client", "codex",
        env={"MY_GATE_KEY": TEST_KEY},
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert 'env_key = "MY_GATE_KEY"' in (paths.codex_home() / "config.toml").read_text()


@pytest.mark.parametrize(
    ("args", "message", "closest"),
    [
        (["--model", "openai/gpt-5.55"], "--model 'openai/gpt-5.55' is not in the gateway's model catalog", "openai/gpt-5.5"),
        (["--model", "openai/text-embedding-3-small"], "is an embedding model; coding clients need a chat model", "openai/"),
        (["--model", "openai/gpt-image-2"], "is an image model", "openai/"),
        (["--model", "klingai/kling-v3.0-t2v"], "is a video model", "closest chat models: "),
        (["--model", "openai/gpt-5.5", "--client", "claude", "--claude-opus", "anthropic/claude-opus-9"], "--claude-opus 'anthropic/claude-opus-9' is not in", "anthropic/claude-opus-4.7"),
        (["--model", "openai/gpt-5.5", "--client", "kilo", "--extra-model", "google/gemini-9"], "--extra-model 'google/gemini-9' is not in", "google/gemini-3-pro"),
    ],
)  # fmt: skip
def test_unknown_or_unsuitable_model(
    fake_gateway: FakeGateway, args: list[str], message: str, closest: str
) -> None:
    before = snapshot(sandbox_root())
    r = init(fake_gateway, *args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr
    assert "hint: closest chat models: " in r.stderr
    hint = r.stderr.split("hint:", 1)[1]
    assert closest in hint
    assert "embedding" not in hint and "image" not in hint
    assert posts(fake_gateway) == []
    assert snapshot(sandbox_root()) == before


def test_model_not_usable_by_a_client(fake_gateway: FakeGateway) -> None:
    r = init(fake_gateway, "--model", "deepseek/deepseek-v3.2", "--client", "codex")
    assert r.exit_code == 2
    assert "--model 'deepseek/deepseek-v3.2' cannot be used by codex" in r.stderr
    # Only codex was asked for, so there is no subset of clients to suggest.
    assert "only the clients that can use it" not in r.stderr
    assert posts(fake_gateway) == []


def test_model_not_usable_by_some_clients_names_the_ones_that_can(
    fake_gateway: FakeGateway,
) -> None:
    r = init(fake_gateway, "--model", "deepseek/deepseek-v3.2")
    assert r.exit_code == 2
    assert "cannot be used by codex, claude" in r.stderr
    assert "only the clients that can use it: --client opencode --client kilo" in r.stderr
    assert posts(fake_gateway) == []
    # ...but it is fine for a chat-completions client
    r = init(fake_gateway, "--model", "deepseek/deepseek-v3.2", "--client", "opencode")
    assert r.exit_code == 0, r.stderr


def test_bad_timeout_variable(fake_gateway: FakeGateway) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5", AIGATE_TIMEOUT="soon")
    assert r.exit_code == 2
    assert "AIGATE_TIMEOUT='soon' is not a positive number" in r.stderr


# --- catalog ---------------------------------------------------------------------------------


def test_catalog_unreachable_without_cache_fails() -> None:
    before = snapshot(sandbox_root())
    r = run_cli(
        "init", "--yes", "--base-url", "http://127.0.0.1:9/v1", "--model", "openai/gpt-5.5",
        env={"AIGATE_API_KEY": TEST_KEY, "AIGATE_TIMEOUT": "2"},
    )  # fmt: skip
    assert r.exit_code == 1
    assert "127.0.0.1:9" in r.stderr
    assert "hint:" in r.stderr
    assert snapshot(sandbox_root()) == before


def test_cached_catalog_is_used_and_said(fake_gateway: FakeGateway) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--dry-run")
    assert r.exit_code == 0
    fake_gateway.add_fault("/v1/models", status=503)
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert "using cached catalog from" in r.stderr


# --- smoke failures: nothing written, exit 1 -------------------------------------------------

ACTIONS = {
    400: "",
    401: "key",
    402: "top up",
    403: "access",
    404: "models",
    413: "",
    429: "",
    500: "",
    502: "",
    503: "",
}


@pytest.mark.parametrize("status", sorted(ACTIONS))
def test_smoke_failure_writes_nothing(fake_gateway: FakeGateway, status: int) -> None:
    for route in SMOKE_ROUTES:
        fake_gateway.add_fault(route, status=status, retry_after=0)
    before = snapshot(sandbox_root())
    r = init(fake_gateway, "--model", "openai/gpt-5.5")
    assert r.exit_code == 1, r.output
    assert snapshot(sandbox_root()) == before
    assert "nothing was written" in r.stderr
    assert "Smoke test:" in r.stdout
    assert str(status) in r.stdout
    assert ACTIONS[status].lower() in r.output.lower()
    assert "Traceback" not in r.output
    if status in (400, 401, 402, 403, 404, 413):  # never retried
        assert len(posts(fake_gateway)) == 4


def test_smoke_failure_json_document(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/messages", status=402)
    r, doc = init_json(fake_gateway, "--model", "openai/gpt-5.5")
    assert r.exit_code == 1
    assert doc["status"] == "fail" and doc["run_id"] is None
    by_client = {s["client"]: s for s in doc["smoke"]}
    assert by_client["claude"]["ok"] is False and by_client["claude"]["status"] == 402
    assert by_client["codex"]["ok"] is True
    assert all(f["status"] == "created" for f in doc["files"])  # what would have been written
    assert not (paths.codex_home() / "config.toml").exists()
    assert "smoke test failed for claude; nothing was written" in r.stderr


def test_429_then_success(fake_gateway: FakeGateway) -> None:
    for route in SMOKE_ROUTES:
        fake_gateway.add_fault(route, status=429, retry_after=0, times=1)
    r, doc = init_json(fake_gateway, "--model", "openai/gpt-5.5")
    assert r.exit_code == 0, r.stderr
    assert all(s["ok"] for s in doc["smoke"])
    assert (paths.codex_home() / "config.toml").is_file()


def test_html_error_page(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/chat/completions", status=404, html=True)
    before = snapshot(sandbox_root())
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--client", "opencode")
    assert r.exit_code == 1
    assert "<html" not in r.output.lower()
    assert "404" in r.stdout
    assert snapshot(sandbox_root()) == before


def test_hang_times_out(fake_gateway: FakeGateway) -> None:
    fake_gateway.add_fault("/v1/responses", hang=True)
    before = snapshot(sandbox_root())
    start = time.monotonic()
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--client", "codex", AIGATE_TIMEOUT="1")
    assert r.exit_code == 1, r.output
    assert time.monotonic() - start < 15
    assert "time" in r.stdout.lower()  # "timed out" / "timeout"
    assert snapshot(sandbox_root()) == before


def test_connection_refused(fake_gateway: FakeGateway) -> None:
    # Prime the catalog cache, then stop the gateway: the smoke test cannot connect.
    assert init(fake_gateway, "--model", "openai/gpt-5.5", "--dry-run").exit_code == 0
    fake_gateway.stop()
    before = snapshot(sandbox_root())
    r = init(fake_gateway, "--model", "openai/gpt-5.5", AIGATE_TIMEOUT="2")
    assert r.exit_code == 1, r.output
    assert "using cached catalog" in r.stderr
    assert "nothing was written" in r.stderr
    assert snapshot(sandbox_root()) == before


# --- Kilo legacy export ----------------------------------------------------------------------


def test_kilo_legacy_export(fake_gateway: FakeGateway, tmp_path: Path) -> None:
    target = tmp_path / "project" / "kilo-settings.json"
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--client", "kilo",
             "--kilo-legacy-export", "kilo-settings.json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    data = json.loads(target.read_text())
    profile = data["providerProfiles"]["apiConfigs"]["aigate"]
    assert profile["apiProvider"] == "openai"
    assert profile["openAiBaseUrl"] == fake_gateway.base_url
    assert profile["openAiModelId"] == "openai/gpt-5.5"
    assert TEST_KEY not in target.read_text()
    assert "Kilo Code extension 5.x and older" in r.stdout
    assert "kilo-settings.json with Import" in r.stdout


# --- secrets ---------------------------------------------------------------------------------


def test_key_never_appears_anywhere(fake_gateway: FakeGateway) -> None:
    outputs = []
    for args in (
        ["--dry-run"],
        [],
        ["--format", "json"],
        ["--extra-model", "google/gemini-3-pro"],
    ):
        r = init(fake_gateway, "--model", "openai/gpt-5.5", *args, key=SECRET)
        assert r.exit_code == 0, r.stderr
        outputs.append(r.output)
    fake_gateway.add_fault("/v1/messages", status=401)
    r = init(fake_gateway, "--model", "openai/gpt-5.5", key=SECRET)
    assert r.exit_code == 1
    outputs.append(r.output)
    r = init(fake_gateway, "--model", "nope/nope", key=SECRET)
    assert r.exit_code == 2
    outputs.append(r.output)
    body = SECRET[3:-4]  # even a partial leak counts
    for text in outputs:
        assert body not in text
    for p in sandbox_root().rglob("*"):
        if p.is_file():
            assert body.encode() not in p.read_bytes(), p
