"""`aigate-setup check` through the CLI: discovery, exit codes and every output format."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, run_cli

from aigate_setup import rules

CODEX_BAD = """\
model = "openai/gpt-5.5"

[model_providers.aigate]
base_url = "https://api.aigate.shop/v1"
env_key = "AIGATE_API_KEY"
wire_api = "chat"
"""
OPENCODE_OK = """\
{
  "$schema": "https://opencode.ai/config.json",
  "provider": {
    "aigate": {
      "npm": "@ai-sdk/openai-compatible",
      "options": {"baseURL": "https://api.aigate.shop/v1", "apiKey": "{env:AIGATE_API_KEY}"},
      "models": {"openai/gpt-5.5": {}}
    }
  },
  "model": "aigate/openai/gpt-5.5"
}
"""
OPENCODE_WARN = OPENCODE_OK.replace('"provider": {', '"colour": "x",\n  "provider": {')
OPENCODE_SECRET = OPENCODE_OK.replace("{env:AIGATE_API_KEY}", TEST_KEY)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def check_json(*args: str) -> tuple[int, dict[str, Any]]:
    r = run_cli("check", "--format", "json", *args)
    return r.exit_code, json.loads(r.stdout)


# --- exit codes and text output ----------------------------------------------------------


def test_clean_tree_exits_0() -> None:
    write(Path.cwd(), {"opencode.json": OPENCODE_OK})
    r = run_cli("check")
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == "aigate-setup check: no problems in 1 file\n"


def test_empty_tree_exits_0() -> None:
    r = run_cli("check")
    assert r.exit_code == 0
    assert "no problems in 0 files" in r.stderr


def test_warnings_alone_exit_0() -> None:
    write(Path.cwd(), {"opencode.json": OPENCODE_WARN})
    r = run_cli("check")
    assert r.exit_code == 0
    assert r.stdout == (
        "opencode.json:3:3: AIG034 warning: unknown root key 'colour' for OpenCode\n"
        "    hint: check the spelling against the client's config schema\n"
    )
    assert r.stderr == "aigate-setup check: 0 errors, 1 warning in 1 file\n"


def test_errors_exit_1_with_exact_text() -> None:
    write(Path.cwd(), {".codex/config.toml": CODEX_BAD})
    r = run_cli("check")
    assert r.exit_code == 1
    assert r.stdout == (
        ".codex/config.toml:3:1: AIG023 warning: `model_providers` in a project "
        ".codex/config.toml is ignored by Codex\n"
        "    hint: move model_provider/model_providers to ~/.codex/config.toml "
        "(`aigate-setup init --client codex`); Codex ignores them in a project file\n"
        ".codex/config.toml:6:12: AIG020 error: [model_providers.aigate] wire_api = 'chat'; "
        'Codex 0.169 only loads "responses"\n'
        '    hint: set wire_api = "responses" (Codex 0.169 refuses "chat")\n'
    )
    assert r.stderr == "aigate-setup check: 1 error, 1 warning in 1 file\n"


def test_unknown_path_is_usage_error() -> None:
    r = run_cli("check", "nope.json")
    assert r.exit_code == 2
    assert "nope.json: no such file or directory" in r.stderr


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_unknown_rule_id_is_usage_error(flag: str) -> None:
    r = run_cli("check", flag, "AIG999")
    assert r.exit_code == 2
    assert "unknown rule id AIG999" in r.stderr


def test_unreadable_catalog_is_usage_error() -> None:
    r = run_cli("check", "--catalog", "missing.json")
    assert r.exit_code == 2
    Path("bad.json").write_text("{nope", encoding="utf-8")
    assert run_cli("check", "--catalog", "bad.json").exit_code == 2


def test_json_usage_error_keeps_stdout_one_document() -> None:
    r = run_cli("check", "--format", "json", "missing-dir")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["status"] == "fail" and doc["command"] == "check"


def test_select_and_ignore() -> None:
    write(Path.cwd(), {".codex/config.toml": CODEX_BAD})
    code, doc = check_json("--select", "AIG023")
    assert code == 0 and [f["rule"] for f in doc["findings"]] == ["AIG023"]
    code, doc = check_json("--ignore", "aig020,AIG023")
    assert code == 0 and doc["findings"] == []


# --- discovery ---------------------------------------------------------------------------


def test_discovers_every_agent_file_and_skips_junk() -> None:
    bad = '{"providers": {}}'
    write(
        Path.cwd(),
        {
            "opencode.json": bad,
            ".opencode/opencode.jsonc": bad,
            "kilo.jsonc": bad,
            ".kilo/kilo.json": bad,
            ".kilocode/kilo.jsonc": bad,
            ".codex/config.toml": 'profile = "x"\n',
            ".claude/settings.json": '{"env": {"ANTHROPIC_BASE_URL": "https://x.example/v1"}}',
            ".claude/settings.local.json": "{",
            ".aigate/aigate-claude.sh": "export ANTHROPIC_BASE_URL=https://x.example/v1\n",
            ".aigate/aigate-claude.ps1": '$env:ANTHROPIC_BASE_URL = "https://x.example/v1"\n',
            "sub/pkg/opencode.json": bad,
            # never looked at
            "node_modules/x/opencode.json": bad,
            ".git/opencode.json": bad,
            "venv/opencode.json": bad,
            ".venv/opencode.json": bad,
            "env3/pyvenv.cfg": "home = /usr\n",
            "env3/opencode.json": bad,
            "__pycache__/opencode.json": bad,
            "config.toml": 'profile = "x"\n',
            "settings.json": "{",
            "package.json": "{",
        },
    )
    code, doc = check_json()
    assert code == 1
    paths = sorted({f["path"] for f in doc["findings"]})
    assert paths == sorted(
        [
            ".aigate/aigate-claude.ps1",
            ".aigate/aigate-claude.sh",
            ".claude/settings.json",
            ".claude/settings.local.json",
            ".codex/config.toml",
            ".kilo/kilo.json",
            ".kilocode/kilo.jsonc",
            ".opencode/opencode.jsonc",
            "kilo.jsonc",
            "opencode.json",
            "sub/pkg/opencode.json",
        ]
    )
    assert doc["files_checked"] == 11


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignored_files_are_skipped_unless_named() -> None:
    root = Path.cwd()
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=30)
    write(root, {".gitignore": "local/\n", "local/opencode.json": OPENCODE_SECRET})
    write(root, {"opencode.json": OPENCODE_OK})
    code, doc = check_json()
    assert (code, doc["files_checked"], doc["findings"]) == (0, 1, [])
    code, doc = check_json("local/opencode.json")
    assert code == 1 and doc["findings"][0]["rule"] == "AIG003"


def test_explicit_file_with_unusual_name_is_checked() -> None:
    write(
        Path.cwd(),
        {
            "ci/agent-config.toml": CODEX_BAD,
            "ci/claude.env.sh": "export ANTHROPIC_AUTH_TOKEN=" + TEST_KEY + "\n",
        },
    )
    code, doc = check_json("ci/agent-config.toml", "ci/claude.env.sh")
    rules_found = {(f["path"], f["rule"]) for f in doc["findings"]}
    assert ("ci/agent-config.toml", "AIG020") in rules_found
    assert ("ci/claude.env.sh", "AIG006") in rules_found
    assert doc["files_checked"] == 2 and code == 1


def test_same_file_twice_is_checked_once() -> None:
    write(Path.cwd(), {"opencode.json": OPENCODE_WARN})
    _code, doc = check_json(".", "opencode.json", str(Path.cwd() / "opencode.json"))
    assert doc["files_checked"] == 1 and len(doc["findings"]) == 1


def test_paths_outside_cwd_are_absolute(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    write(other, {"opencode.json": OPENCODE_WARN})
    _code, doc = check_json(str(other))
    assert doc["findings"][0]["path"] == str(other / "opencode.json")


def test_non_utf8_file_is_a_parse_finding() -> None:
    Path("opencode.json").write_bytes(b'{"model": "\xff"}')
    code, doc = check_json()
    assert code == 1 and doc["findings"][0]["rule"] == "AIG001"


# --- formats -----------------------------------------------------------------------------


def test_json_document_shape() -> None:
    write(Path.cwd(), {".codex/config.toml": CODEX_BAD})
    code, doc = check_json()
    assert code == 1
    assert list(doc) == ["version", "command", "status", "findings", "files_checked"]
    assert (doc["version"], doc["command"], doc["status"], doc["files_checked"]) == (
        1,
        "check",
        "fail",
        1,
    )
    f = doc["findings"][1]
    assert f == {
        "rule": "AIG020",
        "severity": "error",
        "path": ".codex/config.toml",
        "line": 6,
        "column": 12,
        "message": "[model_providers.aigate] wire_api = 'chat'; Codex 0.169 only loads \"responses\"",
        "hint": 'set wire_api = "responses" (Codex 0.169 refuses "chat")',
    }
    write(Path.cwd(), {".codex/config.toml": "model = 'x'\n"})
    assert check_json()[1]["status"] == "ok"


def test_github_lines_exact() -> None:
    write(Path.cwd(), {".codex/config.toml": CODEX_BAD, "opencode.json": OPENCODE_WARN})
    r = run_cli("check", "--format", "github")
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        "::warning file=.codex/config.toml,line=3,col=1,title=AIG023::`model_providers` in a "
        "project .codex/config.toml is ignored by Codex%0Ahint: move model_provider/model_providers "
        "to ~/.codex/config.toml (`aigate-setup init --client codex`); Codex ignores them in a "
        "project file",
        "::error file=.codex/config.toml,line=6,col=12,title=AIG020::[model_providers.aigate] "
        "wire_api = 'chat'; Codex 0.169 only loads \"responses\"%0Ahint: set wire_api = "
        '"responses" (Codex 0.169 refuses "chat")',
        "::warning file=opencode.json,line=3,col=3,title=AIG034::unknown root key 'colour' for "
        "OpenCode%0Ahint: check the spelling against the client's config schema",
    ]


def test_github_escaping() -> None:
    from aigate_setup.findings import Finding
    from aigate_setup.render.check import github_line

    f = Finding("a,b:c%.json", 1, 2, "AIG001", "error", "50% bad\r\nthing", "")
    assert (
        github_line(f)
        == "::error file=a%2Cb%3Ac%25.json,line=1,col=2,title=AIG001::50%25 bad%0D%0Athing"
    )
    g = Finding("x.json", None, None, "AIG001", "warning", "m", "")
    assert github_line(g) == "::warning file=x.json,title=AIG001::m"


def test_sarif_required_fields() -> None:
    write(Path.cwd(), {".codex/config.toml": CODEX_BAD, "sub dir/opencode.json": OPENCODE_WARN})
    r = run_cli("check", "--format", "sarif")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "aigate-setup" and driver["version"] and driver["informationUri"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == list(rules.RULES) and len(set(ids)) == len(ids)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["name"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
    assert len(run["results"]) == 3
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning") and res["message"]["text"]
        loc = res["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "\\" not in uri
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
    uris = {
        res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for res in run["results"]
    }
    assert uris == {".codex/config.toml", "sub dir/opencode.json"}
    wire = next(res for res in run["results"] if res["ruleId"] == "AIG020")
    assert wire["level"] == "error"
    assert wire["locations"][0]["physicalLocation"]["region"] == {"startLine": 6, "startColumn": 12}


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_secret_never_printed_in_full(fmt: str) -> None:
    write(
        Path.cwd(),
        {
            "opencode.json": OPENCODE_SECRET,
            ".codex/config.toml": f'# {TEST_KEY}\n[model_providers.x]\nexperimental_bearer_token = "{TEST_KEY}"\n',
            ".claude/settings.json": f'{{"env": {{"ANTHROPIC_API_KEY": "{TEST_KEY}"}}}}',
            ".aigate/aigate-claude.sh": f"export ANTHROPIC_AUTH_TOKEN='{TEST_KEY}'\n",
            ".aigate/aigate-claude.ps1": f'$env:ANTHROPIC_AUTH_TOKEN = "{TEST_KEY}"\n',
        },
    )
    r = run_cli("check", "--format", fmt)
    assert r.exit_code == 1
    assert TEST_KEY not in r.output and TEST_KEY[3:-4] not in r.output
    assert "sk-...WXYZ" in r.output
    found = {"AIG002", "AIG003", "AIG004", "AIG005", "AIG006"}
    assert all(rule in r.output for rule in found)


# --- catalog and gateway host ------------------------------------------------------------


def models_doc(*ids: str) -> str:
    models = [
        {"id": i, "kind": "chat", "clients": ["codex", "opencode", "kilo", "claude"]} for i in ids
    ]
    return json.dumps({"version": 1, "command": "models", "status": "ok", "models": models})


def test_catalog_file_flags_unknown_models() -> None:
    write(Path.cwd(), {"opencode.json": OPENCODE_OK, "models.json": models_doc("openai/gpt-5.4")})
    assert run_cli("check").exit_code == 0
    code, doc = check_json("--catalog", "models.json")
    assert code == 1
    assert {(f["rule"], f["line"]) for f in doc["findings"]} == {("AIG050", 7), ("AIG050", 10)}
    assert "openai/gpt-5.4" in doc["findings"][0]["hint"]


def test_raw_models_response_as_catalog() -> None:
    raw = {"object": "list", "data": [{"id": "openai/gpt-5.5", "object": "model"}]}
    write(Path.cwd(), {"opencode.json": OPENCODE_OK, "raw.json": json.dumps(raw)})
    code, doc = check_json("--catalog", "raw.json")
    assert (code, doc["findings"]) == (0, [])


def test_gateway_host() -> None:
    write(Path.cwd(), {"opencode.json": OPENCODE_OK})
    assert run_cli("check", "--gateway-host", "api.aigate.shop").exit_code == 0
    code, doc = check_json("--gateway-host", "gw.example.com")
    assert code == 1 and doc["findings"][0]["rule"] == "AIG015"


# --- what aigate-setup writes passes check -----------------------------------------------


def test_files_written_by_init_pass_check(fake_gateway: Any, sandbox_home: Path) -> None:
    project = Path.cwd()
    r = run_cli(
        "init", "--yes", "--no-smoke-test", "--model", "openai/gpt-5.5", "--scope", "project",
        "--base-url", fake_gateway.base_url,
        env={"AIGATE_API_KEY": TEST_KEY},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    user_files = [
        sandbox_home / ".codex" / "config.toml",
        sandbox_home / ".config" / "kilo" / "kilo.jsonc",
    ]
    assert all(p.is_file() for p in user_files)
    code, doc = check_json(
        "--live", "--base-url", fake_gateway.base_url, str(project), *map(str, user_files)
    )
    assert doc["findings"] == [] and code == 0
    assert doc["files_checked"] >= 5
    # and user scope too
    r = run_cli(
        "init", "--yes", "--no-smoke-test", "--model", "anthropic/claude-sonnet-4.6",
        "--base-url", fake_gateway.base_url, env={"AIGATE_API_KEY": TEST_KEY},
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    code, doc = check_json(str(sandbox_home / ".codex"), str(sandbox_home / ".config"))
    assert doc["findings"] == [] and code == 0
    assert doc["files_checked"] >= 3


def test_pre_commit_hook_matches_discovered_names() -> None:
    import re

    hooks = (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert "- id: aigate-check" in hooks
    assert "entry: aigate-setup check\n" in hooks and "language: python\n" in hooks
    assert "pass_filenames: true\n" in hooks
    files = re.search(r"^  files: (.+)$", hooks, re.MULTILINE)
    assert files
    pattern = re.compile(files.group(1))
    for name in [
        "opencode.json",
        "sub/.opencode/opencode.jsonc",
        "kilo.jsonc",
        ".kilo/kilo.json",
        ".kilocode/opencode.json",
        ".codex/config.toml",
        ".claude/settings.json",
        ".claude/settings.local.json",
        ".aigate/aigate-claude.sh",
        ".aigate/aigate-claude.ps1",
    ]:
        assert pattern.search(name), name
        assert rules.kind_for(Path(name)) is not None, name
    for name in ["config.toml", "package.json", "settings.json", "myopencode.json"]:
        assert not pattern.search(name), name


def test_select_runs_only_that_rule() -> None:
    # AIG003 (the sharper secret rule) does not run, so the catch-all AIG002 reports the key.
    write(Path.cwd(), {"opencode.json": OPENCODE_SECRET})
    code, doc = check_json("--select", "AIG002")
    assert code == 1 and [(f["rule"], f["line"]) for f in doc["findings"]] == [("AIG002", 6)]
    sarif = json.loads(run_cli("check", "--format", "sarif", "--select", "AIG002").stdout)
    assert [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]] == ["AIG002"]
