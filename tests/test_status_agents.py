"""`status` and agents defined in Markdown files (OpenCode's and Kilo's `agent/*.md`): the default
agent's `model:` line is named with its file and line, from a project subdirectory too; hostile
files never crash."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY, Result, run_cli
from test_status import home, project

from aigate_setup.clients import kilo, md_agents, opencode
from aigate_setup.testing import FakeGateway

ENV = {"AIGATE_API_KEY": TEST_KEY}
OTHER = "openrouter/x-ai/grok"


def init(gw: FakeGateway, name: str) -> Result:
    args = ["init", "--yes", "--no-smoke-test", "--base-url", gw.base_url]
    return run_cli(*args, "--model", "openai/gpt-5.5", "--client", name, env=ENV)


def status(gw: FakeGateway, name: str, cwd: Path | None = None) -> tuple[Result, Any]:
    args = ["status", "--format", "json", "--base-url", gw.base_url, "--client", name]
    if cwd is not None:
        args += ["--project-dir", str(cwd)]
    r = run_cli(*args, env=ENV)
    (found,) = json.loads(r.stdout)["clients"]
    return r, found


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def agent_md(model: str, extra: str = "") -> str:
    return f"---\ndescription: mine\n{extra}model: {model}\n---\nYou are helpful.\n"


# --------------------------------------------------------------------------- OpenCode


@pytest.mark.parametrize("where", ["user", "project"])
def test_opencode_markdown_default_agent_is_named(fake_gateway: FakeGateway, where: str) -> None:
    root = project()
    assert init(fake_gateway, "opencode").exit_code == 0
    base = home() / ".config" / "opencode" if where == "user" else root / ".opencode"
    md = write(base / "agent" / "build.md", agent_md(OTHER))
    sub = root / "src" / "deep"
    sub.mkdir(parents=True)

    r, c = status(fake_gateway, "opencode", sub)
    assert r.exit_code == 1, r.output
    assert not c["reaches_aigate"]
    assert c["effective"]["model"] == OTHER
    assert c["origins"]["model"] == f"{md}:3"
    (o,) = [o for o in c["overrides"] if o["what"] == "agent.build.model"]
    assert o["origin"] == f"{md}:3" and o["value"] == OTHER
    assert "agent.build.model" in c["why"] and "build.md" in c["why"]
    text = run_cli(
        "status", "--base-url", fake_gateway.base_url, "--project-dir", str(sub), env=ENV
    )
    assert 'fix: set model: "aigate/openai/gpt-5.5" in its frontmatter' in text.stdout


def test_opencode_markdown_beats_project_json_agent(fake_gateway: FakeGateway) -> None:
    """The global directory's Markdown agents load after the project JSON files."""
    root = project()
    assert init(fake_gateway, "opencode").exit_code == 0
    write(root / "opencode.json", '{"agent": {"build": {"model": "aigate/openai/gpt-5.5"}}}\n')
    md = write(home() / ".config" / "opencode" / "agents" / "build.md", agent_md(f'"{OTHER}"'))
    r, c = status(fake_gateway, "opencode")
    assert r.exit_code == 1 and c["origins"]["model"] == f"{md}:3"


def test_opencode_later_json_and_mode_beat_markdown(fake_gateway: FakeGateway) -> None:
    root = project()
    assert init(fake_gateway, "opencode").exit_code == 0
    write(home() / ".config" / "opencode" / "agent" / "build.md", agent_md(OTHER))
    # `.opencode/opencode.json` loads after the global directory's Markdown agents.
    write(
        root / ".opencode" / "opencode.json",
        '{"agent": {"build": {"model": "aigate/openai/gpt-5.5"}}}\n',
    )
    r, c = status(fake_gateway, "opencode")
    assert r.exit_code == 0 and c["reaches_aigate"], c
    # A Markdown `mode/` file is an agent too, read after `agent/` in the same directory.
    md = write(root / ".opencode" / "mode" / "build.md", agent_md(OTHER))
    r, c = status(fake_gateway, "opencode")
    assert r.exit_code == 1 and c["origins"]["model"] == f"{md}:3"


def test_other_agents_and_matching_models_are_fine(fake_gateway: FakeGateway) -> None:
    root = project()
    assert init(fake_gateway, "opencode").exit_code == 0
    write(root / ".opencode" / "agent" / "review.md", agent_md(OTHER))
    write(root / ".opencode" / "agent" / "nested" / "build.md", agent_md(OTHER))  # nested/build
    write(root / ".opencode" / "agent" / "build.md", agent_md('"aigate/openai/gpt-5.5"'))
    r, c = status(fake_gateway, "opencode")
    assert r.exit_code == 0 and c["reaches_aigate"], c
    assert c["overrides"] == []


