"""End-to-end: configs written by `aigate-setup init` work in the REAL coding clients.

Each test starts the fake gateway on 127.0.0.1, runs `aigate-setup init --yes` into the sandbox
HOME (tests/conftest.py), then the pinned client binary (scripts/install_clients.sh) one-shot,
with stdin from /dev/null, a timeout and the offline environment of CONTRIBUTING.md, and reads the
gateway's request log. Missing binaries make these tests fail, never skip.

Kilo: `init` never creates `enabled_providers` (that would switch off Kilo's built-in provider
for users who rely on it) but adds "aigate" to an existing list. Without such a list Kilo's
built-in providers call home, so the sandbox user's kilo.jsonc is pre-seeded with an empty
`enabled_providers` list — the realistic path of a user who restricts Kilo's providers — and
the tests assert that init turned it into ["aigate"].
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from e2e_support import (
    INSTALL_HINT,
    PINS,
    ROUTES,
    ClientsMissing,
    Record,
    Run,
    aigate,
    assert_clean_turn,
    base_env,
    check_pins,
    clients_bin,
    paths_seen,
    run_client,
)

from aigate_setup.testing import FakeGateway

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

WRONG_KEY = "sk-wrong-00000000000000000BAD"
MODEL = "openai/gpt-5.5"
PROJECT_MODEL = "anthropic/claude-sonnet-4.6"  # another id for project scope


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def clients() -> tuple[Path, dict[str, str]]:
    """(bin dir, {client: version}) of the pinned clients; FAIL (not skip) when missing."""
    try:
        bin_dir = clients_bin()
        return bin_dir, check_pins(bin_dir)
    except ClientsMissing as exc:
        problem = str(exc)
    pytest.fail(problem, pytrace=False)


@pytest.fixture(scope="session")
def records() -> Iterator[list[Record]]:
    """Measurements of every client run; written to $AIGATE_E2E_REPORT (JSON) when set."""
    found: list[Record] = []
    yield found
    target = os.environ.get("AIGATE_E2E_REPORT", "")
    if target and found:
        Path(target).write_text(json.dumps([r.to_json() for r in found], indent=2) + "\n")


@pytest.fixture
def gw() -> Iterator[FakeGateway]:
    """One fake gateway per test that accepts only TEST_KEY (so a wrong key gets a 401)."""
    with FakeGateway(catalog="newapi", keys=[TEST_KEY]) as gateway:
        yield gateway


@pytest.fixture
def project(sandbox_home: Path) -> Path:
    return Path.cwd()  # the empty `project` dir the autouse fixture chdir'ed into


Recorder = Callable[[str, Run, FakeGateway], None]


@pytest.fixture
def record(
    request: pytest.FixtureRequest,
    records: list[Record],
    clients: tuple[Path, dict[str, str]],
) -> Recorder:
    def add(client: str, result: Run, gateway: FakeGateway) -> None:
        records.append(
            Record(
                request.node.name,
                client,
                clients[1][client],
                result.seconds,
                result.returncode,
                paths_seen(gateway.requests),
                result.stderr_tail() if result.returncode else "",
            )
        )

    return add


# --- helpers --------------------------------------------------------------------------------


def xdg_config() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"])


def seed_kilo_enabled_providers() -> Path:
    path = xdg_config() / "kilo" / "kilo.jsonc"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{\n  // providers I use\n  "enabled_providers": []\n}\n', encoding="utf-8")
    return path


def init(
    client: str,
    model: str,
    gateway: FakeGateway,
    project: Path,
    bin_dir: Path,
    scope: str = "user",
    *,
    seed: bool = True,
) -> dict[str, Any]:
    """`aigate-setup init --yes --format json` (with its live smoke test), then an empty
    request log. Returns init's JSON document."""
    if client == "kilo" and seed:
        seed_kilo_enabled_providers()
    env = base_env(bin_dir, project, TEST_KEY)
    result = aigate(
        "init",
        "--yes",
        "--format",
        "json",
        "--client",
        client,
        "--model",
        model,
        "--base-url",
        gateway.base_url,
        "--scope",
        scope,
        "--project-dir",
        str(project),
        env=env,
        cwd=project,
    )
    assert result.returncode == 0, result.describe()
    assert TEST_KEY not in result.stdout + result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    assert doc["status"] == "ok", doc
    if client == "kilo":
        kilo_user = _jsonc(xdg_config() / "kilo" / "kilo.jsonc")
        assert kilo_user["enabled_providers"] == ["aigate"]
    gateway.clear_log()
    return doc


