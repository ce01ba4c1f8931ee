"""`aigate-setup status` for Qwen Code, Continue CLI and Aider: each layer the real client
reads that overrides what aigate-setup wrote (an exported variable, a `.env` file, a project
file, a remembered choice) is named with its origin; status exits 1 when it sends requests
elsewhere, 0 when nothing does (docs/clients/{qwen,continue,aider}.md, "What wins")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from test_status import ENV, client, home, init, project, status, write

from aigate_setup.testing import FakeGateway

OTHER = "https://other.example/v1"


def setup(gw: FakeGateway, name: str, *extra: str) -> None:
    project()
    r = init(gw, "--client", name, *extra)
    assert r.exit_code == 0, r.output


def override(doc: Any, name: str, what: str) -> dict[str, Any]:
    (found,) = [o for o in client(doc, name)["overrides"] if o["what"] == what]
    return dict(found)


def assert_blocked(gw: FakeGateway, name: str, what: str, origin: str, env: dict[str, str]
                   ) -> dict[str, Any]:  # fmt: skip
    """status exits 1 and names `what` at `origin` (a path, `path:line` or `env:NAME`)."""
    r, doc = status(gw, env=env)
    assert r.exit_code == 1, r.output
    assert TEST_KEY not in r.output
    c = client(doc, name)
    assert c["configured"] and not c["reaches_aigate"], c
    found = override(doc, name, what)
    assert found["origin"] == origin or found["origin"].startswith(origin + ":"), found
    return found


def assert_reaches(gw: FakeGateway, name: str, env: dict[str, str] | None = None) -> Any:
    r, doc = status(gw, env=env)
    assert r.exit_code == 0, r.output
    c = client(doc, name)
    assert c["configured"] and c["reaches_aigate"], c
    return c


# --------------------------------------------------------------------------- Aider


def test_aider_healthy_no_override(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    c = assert_reaches(fake_gateway, "aider")
    assert c["overrides"] == []
    assert c["effective"]["model"] == "openai/openai/gpt-5.5"
    assert c["effective"]["credential"] == "$AIGATE_API_KEY"
    env_file = home() / ".config" / "aigate" / "aider.env"
    assert c["origins"]["credential"].startswith(f"{env_file}:")


def test_aider_exported_model_elsewhere(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    env = {"AIDER_MODEL": "anthropic/claude-sonnet-4-5"}
    found = assert_blocked(fake_gateway, "aider", "AIDER_MODEL", "env:AIDER_MODEL", env)
    assert found["value"] == "anthropic/claude-sonnet-4-5"
    text = status_text(fake_gateway, env)
    assert "exported AIDER_MODEL" in text


def test_aider_exported_gateway_model_is_named_not_blocking(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    c = assert_reaches(fake_gateway, "aider", {"AIDER_MODEL": "openai/openai/gpt-4o"})
    assert c["effective"]["model"] == "openai/openai/gpt-4o"
    assert c["origins"]["model"] == "env:AIDER_MODEL"
    assert [o["what"] for o in c["overrides"]] == ["AIDER_MODEL"]


def test_aider_openai_base_url_beats_openai_api_base(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    env = {"OPENAI_BASE_URL": OTHER}
    assert_blocked(fake_gateway, "aider", "OPENAI_BASE_URL", "env:OPENAI_BASE_URL", env)
    _, doc = status(fake_gateway, env=env)
    assert client(doc, "aider")["effective"]["base_url"] == OTHER


def test_aider_exported_openai_api_base_loses_to_the_conf(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    c = assert_reaches(fake_gateway, "aider", {"OPENAI_API_BASE": OTHER})
    assert c["overrides"] == []


def test_aider_exported_aider_api_base(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    env = {"AIDER_OPENAI_API_BASE": OTHER}
    assert_blocked(fake_gateway, "aider", "AIDER_OPENAI_API_BASE", "env:AIDER_OPENAI_API_BASE",
                   env)  # fmt: skip


def test_aider_project_conf_model_wins(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    conf = write(project() / ".aider.conf.yml", "# mine\nmodel: gpt-4o\n")
    found = assert_blocked(fake_gateway, "aider", "model", f"{conf}:2", {})
    assert found["value"] == "gpt-4o"


def test_aider_dotenv_in_the_project_sets_aider_vars(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    dotenv = write(project() / ".env", "# local\nAIDER_OPENAI_API_BASE=https://other.example/v1\n")
    assert_blocked(fake_gateway, "aider", "AIDER_OPENAI_API_BASE", f"{dotenv}:2", {})


def test_aider_dotenv_beats_an_exported_variable(fake_gateway: FakeGateway) -> None:
    # python-dotenv override=True: the home .env wins over the exported (good) value
    setup(fake_gateway, "aider")
    dotenv = write(home() / ".env", f"OPENAI_BASE_URL={OTHER}\n")
    env = {"OPENAI_BASE_URL": fake_gateway.base_url}
    assert_blocked(fake_gateway, "aider", "OPENAI_BASE_URL", f"{dotenv}:1", env)


def test_aider_exported_openai_api_key_loses_to_the_env_file(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    c = assert_reaches(fake_gateway, "aider", {"OPENAI_API_KEY": "sk-other-0000000000000000"})
    assert c["effective"]["credential"] == "$AIGATE_API_KEY"


def test_aider_exported_aider_key_is_another_credential(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    other = "sk-other-0123456789abcdefOTHR"
    env = {"AIDER_OPENAI_API_KEY": other}
    found = assert_blocked(fake_gateway, "aider", "AIDER_OPENAI_API_KEY",
                           "env:AIDER_OPENAI_API_KEY", env)  # fmt: skip
    assert other not in found["value"] and found["value"].endswith("OTHR")
    # the AIGate key itself under that name is no override
    assert_reaches(fake_gateway, "aider", {"AIDER_OPENAI_API_KEY": TEST_KEY})


def test_aider_exported_env_file_replaces_the_conf_one(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "aider")
    mine = write(home() / "mine.env", "ANTHROPIC_API_KEY=x\n")
    env = {"AIDER_ENV_FILE": str(mine)}
    assert_blocked(fake_gateway, "aider", "AIDER_ENV_FILE", "env:AIDER_ENV_FILE", env)


def status_text(gw: FakeGateway, env: dict[str, str]) -> str:
    from conftest import run_cli

    r = run_cli("status", "--base-url", gw.base_url, env={**ENV, **env})
    return r.stdout


# --------------------------------------------------------------------------- Qwen Code


def qwen_user() -> Path:
    return home() / ".qwen" / "settings.json"


def test_qwen_healthy_no_override_and_openai_vars_lose(fake_gateway: FakeGateway) -> None:
    # the aigate entry's baseUrl and envKey come before OPENAI_BASE_URL / OPENAI_API_KEY,
    # and model.name before OPENAI_MODEL
    setup(fake_gateway, "qwen")
    assert assert_reaches(fake_gateway, "qwen")["overrides"] == []
    env = {"OPENAI_BASE_URL": OTHER, "OPENAI_MODEL": "gpt-4o", "OPENAI_API_KEY": "sk-o-1234"}
    c = assert_reaches(fake_gateway, "qwen", env)
    assert c["overrides"] == []
    assert c["effective"]["model"] == "openai/gpt-5.5"
    assert c["effective"]["credential"] == "$AIGATE_API_KEY"


def test_qwen_project_settings_model_wins(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "qwen")
    path = write(
        project() / ".qwen" / "settings.json", '{\n  "model": {"name": "qwen3-coder"}\n}\n'
    )
    found = assert_blocked(fake_gateway, "qwen", "model.name", f"{path}:2", {})
    assert found["value"] == "qwen3-coder"
    # then OPENAI_BASE_URL decides where it goes
    _, doc = status(fake_gateway, env={"OPENAI_BASE_URL": OTHER})
    c = client(doc, "qwen")
    assert c["effective"]["base_url"] == OTHER and c["origins"]["base_url"] == "env:OPENAI_BASE_URL"


def test_qwen_project_model_providers_hide_aigate(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "qwen")
    text = '{"modelProviders": {"openai": [{"id": "gpt-4o"}]}}\n'
    path = write(project() / ".qwen" / "settings.json", text)
    assert_blocked(fake_gateway, "qwen", "modelProviders", str(path), {})


def test_qwen_project_selected_type(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "qwen")
    text = '{"security": {"auth": {"selectedType": "qwen-oauth"}}}\n'
    path = write(project() / ".qwen" / "settings.json", text)
    assert_blocked(fake_gateway, "qwen", "security.auth.selectedType", str(path), {})
    _, doc = status(fake_gateway)
    assert client(doc, "qwen")["effective"]["provider"] == "qwen-oauth"


def test_qwen_openai_api_key_when_the_key_variable_is_unset(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "qwen")
    dotenv = write(project() / ".env", "OPENAI_API_KEY=sk-other-0123456789abcdefOTHR\n")
    found = assert_blocked(fake_gateway, "qwen", "OPENAI_API_KEY", f"{dotenv}:1",
                           {"AIGATE_API_KEY": ""})  # fmt: skip
    assert found["value"].endswith("OTHR") and "0123456789" not in found["value"]
    # the key variable set in a .env file (fills only what is unset): no override
    write(project() / ".qwen" / ".env", f"AIGATE_API_KEY={TEST_KEY}\n")
    assert_reaches(fake_gateway, "qwen", {"AIGATE_API_KEY": ""})


# --------------------------------------------------------------------------- Continue CLI


def continue_config(gw: FakeGateway) -> Path:
    """Ours first (the default), then one of the user's own models."""
    text = f"""name: Mine
version: 1.0.0
models:
  - name: aigate/openai/gpt-5.5
    provider: openai
    model: openai/gpt-5.5
    apiBase: {gw.base_url}
    apiKey: ${{{{ secrets.AIGATE_API_KEY }}}}
  - name: my-gpt
    provider: openai
    model: gpt-4o
    apiKey: ${{{{ secrets.OPENAI_API_KEY }}}}
"""
    return write(home() / ".continue" / "config.yaml", text)


