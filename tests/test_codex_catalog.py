"""Codex's /model picker: the catalog file cloned from a (fake) bundled catalog, the
model_catalog_json key, the notes, doctor's picker check and the AIG026 rule.

The bundled catalog here is generated: Codex's own prompt text never enters this repository
(the e2e test uses the real binary)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from init_support import init, init_json
from writer_support import make_selection

from aigate_setup import paths
from aigate_setup.clients import codex
from aigate_setup.clients.codex import catalog as cc
from aigate_setup.errors import ConfigError
from aigate_setup.merge.toml import parse_toml
from aigate_setup.testing import FakeGateway

PROMPT = "FAKE PROMPT for the generated bundled catalog. " * 20


def fake_entry(slug: str, priority: int, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "slug": slug,
        "display_name": slug.upper(),
        "description": "a generated model",
        "default_reasoning_level": "medium",
        "supported_reasoning_levels": [{"effort": "low"}, {"effort": "medium"}],
        "shell_type": "unified_exec",
        "visibility": "list",
        "supported_in_api": True,
        "priority": priority,
        "additional_speed_tiers": ["fast"],
        "service_tiers": [{"id": "priority", "name": "Fast"}],
        "default_service_tier": "priority",
        "availability_nux": {"message": "new!"},
        "upgrade": {"model": "gpt-99", "migration_markdown": "upgrade"},
        "model_messages": {"instructions_template": PROMPT},
        "support_verbosity": True,
        "truncation_policy": {"mode": "tokens", "limit": 10000},
        "context_window": 272000,
        "max_context_window": 272000,
        "experimental_supported_tools": [],
        "base_instructions": PROMPT,
    }
    entry.update(extra)
    return entry


def bundled(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"models": list(entries) or [fake_entry("gpt-6", 1), fake_entry("gpt-5.5", 13)]}


def install_fake_codex(
    bin_dir: Path, monkeypatch: pytest.MonkeyPatch, doc: Any = None, script: str | None = None
) -> Path:
    """A `codex` on PATH that prints `doc` for `debug models --bundled` (or runs `script`)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    data = bin_dir / "bundled.json"
    data.write_text(json.dumps(bundled() if doc is None else doc), encoding="utf-8")
    cat = shutil.which("cat") or "/bin/cat"
    body = script or (
        f'if [ "$1 $2 $3" = "debug models --bundled" ]; then exec {cat} "{data}"; else exit 2; fi'
    )
    exe = bin_dir / "codex"
    exe.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    return exe


@pytest.fixture
def fake_codex(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return install_fake_codex(tmp_path / "bin", monkeypatch)


def picker() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cc.catalog_path().read_text(encoding="utf-8"))
    return data


def config() -> dict[str, Any]:
    return parse_toml((paths.codex_home() / "config.toml").read_text(encoding="utf-8"))


# --- init ---------------------------------------------------------------------------------


