"""`aigate-setup status` and `doctor --offline` for Codex's profiles and its /model picker.

Each case is planted in a temporary HOME (and project) after a real `init` with a fake `codex`
on PATH (so the picker catalog is written), and checked in status JSON, status text and exit
code, and doctor's codex.effective check. The behaviour of Codex 0.169 behind each expectation
is in docs/clients/codex.md ("What wins")."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from test_codex_catalog import install_fake_codex
from test_status import ENV, client, home, init, project, status, write

from aigate_setup.testing import FakeGateway


def user() -> Path:
    return home() / ".codex" / "config.toml"


def catalog_file() -> Path:
    return home() / ".codex" / "aigate-models.json"


@pytest.fixture
def codex_ready(
    fake_gateway: FakeGateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FakeGateway:
    """Codex set up by init, with its picker catalog (a fake `codex` prints the bundled one)."""
    install_fake_codex(tmp_path / "bin", monkeypatch)
    project()
    r = init(fake_gateway, "--client", "codex")
    assert r.exit_code == 0, r.output
    assert catalog_file().is_file() and "model_catalog_json" in user().read_text()
    # init judged its plan (the catalog not written yet) and found nothing to warn about
    assert "model_catalog_json" not in r.output and "warning:" not in r.stderr, r.output
    return fake_gateway


def codex_status(gw: FakeGateway) -> tuple[int, dict[str, Any], list[str]]:
    """Exit code, the Codex entry of the JSON document, and the text output's lines."""
    r, doc = status(gw, "--client", "codex")
    text = run_cli("status", "--client", "codex", "--base-url", gw.base_url, env=ENV)
    assert text.exit_code == r.exit_code, text.output
    assert "Traceback" not in r.output + text.output
    return r.exit_code, client(doc, "codex"), text.stdout.splitlines()


def doctor_effective(gw: FakeGateway) -> tuple[int, dict[str, Any]]:
    r = run_cli(
        "doctor", "--offline", "--format", "json", "--client", "codex",
        "--base-url", gw.base_url, env=ENV,
    )  # fmt: skip
    (eff,) = [c for c in json.loads(r.stdout)["checks"] if c["id"] == "codex.effective"]
    return r.exit_code, eff


def only(c: dict[str, Any], what: str) -> dict[str, Any]:
    (found,) = [o for o in c["overrides"] if o["what"] == what]
    assert set(found) == {"what", "origin", "value"}  # the JSON contract
    return dict(found)


def prepend(path: Path, text: str) -> None:
    path.write_text(text + path.read_text())


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def trust() -> None:
    append(user(), f'\n[projects."{project()}"]\ntrust_level = "trusted"\n')


# --------------------------------------------------------------------------- healthy


def test_healthy_codex_with_its_picker_catalog_has_nothing_to_say(codex_ready: FakeGateway) -> None:
    code, c, lines = codex_status(codex_ready)
    assert code == 0 and c["reaches_aigate"] and c["overrides"] == [], c
    assert len(lines) == 2 and "reaches AIGate" in lines[1]
    code, eff = doctor_effective(codex_ready)
    assert eff["status"] == "pass"


# --------------------------------------------------------------------------- profiles


def test_root_profile_key_stops_codex_blocking(codex_ready: FakeGateway) -> None:
    prepend(user(), 'profile = "work"\n')
    code, c, lines = codex_status(codex_ready)
    assert code == 1 and not c["reaches_aigate"]
    assert only(c, "profile") == {"what": "profile", "origin": f"{user()}:1", "value": "work"}
    assert "refuse to start" in c["why"]
    (line,) = [ln for ln in lines if "override: profile" in ln]
    assert "~/.codex/config.toml:1" in line and "~/.codex/work.config.toml" in line
    code, eff = doctor_effective(codex_ready)
    assert code == 1 and eff["status"] == "fail"
    assert "`profile` in ~/.codex/config.toml:1" in eff["detail"]
    assert "work.config.toml" in eff["hint"] and "codex -p work" in eff["hint"]


def test_profile_key_in_a_project_config_is_ignored(codex_ready: FakeGateway) -> None:
    trust()
    write(
        project() / ".codex" / "config.toml", 'profile = "work"\n\n[profiles.work]\nmodel = "x"\n'
    )
    code, c, _ = codex_status(codex_ready)
    assert code == 0 and c["reaches_aigate"] and c["overrides"] == [], c


