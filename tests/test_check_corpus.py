"""A corpus of realistic configs (tests/corpus/<file kind>/<case>), modelled on what public
dotfiles hold: MCP servers, several providers, local and LAN Ollama, profiles, comments,
trailing commas, no final newline.

`clean-*` files must give no error (warnings are allowed: a team turns `check` on in CI and
must not be stopped by a working config). `AIGnnn-<severity>-*` files must give that rule at that
severity, and no error from any other rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aigate_setup.rules import RuleContext, validate_text

CORPUS = Path(__file__).with_name("corpus")
FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file())


def _run(path: Path) -> list[tuple[str, str, str]]:
    kind = path.parent.name
    text = path.read_text(encoding="utf-8")
    found = validate_text(path, text, kind, RuleContext())  # type: ignore[arg-type]
    return [(f.rule, f.severity, f.message) for f in found]


def test_the_corpus_covers_every_kind_and_has_both_sides() -> None:
    kinds = {p.parent.name for p in FILES}
    assert kinds >= {"codex-user", "opencode", "kilo-user", "claude-settings"}
    assert any(p.name.startswith("clean-") for p in FILES)
    assert sum(p.name.startswith("AIG") for p in FILES) >= 10


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.name.startswith("clean-")], ids=lambda p: p.name
)
def test_clean_configs_have_no_errors(path: Path) -> None:
    assert [f for f in _run(path) if f[1] == "error"] == []


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.name.startswith("AIG")], ids=lambda p: p.name
)
def test_broken_configs_give_their_rule(path: Path) -> None:
    rule, severity = path.name.split("-")[:2]
    found = _run(path)
    assert (rule, severity) in {(r, s) for r, s, _ in found}, found
    assert [f for f in found if f[1] == "error" and f[0] != rule] == []
