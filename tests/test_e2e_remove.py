"""End-to-end: after `init` then `remove`, each REAL client is back on the provider it used
before (a second loopback gateway, "other"), and AIGate's gateway sees no request from it.

The sandbox user starts with a config that makes "other" the default (Claude Code: a script of
the user's own that exports ANTHROPIC_* for "other", to which init adds its block). After init
the client answers through AIGate; after remove it answers through "other" again and the
files are byte for byte what they were.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TEST_KEY
from e2e_support import ROUTES, aigate, base_env, pinned_bin, run_client

from aigate_setup import paths
from aigate_setup.testing import FakeGateway

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

MODEL = "openai/gpt-5.5"
OTHER_KEY = "sk-other0000000000000000000OTHR"


@pytest.fixture
def gateways() -> Iterator[tuple[FakeGateway, FakeGateway]]:
    with (
        FakeGateway(catalog="newapi", keys=[TEST_KEY]) as aigate_gw,
        FakeGateway(catalog="newapi", keys=[OTHER_KEY]) as other,
    ):
        yield aigate_gw, other


def _json_provider(base_url: str) -> str:
    return json.dumps(
        {
            "npm": "@ai-sdk/openai-compatible",
            "name": "Other",
            "options": {"baseURL": base_url, "apiKey": "{env:OTHER_API_KEY}"},
            "models": {MODEL: {"name": MODEL}},
        }
    )


def seed(client: str, other: FakeGateway) -> tuple[Path, Path | None]:
    """The user's own config with "other" as the default; (file, Claude's script or None)."""
    config = paths.xdg_config_home()
    if client == "codex":
        path = paths.codex_home() / "config.toml"
        text = (
            '# mine\nmodel_provider = "other"\nmodel = "openai/gpt-5.5"\n\n'
            f'[model_providers.other]\nname = "Other"\nbase_url = "{other.base_url}"\n'
            'env_key = "OTHER_API_KEY"\nwire_api = "responses"\n'
        )
    elif client in ("opencode", "kilo"):
        path = config / client / ("opencode.json" if client == "opencode" else "kilo.jsonc")
        enabled = '  "enabled_providers": ["other"],\n' if client == "kilo" else ""
        text = (
            "{\n  // mine\n"
            + enabled
            + f'  "model": "other/{MODEL}",\n  "provider": {{"other": {_json_provider(other.base_url)}}}\n}}\n'
        )
    else:
        path = config / "aigate" / "aigate-claude.sh"
        root = other.base_url.removesuffix("/v1")
        text = (
            f"# my own Claude settings\nexport ANTHROPIC_BASE_URL={root}\n"
            'export ANTHROPIC_AUTH_TOKEN="$OTHER_API_KEY"\n'
            f"export ANTHROPIC_MODEL={MODEL}\n"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, path if client == "claude" else None


CLIENT_ADDED = ("$schema", "permission")


def _jsonc_text(text: str) -> dict[str, object]:
    from aigate_setup.merge import jsonc

    data = jsonc.loads(text)
    assert isinstance(data, dict)
    return data


def _jsonc(path: Path) -> dict[str, object]:
    return _jsonc_text(path.read_text(encoding="utf-8"))


def _turns(gw: FakeGateway, client: str) -> list[str]:
    return [r.path for r in gw.requests if r.method == "POST" and r.path == ROUTES[client]]


@pytest.mark.parametrize("client", ["codex", "opencode", "kilo", "claude"])
def test_remove_puts_each_real_client_back_on_its_previous_provider(
    client: str, gateways: tuple[FakeGateway, FakeGateway], sandbox_home: Path
) -> None:
    bin_dir = pinned_bin(lambda found: None)  # missing binaries fail, never skip
    gw, other = gateways
    project = Path.cwd()
    path, script = seed(client, other)
    before = path.read_bytes()
    env = base_env(bin_dir, project, TEST_KEY)
    extra = {"OTHER_API_KEY": OTHER_KEY}

    done = aigate(
        "init", "--yes", "--client", client, "--model", MODEL, "--base-url", gw.base_url,
        "--no-smoke-test", env=env, cwd=project,
    )  # fmt: skip
    assert done.returncode == 0, done.describe()
    on_aigate = run_client(
        client, bin_dir, project, key=TEST_KEY, model=None, script=script, extra_env=extra
    )
    assert on_aigate.returncode == 0, on_aigate.describe()
    assert _turns(gw, client), f"{client} did not use AIGate after init: {on_aigate.describe()}"

    removed = aigate("remove", "--yes", "--client", client, env=env, cwd=project)
    assert removed.returncode == 0, removed.describe()
    if client in ("opencode", "kilo"):
        # They rewrite their own config on a run (adding `$schema`; Kilo `permission`):
        # what remove leaves is the user's settings, with what the client itself added.
        left = {k: v for k, v in _jsonc(path).items() if k not in CLIENT_ADDED}
        assert left == _jsonc_text(before.decode()), path.read_text()
    else:
        assert path.read_bytes() == before
    gw.clear_log()
    other.clear_log()
    back = run_client(
        client, bin_dir, project, key=TEST_KEY, model=None, script=script, extra_env=extra
    )
    assert back.returncode == 0, back.describe()
    assert back.answer.splitlines()[-1:] == ["OK"], back.describe()
    assert _turns(other, client), f"{client} did not go back to 'other': {back.describe()}"
    assert not [r.path for r in gw.requests if r.method == "POST"], (
        f"{client} still calls AIGate after remove: {[r.path for r in gw.requests]}"
    )
    assert os.environ.get("AIGATE_API_KEY") is None