def _jsonc(path: Path) -> Any:
    from aigate_setup.merge import jsonc

    return jsonc.loads(path.read_text(encoding="utf-8"))


def claude_script(scope: str, project: Path) -> Path:
    if scope == "project":
        return project / ".aigate" / "aigate-claude.sh"
    return xdg_config() / "aigate" / "aigate-claude.sh"


def check_json(project: Path, bin_dir: Path, *paths: Path) -> tuple[Run, dict[str, Any]]:
    """`aigate-setup check --format json PATH...` and its document."""
    result = aigate(
        "check",
        "--format",
        "json",
        *[str(p) for p in paths],
        env=base_env(bin_dir, project, None),
        cwd=project,
    )
    try:
        doc: dict[str, Any] = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"check printed no JSON: {result.describe()}")
    return result, doc


def check_rules(project: Path, bin_dir: Path, *paths: Path) -> set[str]:
    """Rule ids `check` reports for a broken config (exit code 1 expected)."""
    result, doc = check_json(project, bin_dir, *paths)
    assert result.returncode == 1, result.describe()
    assert doc["status"] == "fail"
    return {f["rule"] for f in doc["findings"]}


def doctor_checks(
    project: Path, bin_dir: Path, key: str | None, *args: str
) -> tuple[Run, dict[str, dict[str, Any]]]:
    result = aigate(
        "doctor",
        "--format",
        "json",
        "--project-dir",
        str(project),
        *args,
        env=base_env(bin_dir, project, key),
        cwd=project,
        timeout=120,
    )
    try:
        doc = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"doctor printed no JSON: {result.describe()}")
    if doc.get("command") != "doctor" or not isinstance(doc.get("checks"), list):
        pytest.fail(f"doctor printed no checks: {result.describe()}")
    return result, {c["id"]: c for c in doc["checks"]}


def assert_doctor_flags(project: Path, bin_dir: Path, client: str, rule: str) -> None:
    """`doctor --offline --client X` fails the check `<client>.rules.<rule>` (or, for a
    problem of the AIGate URL, `<client>.base_url`, which names the rule: one URL, one check)."""
    result, checks = doctor_checks(project, bin_dir, TEST_KEY, "--client", client, "--offline")
    assert result.returncode == 1, result.describe()
    cid = f"{client}.rules.{rule}"
    base = checks.get(f"{client}.base_url", {})
    if cid not in checks and f"({rule} " in str(base.get("detail", "")):
        cid = f"{client}.base_url"
    assert cid in checks, f"doctor has no {cid}: {sorted(checks)}"
    assert checks[cid]["status"] == "fail", checks[cid]


# --- the clients are there ------------------------------------------------------------------


def test_missing_clients_fail_with_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-clients"
    empty.mkdir()
    monkeypatch.setenv("AIGATE_CLIENTS_BIN", str(empty))
    with pytest.raises(ClientsMissing, match=r"codex, opencode, claude, kilo.*install_clients\.sh"):
        clients_bin()
    monkeypatch.setenv("AIGATE_CLIENTS_INSTALL_FAILED", "1")
    with pytest.raises(ClientsMissing, match=r"install_clients\.sh failed"):
        clients_bin()
    assert "scripts/install_clients.sh" in INSTALL_HINT


def test_pinned_versions_installed(clients: tuple[Path, dict[str, str]]) -> None:
    assert clients[1] == {c: v for c, (_, v) in PINS.items()}


# --- 1. configs generated by init answer in the real clients --------------------------------

