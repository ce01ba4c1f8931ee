"""Packaging and the docs: the built wheel ships every template; the README and docs/ stand
alone (no internal citations, no broken links, snippets that work as written)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_every_template(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = dist.glob("aigate_setup-*.whl")
    sources = sorted(
        p.relative_to(REPO / "templates").as_posix()
        for p in (REPO / "templates").rglob("*")
        if p.is_file()
    )
    assert sources, "templates/ is empty"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for rel in sources:
        assert f"aigate_setup/templates/{rel}" in names

    # Import the unpacked wheel (not the checkout) and render through the real loader.
    probe = (
        "import aigate_setup, aigate_setup.paths as p, pathlib, sys\n"
        "root = pathlib.Path(sys.argv[1])\n"
        "assert pathlib.Path(aigate_setup.__file__).is_relative_to(root), aigate_setup.__file__\n"
        "t = p.templates_dir()\n"
        "assert t == root / 'aigate_setup' / 'templates', t\n"
        "print('\\n'.join(sorted(x.relative_to(t).as_posix() for x in t.rglob('*') if x.is_file())))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    out = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "site")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == sources


# --- the README and the docs (issue 16) -------------------------------------------------------


# Pages other branches write; a link to one is fine while it is still missing here.
PAGES_OF_OTHER_BRANCHES = {
    "docs/terminals-and-ides.md",
    "docs/status.md",
    "docs/doctor.md",
    "docs/remove.md",
    "docs/codex-model-picker.md",
    "docs/clients/qwen.md",
    "docs/clients/continue.md",
    "docs/clients/aider.md",
}
INTERNAL_FILE = "DESIGN" + ".md"  # the project's internal contract: users do not have it
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *patterns],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    return [REPO / p for p in out if (REPO / p).is_file()]


def test_readme_is_short_and_starts_with_the_quick_start() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "pipx install ." in quick and "uv tool install ." in quick
    assert "AIGATE_API_KEY" in quick and "scripts/try-offline.sh --interactive" in quick
    for needed in ("## What gets written", "## How to undo it", "## Run the tests"):
        assert needed in text


def test_docs_never_cite_the_internal_design_file() -> None:
    for path in _tracked("*.md", "*.py", "*.sh", "*.yaml", "*.toml", "*.j2"):
        assert INTERNAL_FILE not in path.read_text(encoding="utf-8", errors="replace"), path


def test_every_relative_link_in_the_docs_resolves() -> None:
    pages = [REPO / "README.md", REPO / "CONTRIBUTING.md", *_tracked("docs/*.md", "docs/**/*.md")]
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "#", "mailto:")):
                continue
            resolved = (page.parent / target.split("#", 1)[0]).resolve()
            rel = resolved.relative_to(REPO).as_posix() if resolved.is_relative_to(REPO) else ""
            if rel in PAGES_OF_OTHER_BRANCHES:
                continue
            assert resolved.exists(), f"{page.relative_to(REPO)}: broken link {target}"


def test_ci_and_pre_commit_snippets_work_as_written() -> None:
    for page in (REPO / "README.md", REPO / "docs" / "ci.md"):
        text = page.read_text(encoding="utf-8")
        # not published on PyPI: a bare `pipx install aigate-setup` fails
        assert not re.search(r"pipx install aigate-setup\b", text), page
        assert "git+https://" in text, page
        # there are no release tags: `rev:` must be a commit SHA placeholder, not a tag
        for rev in re.findall(r"rev:\s*(\S+)", text):
            assert rev == "<commit-sha>", (page, rev)
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    match = re.search(r"see (\S+\.md), section \"([^\"]+)\"", hooks)
    assert match, hooks
    doc = (REPO / match.group(1)).read_text(encoding="utf-8")
    assert f"## {match.group(2)}\n" in doc
    assert "id: aigate-check" in hooks and "id: aigate-check" in doc


def test_completion_lines_in_the_docs_are_the_ones_help_prints() -> None:
    from aigate_setup import cli_help

    doc = (REPO / "docs" / "completion.md").read_text(encoding="utf-8")
    for shell in ("bash", "zsh"):
        line = f'eval "$(_AIGATE_SETUP_COMPLETE={shell}_source aigate-setup)"'
        assert line in doc and line in cli_help.MAIN_EPILOG
    assert "_AIGATE_SETUP_COMPLETE=fish_source aigate-setup \\| source" in doc
    assert "$env:_AIGATE_SETUP_COMPLETE='powershell_source'" in doc
