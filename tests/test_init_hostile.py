"""`aigate-setup init` against hostile input (issue 18): every item refused before any request,
prompt or write, with one error line and a hint; or, for a key pasted with a line break, used
safely and never shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_KEY, run_cli
from init_support import SECRET, init, init_json, sandbox_root, snapshot

from aigate_setup import paths
from aigate_setup.testing import FakeGateway

# --- model ids ------------------------------------------------------------------------------

HOSTILE_ID = "acme/gpt-5{file:~/.ssh/id_rsa}"


@pytest.mark.parametrize("flag", ["--model", "--extra-model", "--claude-opus", "--claude-haiku"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (HOSTILE_ID, "contains { or }"),
        ("acme/{env:HOME}", "contains { or }"),
        ("openai/gpt-5.5\nrm -rf ~", "contains a control character"),
        ("openai/gpt-5.5\x1b[2J", "contains a control character"),
        ("openai/gpt-5.5\u202e", "contains a control character"),
        ("openai/gpt 5.5", "contains whitespace"),
        ("openai/gpt-5.5\u00a0", "contains whitespace"),
        ("openai/" + "x" * 200, "is longer than 200 characters"),
    ],
    ids=["file", "env", "newline", "escape", "bidi", "space", "nbsp", "long"],
)
def test_hostile_model_flags_are_refused_first(
    fake_gateway: FakeGateway, flag: str, value: str, reason: str
) -> None:
    args = ["--model", "openai/gpt-5.5"] if flag != "--model" else []
    before = snapshot(sandbox_root())
    r = init(fake_gateway, *args, flag, value)
    assert r.exit_code == 2, r.output
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r.stderr  # one error line, one hint line
    assert lines[0].startswith(f"error: {flag} ")
    assert f"is not a valid model id: it {reason}" in lines[0]
    assert lines[1].startswith("hint: model ids look like provider/model")
    assert "\x1b" not in r.stderr and "\u202e" not in r.stderr
    assert len(lines[0]) < 250
    assert fake_gateway.requests == []  # not even the catalog
    assert snapshot(sandbox_root()) == before


def test_hostile_model_flag_json_error_document(fake_gateway: FakeGateway) -> None:
    r, doc = init_json(fake_gateway, "--model", HOSTILE_ID)
    assert r.exit_code == 2
    assert doc["status"] == "fail" and doc["command"] == "init"
    assert doc["error"]["exit_code"] == 2
    assert "is not a valid model id" in doc["error"]["message"]
    assert fake_gateway.requests == []


def hostile_catalog(gw: FakeGateway) -> None:
    """The default catalog, led by an id and a display name that ask OpenCode to read a file."""
    from aigate_setup.testing import default_catalog

    data = default_catalog("newapi")
    everything = ["openai", "openai-response", "anthropic"]
    hostile = {"id": HOSTILE_ID, "object": "model", "supported_endpoint_types": everything}
    for entry in data["data"]:
        if entry["id"] == "openai/gpt-5.5":
            entry["name"] = "GPT {file:~/.ssh/id_rsa} \x1b[31m5.5"
    data["data"].insert(0, hostile)
    gw.set_catalog(data)


def test_hostile_catalog_strings_never_reach_opencode_or_kilo(fake_gateway: FakeGateway) -> None:
    hostile_catalog(fake_gateway)
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--client", "opencode", "--client", "kilo")
    assert r.exit_code == 0, r.output
    opencode = paths.xdg_config_home() / "opencode" / "opencode.json"
    kilo = paths.xdg_config_home() / "kilo" / "kilo.jsonc"
    for path in (opencode, kilo):
        text = path.read_text()
        assert "{file:" not in text and "\x1b" not in text and "\\u001b" not in text
        model = json.loads(text)["provider"]["aigate"]["models"]["openai/gpt-5.5"]
        assert model["name"] == "GPT file:~/.ssh/id_rsa 5.5"
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--client", "opencode",
             "--extra-model", HOSTILE_ID)  # fmt: skip
    assert r.exit_code == 2
    assert HOSTILE_ID not in opencode.read_text()


def test_missing_model_hint_never_suggests_a_hostile_id(fake_gateway: FakeGateway) -> None:
    hostile_catalog(fake_gateway)
    fake_gateway.set_catalog(
        {"data": [fake_gateway.catalog["data"][0], {"id": "acme/ok-1",
                  "supported_endpoint_types": ["openai", "openai-response", "anthropic"]}]}
    )  # fmt: skip
    r = init(fake_gateway)
    assert r.exit_code == 2
    assert "hint: e.g. --model acme/ok-1" in r.stderr
    assert "{file:" not in r.stderr


# --- keys pasted with surrounding whitespace --------------------------------------------------


@pytest.mark.parametrize("suffix", ["\r", "\n", " ", "\r\n"], ids=["cr", "lf", "space", "crlf"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_key_with_a_trailing_line_break_works_and_is_never_shown(
    fake_gateway: FakeGateway, suffix: str, fmt: str
) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--client", "codex", "--format", fmt,
             key=SECRET + suffix)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert SECRET[3:-4] not in r.output
    posts_seen = [q for q in fake_gateway.requests if q.method == "POST"]
    assert [q.key_suffix for q in posts_seen] == [SECRET[-4:]]
    if fmt == "json":
        assert json.loads(r.stdout)["status"] == "ok"


@pytest.mark.parametrize("key", ["sk-SECRET aigate0test0key0ABCDEFGH7q3z",
                                 "sk-SECRET\raigate0test0key0ABCDEFGH7q3z"],
                         ids=["space", "cr"])  # fmt: skip
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_key_with_inner_whitespace_is_refused_without_showing_it(
    fake_gateway: FakeGateway, key: str, fmt: str
) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--format", fmt, key=key)
    assert r.exit_code == 2, r.output
    assert "$AIGATE_API_KEY cannot be used as a key: it contains a space" in r.stderr
    assert "hint: set it again without spaces or line breaks" in r.stderr
    for part in key.split():
        assert part[3:] not in r.output
    assert fake_gateway.requests == []
    if fmt == "json":
        assert json.loads(r.stdout)["error"]["exit_code"] == 2


# --- plain http to another machine -----------------------------------------------------------


def test_plain_http_to_another_host_needs_a_flag_with_yes() -> None:
    remote = "http://192.0.2.1/v1"  # TEST-NET-1: never routed; nothing may be sent there
    r = run_cli("init", "--yes", "--base-url", remote, "--model", "openai/gpt-5.5",
                env={"AIGATE_API_KEY": TEST_KEY, "AIGATE_TIMEOUT": "2"})  # fmt: skip
    assert r.exit_code == 2, r.output
    assert "plain http to 192.0.2.1" in r.stderr
    assert "hint:" in r.stderr and "--allow-insecure-http" in r.stderr
    assert snapshot(sandbox_root()) == {}


def test_plain_http_with_the_flag_warns_and_goes_on(fake_gateway: FakeGateway) -> None:
    # 0.0.0.0 is not a loopback address, yet connecting to it reaches this machine.
    base = fake_gateway.base_url.replace("127.0.0.1", "0.0.0.0")
    r = run_cli("init", "--yes", "--base-url", base, "--model", "openai/gpt-5.5", "--client",
                "codex", "--allow-insecure-http", env={"AIGATE_API_KEY": TEST_KEY})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "warning: --base-url http://0.0.0.0:" in r.stderr
    assert "unencrypted" in r.stderr
    assert (paths.codex_home() / "config.toml").is_file()


def test_loopback_http_needs_no_flag(fake_gateway: FakeGateway) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--client", "codex")
    assert r.exit_code == 0
    assert "plain http" not in r.output


# --- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["user", "project"])
def test_project_dir_with_a_line_break_is_refused(
    fake_gateway: FakeGateway, tmp_path: Path, scope: str
) -> None:
    evil = tmp_path / "p\ntouch pwned\n"
    evil.mkdir()
    before = snapshot(sandbox_root())
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--scope", scope,
             "--project-dir", str(evil))  # fmt: skip
    assert r.exit_code == 2, r.output
    assert "--project-dir" in r.stderr and "control character" in r.stderr
    assert len(r.stderr.splitlines()) == 2
    assert fake_gateway.requests == []
    assert snapshot(sandbox_root()) == before


def test_missing_project_dir_is_refused_not_created(
    fake_gateway: FakeGateway, tmp_path: Path
) -> None:
    typo = tmp_path / "projcet" / "sub"
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--scope", "project",
             "--project-dir", str(typo))  # fmt: skip
    assert r.exit_code == 2, r.output
    assert f"--project-dir {typo} does not exist" in r.stderr
    assert "hint:" in r.stderr
    assert not typo.parent.exists()
    assert fake_gateway.requests == []
    # user scope never uses the project directory
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--client", "codex",
             "--project-dir", str(typo))  # fmt: skip
    assert r.exit_code == 0, r.output
    assert not typo.parent.exists()


NOT_KEYS = ("PATH", "HOME", "IFS", "LD_PRELOAD", "SHELL", "USER", "PWD", "path", "XDG_CONFIG_HOME",
            "AIGATE_TIMEOUT")  # fmt: skip


@pytest.mark.parametrize("name", NOT_KEYS)
def test_key_env_that_holds_something_else_is_refused(fake_gateway: FakeGateway, name: str) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--key-env", name)
    assert r.exit_code == 2, r.output
    assert f"--key-env {name} names a variable that holds something else" in r.stderr
    assert "hint: use a variable of its own, e.g. --key-env AIGATE_API_KEY" in r.stderr
    assert fake_gateway.requests == []


def test_kilo_legacy_export_refuses_a_device(fake_gateway: FakeGateway) -> None:
    r = init(fake_gateway, "--model", "openai/gpt-5.5", "--client", "kilo",
             "--kilo-legacy-export", "/dev/null")  # fmt: skip
    assert r.exit_code == 2, r.output
    assert "--kilo-legacy-export /dev/null is not a regular file" in r.stderr
    assert fake_gateway.requests == []


def test_kilo_legacy_export_to_a_fifo_does_not_hang(
    fake_gateway: FakeGateway, tmp_path: Path
) -> None:
    fifo = tmp_path / "export.json"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "aigate_setup", "init", "--yes", "--base-url",
         fake_gateway.base_url, "--model", "openai/gpt-5.5", "--client", "kilo",
         "--kilo-legacy-export", str(fifo)],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "AIGATE_API_KEY": TEST_KEY},
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "is not a regular file" in proc.stderr