CASES = [
    ("codex", "user"),
    ("codex", "project"),  # still the user file: Codex ignores providers in project configs
    ("opencode", "user"),
    ("opencode", "project"),
    ("kilo", "user"),
    ("kilo", "project"),  # provider in the user file, `model` in <project>/kilo.jsonc
    ("claude", "user"),
    ("claude", "project"),  # <project>/.aigate/aigate-claude.sh
]


@pytest.mark.parametrize(("client", "scope"), CASES)
def test_generated_config_answers(
    client: str,
    scope: str,
    gw: FakeGateway,
    project: Path,
    clients: tuple[Path, dict[str, str]],
    record: Recorder,
) -> None:
    bin_dir = clients[0]
    model = MODEL if scope == "user" else PROJECT_MODEL
    first = init(client, model, gw, project, bin_dir, scope)
    if scope == "project" and client in ("opencode", "kilo"):
        # No -m: the answer must come from the model the project file names.
        config = project / ("opencode.json" if client == "opencode" else "kilo.jsonc")
        assert _jsonc(config)["model"] == f"aigate/{model}"
        cli_model = None
    else:
        cli_model = model
    result = run_client(
        client,
        bin_dir,
        project,
        key=TEST_KEY,
        model=cli_model,
        script=claude_script(scope, project) if client == "claude" else None,
    )
    record(client, result, gw)
    assert_clean_turn(gw, client, model, TEST_KEY[-4:], result)

    # What the client changed on its own (Kilo adds `permission` to kilo.jsonc on its first
    # run) neither upsets a second init (every file unchanged) nor `check` (no error).
    again = init(client, model, gw, project, bin_dir, scope, seed=False)
    assert {f["status"] for f in again["files"]} == {"unchanged"}, again["files"]
    written = [Path(f["path"]) for f in first["files"]]
    checked, doc = check_json(project, bin_dir, *written)
    assert checked.returncode == 0, checked.describe()
    assert not [f for f in doc["findings"] if f["severity"] == "error"], doc["findings"]
    # ... and doctor, live against the same gateway, agrees that this setup works.
    doctored, checks = doctor_checks(
        project, bin_dir, TEST_KEY, "--client", client, "--base-url", gw.base_url
    )
    failed = {cid: c for cid, c in checks.items() if c["status"] == "fail"}
    assert doctored.returncode == 0 and not failed, f"{failed}\n{doctored.describe()}"


# --- 2a. a wrong key: the client fails and doctor names the key -----------------------------


@pytest.mark.parametrize("client", ["codex", "opencode", "kilo", "claude"])
def test_wrong_key_fails_in_client_and_doctor_names_it(
    client: str,
    gw: FakeGateway,
    project: Path,
    clients: tuple[Path, dict[str, str]],
    record: Recorder,
) -> None:
    bin_dir = clients[0]
    init(client, MODEL, gw, project, bin_dir)
    result = run_client(
        client,
        bin_dir,
        project,
        key=WRONG_KEY,
        model=MODEL,
        script=claude_script("user", project),
    )
    record(client, result, gw)
    context = f"gateway saw {paths_seen(gw.requests)}\n{result.describe()}"
    assert not result.timed_out, context
    assert result.returncode != 0, context
    assert result.answer.splitlines()[-1:] != ["OK"], context
    turns = [r for r in gw.requests if r.path == ROUTES[client]]
    assert turns, context
    assert all(r.status == 401 and r.key_suffix == WRONG_KEY[-4:] for r in turns), context
    assert WRONG_KEY not in result.stdout + result.stderr, context

    gw.clear_log()
    doc_run, checks = doctor_checks(
        project, bin_dir, WRONG_KEY, "--client", client, "--base-url", gw.base_url
    )
    assert doc_run.returncode == 1, doc_run.describe()
    assert checks["gateway.key"]["status"] == "fail", checks["gateway.key"]
    assert "401" in checks["gateway.key"]["detail"], checks["gateway.key"]
    assert WRONG_KEY not in doc_run.stdout + doc_run.stderr


