"""Which gateway doctor and models check: --base-url > AIGATE_BASE_URL > the state file (the
last init) > the URL every configured client already points at > the default."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from conftest import TEST_KEY, run_cli
from doctor_support import ENV, get, init, opencode_json

from aigate_setup import state
from aigate_setup.constants import DEFAULT_BASE_URL
from aigate_setup.testing import FakeGateway


def remember(base_url: str) -> None:
    """A state file as the last `init --base-url base_url` leaves it."""
    at = datetime.now(timezone.utc).isoformat()
    record = state.RunRecord(command="init", at=at, base_url=base_url, key_env="AIGATE_API_KEY")
    state.path().parent.mkdir(parents=True, exist_ok=True)
    state.path().write_bytes(state.dump(state.State(runs=(record,))))


def forget() -> None:
    state.path().unlink(missing_ok=True)


def doctor_json(*args: str) -> tuple[int, list[dict[str, object]]]:
    r = run_cli("doctor", "--format", "json", *args, env=ENV)
    assert TEST_KEY not in r.output
    return r.exit_code, json.loads(r.stdout)["checks"]


def test_doctor_uses_the_remembered_gateway(fake_gateway: FakeGateway) -> None:
    init(fake_gateway)
    remember(fake_gateway.base_url)
    fake_gateway.clear_log()
    code, checks = doctor_json()
    assert code == 0, [c for c in checks if c["status"] == "fail"]
    assert get(checks, "codex.base_url")["status"] == "pass"
    assert "/v1/models" in {r.path for r in fake_gateway.requests}
    doc = json.loads(run_cli("doctor", "--format", "json", "--offline", env=ENV).stdout)
    assert doc["gateway"] == {"base_url": fake_gateway.base_url, "origin": "state"}


def test_the_flag_and_the_variable_beat_the_state_file(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex")
    remember("http://127.0.0.1:9/v1")
    code, checks = doctor_json("--offline", "--base-url", fake_gateway.base_url)
    assert code == 0 and get(checks, "codex.base_url")["status"] == "pass"
    r = run_cli(
        "doctor",
        "--format",
        "json",
        "--offline",
        env={**ENV, "AIGATE_BASE_URL": fake_gateway.base_url},
    )
    assert r.exit_code == 0, r.output
    r = run_cli("doctor", "--offline", env={**ENV, "AIGATE_BASE_URL": fake_gateway.base_url})
    assert f"Gateway ({fake_gateway.base_url}, from AIGATE_BASE_URL)" in r.stdout
    r = run_cli("doctor", "--offline", env=ENV)
    assert "Gateway (http://127.0.0.1:9/v1, from the last init)" in r.stdout


def test_models_uses_the_remembered_gateway(fake_gateway: FakeGateway) -> None:
    remember(fake_gateway.base_url)
    r = run_cli("models", "--format", "json", env={"AIGATE_API_KEY": TEST_KEY})
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["models"]
    assert [r.path for r in fake_gateway.requests] == ["/v1/models"]


def test_init_and_check_do_not_use_the_state_file(fake_gateway: FakeGateway) -> None:
    from aigate_setup import cli

    remember(fake_gateway.base_url)
    assert cli._base_url(None, "init") == (DEFAULT_BASE_URL, "default")
    assert cli._base_url(None, "check") == (DEFAULT_BASE_URL, "default")
    assert cli._base_url(None, "doctor") == (fake_gateway.base_url, "state")


def test_without_a_state_file_doctor_checks_the_gateway_the_clients_use(
    fake_gateway: FakeGateway,
) -> None:
    init(fake_gateway)
    forget()
    code, checks = doctor_json()
    assert code == 0, [c for c in checks if c["status"] == "fail"]
    for client in ("codex", "opencode", "kilo", "claude"):
        assert get(checks, f"{client}.base_url")["status"] == "pass", client
    r = run_cli("doctor", "--offline", env=ENV)
    assert f"Gateway ({fake_gateway.base_url}, from the clients' configs)" in r.stdout


def test_clients_that_disagree_are_checked_against_the_default(fake_gateway: FakeGateway) -> None:
    init(fake_gateway, "codex", "opencode")
    forget()
    other = "http://127.0.0.1:9/v1"
    text = opencode_json().read_text().replace(fake_gateway.base_url, other)
    opencode_json().write_text(text)
    code, checks = doctor_json("--offline")
    assert code == 1
    detail = str(get(checks, "codex.base_url")["detail"])
    assert f"expected {DEFAULT_BASE_URL}" in detail