def test_continue_healthy_no_override(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "continue")
    c = assert_reaches(fake_gateway, "continue", {"OPENAI_BASE_URL": OTHER})
    assert c["overrides"] == []
    continue_config(fake_gateway)
    assert assert_reaches(fake_gateway, "continue")["overrides"] == []


def test_continue_remembered_model_wins(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "continue")
    continue_config(fake_gateway)
    context = write(home() / ".continue" / "index" / "globalContext.json",
                    '{\n  "cliSelectedModel": "my-gpt"\n}\n')  # fmt: skip
    found = assert_blocked(fake_gateway, "continue", "cliSelectedModel", f"{context}:2", {})
    assert found["value"] == "my-gpt"
    _, doc = status(fake_gateway)
    assert client(doc, "continue")["effective"]["base_url"] == "https://api.openai.com/v1"
    # a remembered name the config does not have: cn takes the first chat model
    write(context, '{"cliSelectedModel": "gone"}')
    assert assert_reaches(fake_gateway, "continue")["overrides"] == []


def test_continue_dotenv_moves_the_config_dir(fake_gateway: FakeGateway) -> None:
    setup(fake_gateway, "continue")
    dotenv = write(project() / ".env", "CONTINUE_GLOBAL_DIR=elsewhere\n")
    found = assert_blocked(fake_gateway, "continue", "CONTINUE_GLOBAL_DIR", f"{dotenv}:1", {})
    assert found["value"] == str(project() / "elsewhere")