# --- 2b. an empty key ------------------------------------------------------------------------


@pytest.mark.parametrize("client", ["codex", "opencode", "kilo", "claude"])
def test_empty_key_fails_in_client_and_doctor_names_it(
    client: str,
    gw: FakeGateway,
    project: Path,
    clients: tuple[Path, dict[str, str]],
    record: Recorder,
) -> None:
    bin_dir = clients[0]
    init(client, MODEL, gw, project, bin_dir)
    result = run_client(
        client, bin_dir, project, key="", model=MODEL, script=claude_script("user", project)
    )
    record(client, result, gw)
    context = f"gateway saw {paths_seen(gw.requests)}\n{result.describe()}"
    assert not result.timed_out, context
    assert result.returncode != 0, context
    assert result.answer.splitlines()[-1:] != ["OK"], context
    assert not [r for r in gw.requests if r.status == 200 and r.path == ROUTES[client]], context
    if client == "codex":
        assert "AIGATE_API_KEY" in result.stderr, context
        assert not gw.requests, context  # stops before any request
    if client == "claude":
        # The generated script refuses to export an empty token: claude never starts.
        assert "AIGATE_API_KEY" in result.stderr, context
        assert not gw.requests, context

    doc_run, checks = doctor_checks(project, bin_dir, "", "--client", client, "--offline")
    assert doc_run.returncode == 1, doc_run.describe()
    assert checks["env.key"]["status"] == "fail", checks["env.key"]


# --- 2c. broken configs `check` flags really fail in the clients ----------------------------


def test_kilo_env_reference_in_project_file_fails(
    gw: FakeGateway, project: Path, clients: tuple[Path, dict[str, str]], record: Recorder
) -> None:
    """AIG035: the whole provider (with {env:...}) in <project>/kilo.jsonc -> skipped."""
    bin_dir = clients[0]
    # Start from a working OpenCode project config, copied as the Kilo project file (the
    # natural mistake: Kilo is an OpenCode fork).
    init("opencode", MODEL, gw, project, bin_dir, "project")
    kilo_project = project / "kilo.jsonc"
    kilo_project.write_text((project / "opencode.json").read_text(encoding="utf-8"))
    (project / "opencode.json").unlink()
    assert "{env:AIGATE_API_KEY}" in kilo_project.read_text()
    seed = xdg_config() / "kilo" / "kilo.jsonc"
    seed.parent.mkdir(parents=True, exist_ok=True)
    seed.write_text('{"enabled_providers": ["aigate"]}\n')

    result = run_client("kilo", bin_dir, project, key=TEST_KEY, model=MODEL, logs=True)
    record("kilo", result, gw)
    context = f"gateway saw {paths_seen(gw.requests)}\n{result.describe()}"
    assert result.returncode != 0 or "OK" not in result.answer, context
    assert not [r for r in gw.requests if r.path == ROUTES["kilo"]], context
    assert "ProviderModelNotFoundError" in result.stderr, context
    assert "AIG035" in check_rules(project, bin_dir, project)
    assert_doctor_flags(project, bin_dir, "kilo", "AIG035")


def test_claude_base_url_with_v1_fails(
    gw: FakeGateway, project: Path, clients: tuple[Path, dict[str, str]], record: Recorder
) -> None:
    """AIG013: ANTHROPIC_BASE_URL ending in /v1 -> Claude Code calls /v1/v1/messages -> 404."""
    bin_dir = clients[0]
    init("claude", MODEL, gw, project, bin_dir, "project")
    # settings.local.json's env would win over the script: test the script path alone.
    (project / ".claude" / "settings.local.json").unlink()
    script = claude_script("project", project)
    text = script.read_text(encoding="utf-8")
    broken = text.replace(gw.root + "'", gw.base_url + "'").replace(
        gw.root + '"', gw.base_url + '"'
    )
    assert broken != text, text
    script.write_text(broken, encoding="utf-8")

    result = run_client("claude", bin_dir, project, key=TEST_KEY, model=MODEL, script=script)
    record("claude", result, gw)
    context = f"gateway saw {paths_seen(gw.requests)}\n{result.describe()}"
    assert result.returncode != 0, context
    v1v1 = [r for r in gw.requests if r.path == "/v1/v1/messages"]
    assert v1v1 and all(r.status == 404 for r in v1v1), context
    assert not [r for r in gw.requests if r.path == "/v1/messages"], context
    assert "AIG013" in check_rules(project, bin_dir, project)
    assert_doctor_flags(project, bin_dir, "claude", "AIG013")