def test_a_disabled_markdown_agent_is_not_its_model(fake_gateway: FakeGateway) -> None:
    root = project()
    assert init(fake_gateway, "opencode").exit_code == 0
    write(root / ".opencode" / "agent" / "build.md", agent_md(OTHER, "disable: true\n"))
    r, c = status(fake_gateway, "opencode")
    assert r.exit_code == 0 and c["reaches_aigate"], c


def test_default_agent_key_picks_the_markdown_agent(fake_gateway: FakeGateway) -> None:
    root = project()
    assert init(fake_gateway, "opencode").exit_code == 0
    md = write(root / ".opencode" / "agent" / "mine.md", agent_md(OTHER))
    r, c = status(fake_gateway, "opencode")
    assert r.exit_code == 0, c
    write(root / "opencode.json", '{"default_agent": "mine"}\n')
    r, c = status(fake_gateway, "opencode")
    assert r.exit_code == 1 and c["origins"]["model"] == f"{md}:3"
    assert [o["what"] for o in c["overrides"]] == ["agent.mine.model"]


# --------------------------------------------------------------------------- Kilo


@pytest.mark.parametrize("where", ["user", ".kilo", ".kilocode"])
def test_kilo_markdown_default_agent_is_named(fake_gateway: FakeGateway, where: str) -> None:
    root = project()
    assert init(fake_gateway, "kilo").exit_code == 0
    base = home() / ".config" / "kilo" if where == "user" else root / where
    md = write(base / "agents" / "code.md", agent_md("kilo/kilo-auto/frontier"))
    sub = root / "pkg"
    sub.mkdir()
    r, c = status(fake_gateway, "kilo", sub)
    assert r.exit_code == 1, r.output
    (o,) = [o for o in c["overrides"] if o["what"] == "agent.code.model"]
    assert o["origin"] == f"{md}:3"


def test_kilo_json_agent_beats_a_primary_markdown_agent(fake_gateway: FakeGateway) -> None:
    """Kilo's mergeAgentMarkdown: a primary Markdown agent whose JSON entry is not primary gets
    the JSON entry merged back over it."""
    root = project()
    assert init(fake_gateway, "kilo").exit_code == 0
    write(root / "kilo.json", '{"agent": {"code": {"model": "aigate/openai/gpt-5.5"}}}\n')
    write(root / ".kilo" / "mode" / "code.md", agent_md(OTHER))
    r, c = status(fake_gateway, "kilo")
    assert r.exit_code == 0 and c["reaches_aigate"], c
    md = write(root / ".kilo" / "agent" / "code.md", agent_md(OTHER))  # not primary: it wins
    r, c = status(fake_gateway, "kilo")
    assert r.exit_code == 1 and c["origins"]["model"] == f"{md}:3"


# --------------------------------------------------------------------------- the reader


def test_front_reader_values_and_lines(tmp_path: Path) -> None:
    cases: dict[str, tuple[str | None, int | None]] = {
        "---\nmodel: a/b\n---\n": ("a/b", 2),
        "\ufeff---\r\nmodel: 'a/b' # why\r\n---\r\n": ("a/b", 2),
        '---yaml\nx: 1\nmodel: "a/\\"b"\n---\n': ('a/"b', 3),
        "---\nmodel: a/b:free\n": ("a/b:free", 2),  # no closing line: all is frontmatter
        "---\n  model: a/b\n---\n": (None, None),  # not a top-level key
        "---\nmodel:\n---\n": (None, None),
        "---\nmodel: ~\n---\n": (None, None),
        "---\n---\nmodel: a/b\n": (None, None),  # in the body
    }
    for i, (text, want) in enumerate(cases.items()):
        path = write(tmp_path / f"{i}.md", text.encode())
        front = md_agents.read_front(path)
        got = front.model if front is not None else None
        assert (got or (None, None)) == want, (text, got)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"no frontmatter at all\nmodel: a/b\n",
        b"----\nmodel: a/b\n----\n",
        b"---\nmodel: a/b\nmodel: c/d\n---\n",  # duplicate key: the client skips the file
        b'---json\n{"model": "a/b"}\n---\n',
        b"\x00\x01\x02binary---\nmodel: a/b\n",
        b"---\nmodel: \xff\xfe/\x80\n---\n",
        b"---\nmodel: [a, b]\ndisable: maybe\n---\n",
        b'---\nmodel: "unclosed\n---\n',
        b"---\n" + b"x: " + b"y" * 200_000 + b"\nmodel: a/b\n---\n",  # beyond the bounded read
        b"---\n" + b"a: b\n" * 5000 + b"model: a/b\n---\n",  # beyond the line bound
    ],
)
def test_hostile_files_never_crash(fake_gateway: FakeGateway, content: bytes) -> None:
    root = project()
    assert init(fake_gateway, "opencode").exit_code == 0
    write(root / ".opencode" / "agent" / "build.md", content)
    (root / ".opencode" / "agents").mkdir()
    os.symlink(root / ".opencode" / "agents", root / ".opencode" / "agents" / "loop")
    write(root / ".opencode" / "agent" / "dir.md" / "x.md", agent_md("aigate/openai/gpt-5.5"))
    r, c = status(fake_gateway, "opencode")
    assert "Traceback" not in r.output
    assert r.exit_code in (0, 1), r.output
    assert c["effective"]["model"] in ("aigate/openai/gpt-5.5", "\ufffd\ufffd/\ufffd"), c