# --------------------------------------------------------------------------- e2e
# The real binaries settle what the resolvers claim: two loopback gateways, aigate-setup's
# config on the first, the override on the second; the one that gets the request wins.


def _e2e_pair(name: str, extra_env: dict[str, str], plant: Any = None) -> tuple[Any, Any, Any]:
    """(requests to the AIGate gateway, requests to the other one, status JSON)."""
    from e2e_support import (
        MORE_OFFLINE_ENV,
        aigate,
        base_env,
        more_argv,
        more_clients,
        pinned_bin,
        run,
    )

    bin_dir = pinned_bin(more_clients)
    cwd = Path.cwd()
    with (
        FakeGateway(catalog="newapi", keys=[TEST_KEY]) as ours,
        FakeGateway(catalog="newapi", keys=[TEST_KEY]) as other,
    ):
        env = base_env(bin_dir, cwd, TEST_KEY)
        r = aigate("init", "--yes", "--no-smoke-test", "--base-url", ours.base_url, "--client",
                   name, "--model", "openai/gpt-5.5", env=env, cwd=cwd, timeout=120)  # fmt: skip
        assert r.returncode == 0, r.describe()
        values = {k: v.replace("{other}", other.base_url) for k, v in extra_env.items()}
        if plant is not None:
            plant(other.base_url)
        env.update(values)
        st = aigate("status", "--format", "json", "--base-url", ours.base_url, env=env, cwd=cwd)
        env.update(MORE_OFFLINE_ENV[name])
        ours.clear_log()
        done = run(more_argv(name), env, cwd)
        assert not done.timed_out, done.describe()
        chat = "/v1/chat/completions"
        sent = [q for q in ours.requests if q.path == chat], [
            q for q in other.requests if q.path == chat]  # fmt: skip
        return sent[0], sent[1], (st.returncode, json.loads(st.stdout))


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_e2e_aider_follows_openai_base_url() -> None:
    to_ours, to_other, (code, doc) = _e2e_pair("aider", {"OPENAI_BASE_URL": "{other}"})
    assert to_other and not to_ours
    assert code == 1
    assert [o["what"] for o in client(doc, "aider")["overrides"]] == ["OPENAI_BASE_URL"]


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_e2e_qwen_keeps_the_entry_url_over_openai_base_url() -> None:
    env = {"OPENAI_BASE_URL": "{other}", "OPENAI_MODEL": "gpt-4o"}
    to_ours, to_other, (code, doc) = _e2e_pair("qwen", env)
    assert to_ours and not to_other
    assert code == 0 and client(doc, "qwen")["overrides"] == []


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_e2e_continue_follows_the_remembered_model() -> None:
    def plant(url: str) -> None:
        config = home() / ".continue" / "config.yaml"
        config.write_text(config.read_text() + f"  - name: my-gpt\n    provider: openai\n"
                          f"    model: gpt-4o\n    apiBase: {url}\n"
                          "    apiKey: ${{ secrets.AIGATE_API_KEY }}\n")  # fmt: skip
        write(home() / ".continue" / "index" / "globalContext.json",
              '{"cliSelectedModel": "my-gpt"}')  # fmt: skip

    to_ours, to_other, (code, doc) = _e2e_pair("continue", {}, plant)
    assert to_other and not to_ours
    assert code == 1
    assert [o["what"] for o in client(doc, "continue")["overrides"]] == ["cliSelectedModel"]