def test_codex_wire_api_chat_fails(
    gw: FakeGateway, project: Path, clients: tuple[Path, dict[str, str]], record: Recorder
) -> None:
    """AIG020: wire_api = "chat" is a hard error in Codex 0.169 (no request at all)."""
    bin_dir = clients[0]
    init("codex", MODEL, gw, project, bin_dir)
    config = Path(os.environ["CODEX_HOME"]) / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert 'wire_api = "responses"' in text
    config.write_text(text.replace('wire_api = "responses"', 'wire_api = "chat"'))

    result = run_client("codex", bin_dir, project, key=TEST_KEY, model=MODEL)
    record("codex", result, gw)
    context = f"gateway saw {paths_seen(gw.requests)}\n{result.describe()}"
    assert result.returncode != 0, context
    assert "wire_api" in result.stderr, context
    assert not gw.requests, context
    assert "AIG020" in check_rules(project, bin_dir, config)
    assert_doctor_flags(project, bin_dir, "codex", "AIG020")


def test_opencode_misspelled_provider_key_fails(
    gw: FakeGateway, project: Path, clients: tuple[Path, dict[str, str]], record: Recorder
) -> None:
    """AIG033: `providers` instead of `provider` is silently ignored -> model not found."""
    bin_dir = clients[0]
    init("opencode", MODEL, gw, project, bin_dir, "project")
    config = project / "opencode.json"
    text = config.read_text(encoding="utf-8")
    assert text.count('"provider":') == 1
    config.write_text(text.replace('"provider":', '"providers":'))

    result = run_client("opencode", bin_dir, project, key=TEST_KEY, model=MODEL, logs=True)
    record("opencode", result, gw)
    context = f"gateway saw {paths_seen(gw.requests)}\n{result.describe()}"
    assert result.returncode != 0 or "OK" not in result.answer, context
    assert not [r for r in gw.requests if r.path == ROUTES["opencode"]], context
    assert "ProviderModelNotFoundError" in result.stderr, context
    assert "AIG033" in check_rules(project, bin_dir, project)
    assert_doctor_flags(project, bin_dir, "opencode", "AIG033")


# --- 5. doctor --with-clients runs the real clients -----------------------------------------


def test_doctor_with_clients_runs_each_real_client(
    gw: FakeGateway, project: Path, clients: tuple[Path, dict[str, str]]
) -> None:
    """Project scope, with doctor started from another directory: the clients must still be
    run in the project (OpenCode and Kilo find it through $PWD, not the process cwd)."""
    bin_dir = clients[0]
    for client in ("codex", "opencode", "kilo", "claude"):
        init(client, MODEL, gw, project, bin_dir, "project")
    elsewhere = Path(os.environ["HOME"])
    env = {**base_env(bin_dir, project, TEST_KEY), "PWD": str(elsewhere)}
    result = aigate(
        "doctor",
        "--format",
        "json",
        "--with-clients",
        "--project-dir",
        str(project),
        "--base-url",
        gw.base_url,
        env=env,
        cwd=elsewhere,
        timeout=400,
    )
    doc = json.loads(result.stdout)
    checks = {c["id"]: c for c in doc["checks"]}
    for client in ("codex", "opencode", "kilo", "claude"):
        c = checks[f"{client}.run"]
        assert c["status"] == "pass", (c, result.stderr[-2000:])
        assert "OK" in c["detail"], c
    assert TEST_KEY not in result.stdout + result.stderr