def test_init_writes_the_picker_catalog_and_key(
    fake_gateway: FakeGateway, fake_codex: Path
) -> None:
    r = init(
        fake_gateway,
        "--client", "codex", "--client", "opencode", "--model", "openai/gpt-5.5",
        "--extra-model", "google/gemini-3-pro", "--extra-model", "deepseek/deepseek-v3.2",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert config()["model_catalog_json"] == "aigate-models.json"
    models = picker()["models"]
    # deepseek has no /v1/responses route: left out of Codex's picker, with a note
    assert [m["slug"] for m in models] == ["openai/gpt-5.5", "google/gemini-3-pro"]
    assert "deepseek/deepseek-v3.2 is left out of Codex's /model picker" in r.stderr
    first = models[0]
    assert first["display_name"] == "openai/gpt-5.5"  # the newapi catalog has no names
    assert first["priority"] == 0 and models[1]["priority"] == 1
    assert first["context_window"] == 272000  # unknown here: the template's is kept
    assert first["base_instructions"] == PROMPT  # the template's prompt is kept whole
    assert first["model_messages"] == {"instructions_template": PROMPT}
    assert first["upgrade"] is None and first["availability_nux"] is None
    assert first["additional_speed_tiers"] == [] and first["service_tiers"] == []
    assert "default_service_tier" not in first
    assert cc.document_problems(picker()) == []


def test_rerun_is_byte_identical(fake_gateway: FakeGateway, fake_codex: Path) -> None:
    args = (
        "--client",
        "codex",
        "--model",
        "openai/gpt-5.5",
        "--extra-model",
        "google/gemini-3-pro",
    )
    assert init(fake_gateway, *args).exit_code == 0
    before = cc.catalog_path().read_bytes(), (paths.codex_home() / "config.toml").read_bytes()
    r, doc = init_json(fake_gateway, *args)
    assert r.exit_code == 0, r.output
    assert {f["status"] for f in doc["files"]} == {"unchanged"}
    assert len(doc["files"]) == 2
    after = cc.catalog_path().read_bytes(), (paths.codex_home() / "config.toml").read_bytes()
    assert after == before


def test_missing_binary_writes_no_catalog_and_says_so(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    r = init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5")
    assert r.exit_code == 0, r.output
    assert not cc.catalog_path().exists()
    assert "model_catalog_json" not in config()
    assert "picker will show OpenAI's models" in r.stderr
    assert "codex is not installed" in r.stderr


def test_a_later_run_without_codex_keeps_the_catalog(
    fake_gateway: FakeGateway, fake_codex: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5").exit_code == 0
    before = cc.catalog_path().read_bytes()
    monkeypatch.setenv("PATH", "")
    r = init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5")
    assert r.exit_code == 0, r.output
    assert "aigate-models.json (Codex's /model picker) was left as it is" in r.stderr
    assert cc.catalog_path().read_bytes() == before
    assert config()["model_catalog_json"] == "aigate-models.json"


def test_an_invalid_bundled_entry_is_refused_before_writing(
    fake_gateway: FakeGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = fake_entry("gpt-5.5", 1)
    del broken["truncation_policy"]
    install_fake_codex(tmp_path / "bin", monkeypatch, bundled(broken))
    r = init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5")
    assert r.exit_code == 0, r.output
    assert not cc.catalog_path().exists()
    assert "model_catalog_json" not in config()
    assert "no entry that can be cloned" in r.stderr


def test_render_refuses_an_entry_codex_would_reject() -> None:
    template = fake_entry("gpt-5.5", 1)
    del template["supported_reasoning_levels"]
    with pytest.raises(ConfigError, match="supported_reasoning_levels is missing"):
        cc.render_catalog(make_selection(clients=("codex",)), None, template)


def test_names_are_cleaned_and_windows_bounded() -> None:
    from aigate_setup.catalog import Catalog, Model

    cat = Catalog(
        (
            Model(
                "a/m",
                "chat",
                ("codex",),
                name="{file:~/.ssh/id_rsa}\x1b[31m Nice",
                context_length=2**60,
            ),
            Model("b/m", "chat", ("opencode",)),
            Model("c/m", "chat", ("codex",), context_length=128_000),
        ),
        "test",
    )
    text = cc.render_catalog(
        make_selection(model="a/m", extra_models=("b/m", "c/m")), cat, fake_entry("t", 1)
    )
    entry, other = json.loads(text)["models"]
    assert other["context_window"] == other["max_context_window"] == 128_000
    assert entry["slug"] == "a/m"
    assert "{" not in entry["display_name"] and "\x1b" not in entry["display_name"]
    assert entry["context_window"] == 272000  # an impossible window keeps the template's


def test_no_default_writes_no_catalog(fake_gateway: FakeGateway, fake_codex: Path) -> None:
    r = init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5", "--no-default")
    assert r.exit_code == 0, r.output
    assert not cc.catalog_path().exists()
    assert "model_catalog_json" not in config()
    assert "picker will show" not in r.stderr


def test_dry_run_shows_the_catalog_and_writes_nothing(
    fake_gateway: FakeGateway, fake_codex: Path
) -> None:
    r = init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "aigate-models.json" in r.stdout
    assert not cc.catalog_path().exists()


# --- the bundled catalog --------------------------------------------------------------------


def test_template_choice() -> None:
    hidden = fake_entry("gpt-hidden", 0, visibility="hide")
    assert cc.choose_template(bundled(fake_entry("gpt-6", 1), fake_entry("gpt-5.5", 9))) == (
        fake_entry("gpt-5.5", 9)
    )
    chosen = cc.choose_template(bundled(hidden, fake_entry("b", 5), fake_entry("a", 2)))
    assert chosen is not None and chosen["slug"] == "a"
    assert cc.choose_template(bundled(hidden)) is None
    assert cc.choose_template({"models": "x"}) is None
    assert cc.choose_template([1, 2]) is None


@pytest.mark.parametrize(
    ("script", "why"),
    [
        ("echo not json", "did not print a catalog"),
        ("exit 3", "failed"),
        (f"exec {shutil.which('sleep') or '/bin/sleep'} 30", "failed"),
        (f"exec {shutil.which('yes') or '/usr/bin/yes'}", "failed"),
    ],
    ids=["garbage", "exit", "hang", "endless"],
)
def test_a_hostile_binary_gives_no_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, why: str
) -> None:
    install_fake_codex(tmp_path / "bin", monkeypatch, script=script)
    monkeypatch.setattr(cc, "BUNDLED_TIMEOUT", 1.0)
    monkeypatch.setattr(cc, "MAX_BUNDLED_BYTES", 1 << 20)
    started = time.monotonic()
    template, reason = cc.bundled_template()
    assert template is None and why in reason
    assert time.monotonic() - started < 10


# --- lifecycle ------------------------------------------------------------------------------


def test_unrender_takes_out_only_our_parts(tmp_path: Path) -> None:
    assert cc.unrender(cc.catalog_path(), "{}") is None
    text = '# mine\nmodel = "x"\nmodel_catalog_json = "aigate-models.json"\n\n[a]\nb = 1\n'
    assert cc.unrender(codex.user_config(), text) == '# mine\nmodel = "x"\n\n[a]\nb = 1\n'
    theirs = 'model_catalog_json = "my-models.json"\n'
    assert cc.unrender(codex.user_config(), theirs) == theirs
    assert cc.owned_values(codex.user_config(), text) == {
        "model_catalog_json": "aigate-models.json"
    }
    assert cc.owned_values(cc.catalog_path(), "{}") == {}


# --- restart note ---------------------------------------------------------------------------


@pytest.fixture
def background_server() -> Iterator[None]:
    """A listening socket where Codex's background server keeps its control socket (a link to
    a short path, as Codex does)."""
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets here")
    short = Path(tempfile.mkdtemp(prefix="cx", dir="/tmp"))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(short / "s"))
    server.listen(4)
    link = cc.server_socket(paths.codex_home())
    link.parent.mkdir(parents=True)
    os.symlink(short / "s", link)
    try:
        yield
    finally:
        server.close()
        os.unlink(short / "s")
        short.rmdir()


def test_a_running_background_server_gets_a_restart_note(
    fake_gateway: FakeGateway, fake_codex: Path, background_server: None
) -> None:
    assert cc.background_server_running(paths.codex_home())
    r = init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5")
    assert r.exit_code == 0, r.output
    assert "Restart background server" in r.stderr
    again = init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5")
    assert "Restart background server" not in again.stderr  # nothing changed


def test_no_server_no_note(tmp_path: Path) -> None:
    assert not cc.background_server_running(tmp_path)
    (tmp_path / "app-server-control").mkdir()
    (tmp_path / "app-server-control" / "app-server-control.sock").write_text("")
    assert not cc.background_server_running(tmp_path)


# --- doctor ---------------------------------------------------------------------------------


def doctor_checks() -> dict[str, dict[str, Any]]:
    r = run_cli("doctor", "--offline", "--client", "codex", "--format", "json")
    doc = json.loads(r.stdout)
    return {c["id"]: c for c in doc["checks"] if c["id"] in ("codex.picker", "codex.model")}


def test_doctor_reports_the_picker(fake_gateway: FakeGateway, fake_codex: Path) -> None:
    assert init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5").exit_code == 0
    checks = doctor_checks()
    assert checks["codex.picker"]["status"] == "pass"
    assert "openai/gpt-5.5" in checks["codex.picker"]["detail"]
    assert "codex.model" not in checks

    path = paths.codex_home() / "config.toml"
    path.write_text(path.read_text().replace('model = "openai/gpt-5.5"', 'model = "gpt-6.1-sol"'))
    checks = doctor_checks()
    assert checks["codex.model"]["status"] in ("warn", "fail")
    assert "gpt-6.1-sol" in checks["codex.model"]["detail"]
    assert 'set model = "openai/gpt-5.5"' in checks["codex.model"]["hint"]

    cc.catalog_path().write_text('{"models": [{"slug": "x"}]}')
    checks = doctor_checks()
    assert checks["codex.picker"]["status"] == "fail"
    assert "display_name is missing" in checks["codex.picker"]["detail"]


def test_doctor_warns_without_a_picker(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    assert init(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5").exit_code == 0
    checks = doctor_checks()
    assert checks["codex.picker"]["status"] == "warn"
    assert "OpenAI's models" in checks["codex.picker"]["detail"]


# --- check (AIG026) -------------------------------------------------------------------------


def test_check_validates_a_checked_in_catalog(tmp_path: Path) -> None:
    project = tmp_path / "repo" / ".codex"
    project.mkdir(parents=True)
    (project / "config.toml").write_text('model_catalog_json = "models.json"\n')
    good = bundled(fake_entry("acme/model", 0))
    (project / "models.json").write_text(json.dumps(good))
    r = run_cli("check", "--format", "json", str(project / "config.toml"))
    assert [f for f in json.loads(r.stdout)["findings"] if f["rule"] == "AIG026"] == []

    bad = fake_entry("acme/model", 0, description="sk-live0key0in0a0catalog0file0XYZW")
    del bad["shell_type"]
    (project / "models.json").write_text(json.dumps(bundled(bad)))
    r = run_cli("check", "--format", "json", str(project / "config.toml"))
    found = [f for f in json.loads(r.stdout)["findings"] if f["rule"] == "AIG026"]
    messages = " | ".join(f["message"] for f in found)
    assert "shell_type is missing" in messages
    assert "literal key" in messages and "0key0in0a0catalog0" not in r.output
    assert r.exit_code == 1
    assert {(f["line"], f["column"]) for f in found} == {(1, 22)}


def test_check_reads_a_catalog_file_itself(tmp_path: Path) -> None:
    good = tmp_path / "aigate-models.json"
    good.write_text(json.dumps(bundled(fake_entry("acme/model", 0))))
    r = run_cli("check", "--format", "json", str(good))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["findings"] == []

    renamed = tmp_path / "team-models.json"
    entry = fake_entry("acme/model", 0)
    del entry["priority"]
    renamed.write_text(json.dumps(bundled(entry), indent=2))
    r = run_cli("check", "--format", "json", str(renamed))
    [finding] = json.loads(r.stdout)["findings"]
    assert finding["rule"] == "AIG026" and "priority is missing" in finding["message"]


def test_restore_takes_the_catalog_back(fake_gateway: FakeGateway, fake_codex: Path) -> None:
    r, doc = init_json(fake_gateway, "--client", "codex", "--model", "openai/gpt-5.5")
    assert r.exit_code == 0, r.output
    assert cc.catalog_path().is_file()
    restored = run_cli("restore", doc["run_id"])
    assert restored.exit_code == 0, restored.output
    assert not cc.catalog_path().exists()
    assert not (paths.codex_home() / "config.toml").exists()