def test_control_characters_in_a_model_line_are_not_printed(fake_gateway: FakeGateway) -> None:
    root = project()
    assert init(fake_gateway, "opencode").exit_code == 0
    write(root / ".opencode" / "agent" / "build.md", b"---\nmodel: evil/\x1b[31mred\x07\n---\n")
    r = run_cli("status", "--base-url", fake_gateway.base_url, env=ENV)
    assert r.exit_code == 1 and "agent.build.model" in r.stdout, r.output
    assert "\x1b" not in r.output and "\x07" not in r.output


def test_unreadable_and_missing_dirs(tmp_path: Path) -> None:
    assert md_agents.scan(tmp_path / "nope") == []
    assert md_agents.read_front(tmp_path / "missing.md") is None
    write(tmp_path / "agent" / "a.md", agent_md("x/y"))
    (agent,) = md_agents.scan(tmp_path)
    assert agent.name == "a" and agent.front.model == ("x/y", 3)
    assert opencode.NAME == "opencode" and kilo.NAME == "kilo"


# --------------------------------------------------------------------------- the real client


E2E_CASES = {
    # client, where the Markdown agent goes (relative to HOME or the project), its agent name,
    # a project JSON file planted with it (that the Markdown agent beats)
    "opencode project agent": ("opencode", "project:.opencode/agent/build.md", ""),
    "opencode global agent beats project json": (
        "opencode",
        "home:.config/opencode/agents/build.md",
        '"agent": {"build": {"model": "aigate/openai/gpt-5.5"}}, ',
    ),
    "kilo project agent": ("kilo", "project:.kilo/agent/code.md", ""),
}


@pytest.mark.e2e
@pytest.mark.timeout(420)
@pytest.mark.parametrize("case", list(E2E_CASES))
def test_e2e_markdown_agent_model_wins(case: str) -> None:
    """The real client: a Markdown agent's `model:` line sends the default agent to another
    gateway (AIGate's log shows no turn), and `status` said so before."""
    from e2e_support import (
        aigate,
        base_env,
        paths_seen,
        pinned_bin,
        run_client,
    )

    name, where, extra = E2E_CASES[case]
    bin_dir = pinned_bin()
    model = "openai/gpt-5.5"
    root = project()
    with FakeGateway(catalog="newapi", keys=[TEST_KEY]) as ours, FakeGateway() as other:
        env = base_env(bin_dir, root, TEST_KEY)
        args = ["init", "--yes", "--format", "json", "--client", name, "--model", model]
        r = aigate(*args, "--base-url", ours.base_url, env=env, cwd=root)
        assert r.returncode == 0, r.describe()
        provider = {
            "npm": "@ai-sdk/openai-compatible",
            "options": {"baseURL": other.base_url, "apiKey": "sk-other-0000000000"},
            "models": {model: {}},
        }
        # The other provider goes to the user file (Kilo refuses no literal, but keep one place).
        user = (
            home() / ".config" / name / ("opencode.jsonc" if name == "opencode" else "kilo.jsonc")
        )
        user_file = user if user.exists() else user.with_suffix(".json")
        doc = json.loads(
            "\n".join(
                ln for ln in user_file.read_text().splitlines() if not ln.strip().startswith("//")
            )
        )
        doc["provider"]["other"] = provider
        user_file.write_text(json.dumps(doc, indent=2) + "\n")
        if extra:
            write(root / f"{name}.json", "{" + extra.rstrip(", ") + "}\n")
        base, rel = where.split(":", 1)
        md = write((home() if base == "home" else root) / rel, agent_md(f"other/{model}"))
        ours.clear_log()

        args = ["status", "--format", "json", "--client", name, "--base-url", ours.base_url]
        r = aigate(*args, env=env, cwd=root)
        assert r.returncode == 1, r.describe()
        (res,) = json.loads(r.stdout)["clients"]
        assert res["effective"]["model"] == f"other/{model}"
        assert res["origins"]["model"] == f"{md}:3"

        result = run_client(name, bin_dir, root, key=TEST_KEY, model=None)
        context = f"aigate saw {paths_seen(ours.requests)}, other saw {paths_seen(other.requests)}"
        context += "\n" + result.describe()
        assert not [q for q in ours.requests if q.path == "/v1/chat/completions"], context
        assert [q for q in other.requests if q.path == "/v1/chat/completions"], context
