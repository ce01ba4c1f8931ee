"""Qwen Code, Continue and Aider through the lifecycle code that was written for the first four
clients: updating an existing file (replaced defaults, hand edits) and remove."""

from __future__ import annotations

import json

from conftest import run_cli
from init_support import init

from aigate_setup import paths
from aigate_setup.testing import FakeGateway

MODEL = "openai/gpt-5.5"


def test_existing_files_of_the_new_clients_update_and_remove(fake_gateway: FakeGateway) -> None:
    qwen = paths.home() / ".qwen" / "settings.json"
    qwen.parent.mkdir(parents=True)
    qwen.write_text('{\n  // mine\n  "model": {"name": "qwen3-coder"}\n}\n')
    cont = paths.home() / ".continue" / "config.yaml"
    cont.parent.mkdir(parents=True)
    cont.write_text("name: mine  # keep\nversion: 1.0.0\nmodels: []\n")
    aider = paths.home() / ".aider.conf.yml"
    aider.write_text("model: gpt-4o  # mine\n")
    args = ("--model", MODEL, "--no-smoke-test", "--format", "json")
    clients = ("--client", "qwen", "--client", "continue", "--client", "aider")
    first = init(fake_gateway, *args, *clients)
    assert first.exit_code == 0, first.stderr
    assert {f["status"] for f in json.loads(first.stdout)["files"]} <= {"created", "updated"}
    again = init(fake_gateway, *args, *clients)
    assert again.exit_code == 0, again.stderr
    assert {f["status"] for f in json.loads(again.stdout)["files"]} == {"unchanged"}
    removed = run_cli("remove", "--yes", "--format", "json")
    assert removed.exit_code == 0, removed.output
    assert "// mine" in qwen.read_text() and "aigate" not in qwen.read_text()
    assert "name: mine  # keep" in cont.read_text()
    assert aider.read_text() == "model: gpt-4o  # mine\n"