def test_legacy_profiles_table_is_a_note(codex_ready: FakeGateway) -> None:
    append(user(), '\n[profiles.work]\nmodel = "gpt-5-codex"\n')
    line_no = user().read_text().splitlines().index("[profiles.work]") + 1
    code, c, lines = codex_status(codex_ready)
    assert code == 0 and c["reaches_aigate"]
    assert only(c, "profiles.work")["origin"] == f"{user()}:{line_no}"
    (line,) = [ln for ln in lines if ln.lstrip().startswith("note: profiles.work")]
    assert "`codex -p work` refuse to start" in line
    assert "move its keys to ~/.codex/work.config.toml" in line
    assert doctor_effective(codex_ready)[1]["status"] == "pass"


PROFILES = {
    "provider": ('model_provider = "openai"\n', "model_provider", "openai",
                 "with `codex -p p` requests go to https://api.openai.com/v1 (provider openai)"),
    "base_url": ('[model_providers.aigate]\nbase_url = "https://elsewhere.example/v1"\n',
                 "model_providers.aigate.base_url", "https://elsewhere.example/v1",
                 "with `codex -p p` requests go to https://elsewhere.example/v1"),
    "model": ('model = "gpt-5-codex"\n', "model", "gpt-5-codex",
              "with `codex -p p` Codex asks AIGate for gpt-5-codex"),
    "review_model": ('\nreview_model = "gpt-5-codex"\n', "review_model", "gpt-5-codex",
                     "with `codex -p p` /review asks AIGate for gpt-5-codex"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(PROFILES))
def test_a_profile_that_misses_aigate_is_a_note(codex_ready: FakeGateway, case: str) -> None:
    text, what, value, effect = PROFILES[case]
    path = write(home() / ".codex" / "p.config.toml", text)
    line_no = 2 if text.startswith(("[", "\n")) else 1
    code, c, lines = codex_status(codex_ready)
    assert code == 0 and c["reaches_aigate"], c
    assert only(c, what) == {"what": what, "origin": f"{path}:{line_no}", "value": value}
    (line,) = [ln for ln in lines if "p.config.toml" in ln]
    assert line.lstrip().startswith(f"note: {what} = ") and effect in line, line
    assert "; fix: " in line
    assert len([ln for ln in lines if not ln.startswith("    ")]) == 2  # one line per client
    assert doctor_effective(codex_ready)[1]["status"] == "pass"


def test_profiles_that_reach_aigate_are_not_named(codex_ready: FakeGateway) -> None:
    write(home() / ".codex" / "fast.config.toml", 'model = "openai/gpt-5.5-mini"\n')
    write(home() / ".codex" / "same.config.toml", 'model_provider = "aigate"\n')
    code, c, _ = codex_status(codex_ready)
    assert code == 0 and c["overrides"] == [], c


def test_a_trusted_project_model_wins_over_the_profile_model(codex_ready: FakeGateway) -> None:
    trust()
    write(project() / ".codex" / "config.toml", 'model = "openai/gpt-5.5-mini"\n')
    write(home() / ".codex" / "p.config.toml", 'model = "gpt-5-codex"\n')
    code, c, _ = codex_status(codex_ready)
    # the project's model is used with -p p too (the project model itself is a note)
    assert code == 0 and not [o for o in c["overrides"] if "p.config.toml" in o["origin"]], c


def test_a_broken_profile_file_is_a_note(codex_ready: FakeGateway) -> None:
    path = write(home() / ".codex" / "p.config.toml", "model = [\n")
    code, c, lines = codex_status(codex_ready)
    assert code == 0 and c["reaches_aigate"]
    assert only(c, "p.config.toml")["origin"] == str(path)
    assert any("`codex -p p` refuse to start" in ln for ln in lines)


def test_hostile_profile_names_are_cleaned(codex_ready: FakeGateway) -> None:
    write(home() / ".codex" / "\x1b[31mred\x07.config.toml", 'model = "gpt-5-codex"\n')
    append(user(), '\n[profiles."\\u001b]0;title\\u0007"]\nmodel = "x"\n')
    code, c, lines = codex_status(codex_ready)
    assert code == 0 and len(c["overrides"]) == 2, c
    text = "\n".join(lines)
    assert "\x1b" not in text and "\x07" not in text
    assert "Traceback" not in text


# --------------------------------------------------------------------------- the picker


def test_no_picker_catalog_is_a_note(codex_ready: FakeGateway) -> None:
    user().write_text(
        "".join(ln for ln in user().read_text().splitlines(True) if "model_catalog_json" not in ln)
    )
    code, c, lines = codex_status(codex_ready)
    assert code == 0 and c["reaches_aigate"]
    assert only(c, "model_catalog_json") == {
        "what": "model_catalog_json", "origin": str(user()), "value": ""}  # fmt: skip
    (line,) = [ln for ln in lines if "model_catalog_json" in ln]
    assert line.lstrip().startswith("note: model_catalog_json at ~/.codex/config.toml: is not set")
    assert "lists OpenAI's models" in line and "aigate-setup init --client codex" in line
    assert doctor_effective(codex_ready)[1]["status"] == "pass"


def _catalog_line() -> int:
    lines = user().read_text().splitlines()
    return next(i for i, ln in enumerate(lines, 1) if ln.startswith("model_catalog_json"))


def _drop_a_required_field() -> None:
    doc = json.loads(catalog_file().read_text())
    del doc["models"][0]["shell_type"]
    catalog_file().write_text(json.dumps(doc))


def _delete() -> None:
    catalog_file().unlink()


def _truncate() -> None:
    catalog_file().write_text('{"models": [\n')


BROKEN: dict[str, tuple[Callable[[], None], str]] = {
    "missing": (_delete, "it does not exist"),
    "not json": (_truncate, "not valid JSON"),
    "bad entry": (_drop_a_required_field, "shell_type is missing"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_picker_catalog_is_blocking(codex_ready: FakeGateway, case: str) -> None:
    breaks, problem = BROKEN[case]
    breaks()
    code, c, lines = codex_status(codex_ready)
    assert code == 1 and not c["reaches_aigate"]
    origin = f"{user()}:{_catalog_line()}"
    assert only(c, "model_catalog_json") == {
        "what": "model_catalog_json", "origin": origin, "value": "aigate-models.json"}  # fmt: skip
    assert problem in c["why"] and "Codex does not start" in c["why"]
    (line,) = [ln for ln in lines if ln.lstrip().startswith("override: model_catalog_json")]
    assert "fix: aigate-setup init --client codex" in line
    code, eff = doctor_effective(codex_ready)
    assert code == 1 and eff["status"] == "fail" and problem in eff["detail"]


def test_a_catalog_without_the_model_is_a_note(codex_ready: FakeGateway) -> None:
    doc = json.loads(catalog_file().read_text())
    doc["models"] = [dict(doc["models"][0], slug="other/x")]
    catalog_file().write_text(json.dumps(doc))
    code, c, lines = codex_status(codex_ready)
    assert code == 0 and c["reaches_aigate"]
    assert only(c, "model_catalog_json")["value"] == "aigate-models.json"
    (line,) = [ln for ln in lines if "model_catalog_json" in ln]
    assert "lists other/x, not openai/gpt-5.5" in line
    assert "--model openai/gpt-5.5" in line


def test_a_project_catalog_is_read_from_its_own_directory(codex_ready: FakeGateway) -> None:
    trust()
    write(project() / ".codex" / "config.toml", 'model_catalog_json = "mine.json"\n')
    code, c, _ = codex_status(codex_ready)
    assert code == 1 and str(project() / ".codex" / "config.toml") + ":1" in [
        o["origin"] for o in c["overrides"]
    ]
    write(project() / ".codex" / "mine.json", catalog_file().read_text())
    code, c, _ = codex_status(codex_ready)
    assert code == 0 and c["overrides"] == [], c


def test_no_picker_note_without_aigate_as_the_default(fake_gateway: FakeGateway) -> None:
    project()
    assert init(fake_gateway, "--client", "codex", "--no-default").exit_code == 0
    _, c, _ = codex_status(fake_gateway)
    assert c["configured"] and not c["reaches_aigate"]
    assert [o for o in c["overrides"] if o["what"] == "model_catalog_json"] == []


def test_init_does_not_repeat_the_picker_note_as_a_warning(fake_gateway: FakeGateway) -> None:
    # Codex is not installed: init writes no catalog and says so once (its own note)
    project()
    r = init(fake_gateway, "--client", "codex", "--dry-run", "--format", "json")
    assert r.exit_code == 0, r.output
    assert not [w for w in json.loads(r.stdout)["warnings"] if "model_catalog_json" in w]


# --------------------------------------------------------------------------- the real Codex


@pytest.fixture(scope="module")
def bin_dir() -> Path:
    from e2e_support import pinned_bin

    return pinned_bin()


def _real(bin_dir: Path, args: list[str], gw: FakeGateway) -> tuple[int, str, Any]:
    """`aigate-setup ARGS` (or `codex exec ARGS...` when args[0] is "exec") in the sandbox:
    exit code, stderr, and the JSON document for status."""
    from conftest import TEST_KEY
    from e2e_support import PROMPT, aigate, base_env, run

    env = base_env(bin_dir, Path.cwd(), TEST_KEY)
    if args[0] == "exec":
        argv = ["codex", *args, "--skip-git-repo-check", "-c", "analytics.enabled=false"]
        r = run([*argv, "--disable", "plugins", PROMPT], env, Path.cwd())
        return r.returncode, r.stdout + r.stderr, None
    r = aigate(*args, "--base-url", gw.base_url, env=env, cwd=Path.cwd())
    doc = json.loads(r.stdout) if "--format" in args else None
    return r.returncode, r.stderr, doc


def _turns(gw: FakeGateway) -> list[str]:
    return [
        str(r.json.get("model")) if isinstance(r.json, dict) else ""
        for r in gw.requests
        if r.path == "/v1/responses"
    ]


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_real_codex_profiles_and_picker_match_status(bin_dir: Path) -> None:
    """Each status verdict, next to what the real Codex 0.169 does with the same files."""
    from conftest import TEST_KEY

    status_args = ["status", "--client", "codex", "--format", "json"]
    with FakeGateway(keys=[TEST_KEY]) as gw, FakeGateway() as other:
        project()
        code, err, _ = _real(bin_dir, ["init", "--yes", "--client", "codex",
                                       "--model", "openai/gpt-5.5", "--no-smoke-test"], gw)  # fmt: skip
        assert code == 0, err
        assert catalog_file().is_file()
        base = user().read_text()

        # a profile file sending `codex -p p` elsewhere: a note; plain codex still reaches us
        write(home() / ".codex" / "p.config.toml",
              f'[model_providers.aigate]\nbase_url = "{other.base_url}"\n')  # fmt: skip
        code, _, doc = _real(bin_dir, status_args, gw)
        assert code == 0 and only(doc["clients"][0], "model_providers.aigate.base_url")
        gw.clear_log()
        assert _real(bin_dir, ["exec"], gw)[0] == 0 and _turns(gw) == ["openai/gpt-5.5"]
        assert _real(bin_dir, ["exec", "-p", "p"], gw)[0] == 0
        assert _turns(other) == ["openai/gpt-5.5"] and len(_turns(gw)) == 1
        (home() / ".codex" / "p.config.toml").unlink()

        # a legacy [profiles.work] table: a note; only `codex -p work` refuses to start
        user().write_text(base + '\n[profiles.work]\nmodel = "gpt-5-codex"\n')
        code, _, doc = _real(bin_dir, status_args, gw)
        assert code == 0 and only(doc["clients"][0], "profiles.work")
        assert _real(bin_dir, ["exec"], gw)[0] == 0
        code, out, _ = _real(bin_dir, ["exec", "-p", "work"], gw)
        assert code != 0 and "legacy" in out and "work.config.toml" in out

        # a root profile key: blocking, and Codex does not start
        user().write_text('profile = "work"\n' + base)
        code, _, doc = _real(bin_dir, status_args, gw)
        assert code == 1 and only(doc["clients"][0], "profile")
        gw.clear_log()
        code, out, _ = _real(bin_dir, ["exec"], gw)
        assert code != 0 and "legacy `profile" in out and _turns(gw) == []

        # the picker catalog gone: blocking, and Codex does not start
        user().write_text(base)
        catalog_file().unlink()
        code, _, doc = _real(bin_dir, status_args, gw)
        assert code == 1 and only(doc["clients"][0], "model_catalog_json")
        code, out, _ = _real(bin_dir, ["exec"], gw)
        assert code != 0 and "No such file or directory" in out and _turns(gw) == []
