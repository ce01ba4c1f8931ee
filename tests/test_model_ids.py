"""Model ids are data, never syntax (issue 18): the one validator, and every writer using it."""

from __future__ import annotations

from typing import Any

import pytest
from writer_support import make_selection, write

from aigate_setup import paths
from aigate_setup.catalog import Catalog, Model
from aigate_setup.clients import claude, codex, kilo, opencode
from aigate_setup.errors import UsageError
from aigate_setup.model_ids import MAX_LENGTH, check_model_id, clean_display_name
from aigate_setup.plan import ClaudeSlots, build_changes

HOSTILE_ID = "acme/gpt-5{file:~/.ssh/id_rsa}"
HOSTILE_NAME = "GPT {file:~/.ssh/id_rsa}\x1b]8;;http://x\x07 5.5\u202e\n"
EVERYONE = ("codex", "opencode", "kilo", "claude")
CATALOG = Catalog(
    models=(
        Model("openai/gpt-5.5", "chat", EVERYONE, context_length=2**63, max_output_tokens=2**60,
              name=HOSTILE_NAME),
        Model("acme/braces", "chat", EVERYONE, name="{env:HOME}"),
        Model(HOSTILE_ID, "chat", EVERYONE),
    ),
    source="test",
)  # fmt: skip


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("openai/gpt-5.5", None),
        ("anthropic/claude-sonnet-4.6", None),
        ('we\'ird;$HOME|`id`&"x"', None),
        ("a" * MAX_LENGTH, None),
        ("", "is empty"),
        (HOSTILE_ID, "contains { or }"),
        ("x}", "contains { or }"),
        ("a\nb", "contains a control character"),
        ("a\x7fb", "contains a control character"),
        ("a\u200bb", "contains a control character"),
        ("a\ud800", "contains a control character"),
        ("a b", "contains whitespace"),
        ("a\u3000b", "contains whitespace"),
        ("a" * (MAX_LENGTH + 1), "is longer than 200 characters"),
    ],
)
def test_check_model_id(value: str, reason: str | None) -> None:
    got = check_model_id(value)
    assert got == reason if reason is None else (got is not None and got.startswith(reason))


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("GPT 5.5", "GPT 5.5"),
        (HOSTILE_NAME, "GPT file:~/.ssh/id_rsa 5.5"),
        ("{env:HOME}", "env:HOME"),
        ("{}", None),
        ("\x1b[31m\x00 \t", None),
        ("x" * 500, "x" * MAX_LENGTH),
    ],
)
def test_clean_display_name(text: str, cleaned: str | None) -> None:
    assert clean_display_name(text) == cleaned
    if cleaned is not None:
        assert clean_display_name(cleaned) == cleaned  # idempotent


def _slots(value: str) -> ClaudeSlots:
    return ClaudeSlots(value, value, value)


@pytest.mark.parametrize(
    "change",
    [
        {"model": HOSTILE_ID},
        {"extra_models": (HOSTILE_ID,)},
        {"claude": _slots(HOSTILE_ID)},
        {"model": "a b"},
        {"model": "x" * 201},
    ],
    ids=["model", "extra", "claude", "space", "long"],
)
def test_a_selection_with_a_hostile_id_plans_nothing(change: dict[str, Any]) -> None:
    with pytest.raises(UsageError) as info:
        build_changes(make_selection(**change), CATALOG)
    assert "is not a usable model id" in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.hint


@pytest.mark.parametrize("existing", [None, '{\n  "theme": "dark"\n}\n'], ids=["new", "edit"])
@pytest.mark.parametrize("writer", [opencode, kilo], ids=["opencode", "kilo"])
def test_writers_refuse_a_hostile_id_on_their_own(writer: Any, existing: str | None) -> None:
    # Straight to the writer, past the selection check: it still refuses.
    path = writer.target_paths("user", paths.home())[0]
    for change in ({"model": HOSTILE_ID}, {"extra_models": (HOSTILE_ID,)}):
        with pytest.raises(UsageError):
            writer.render(make_selection(**change), CATALOG, path, existing)


def test_codex_and_claude_writers_refuse_a_hostile_id_on_their_own() -> None:
    with pytest.raises(UsageError):
        codex.render(make_selection(model=HOSTILE_ID), CATALOG, codex.user_config(), None)
    with pytest.raises(UsageError):
        codex.render(make_selection(model="a\nb"), CATALOG, codex.user_config(), "x = 1\n")
    sh = paths.aigate_config_dir() / "aigate-claude.sh"
    with pytest.raises(UsageError):
        claude.render(make_selection(claude=_slots("x\n$(id)")), CATALOG, sh, None)
    with pytest.raises(UsageError):
        kilo.legacy_export(make_selection(model=HOSTILE_ID))


@pytest.mark.parametrize("edit", [False, True], ids=["new", "edit"])
def test_display_names_are_cleaned_and_huge_limits_dropped(edit: bool) -> None:
    sel = make_selection(extra_models=("acme/braces",))
    if edit:
        write(opencode.target_paths("user", paths.home())[0], '{\n  "theme": "dark"\n}\n')
        write(kilo.user_file(), "{}\n")
    changes = build_changes(sel, CATALOG)
    for change in changes:
        text = change.new.decode()
        assert "{file:" not in text and "{env:HOME}" not in text
        assert "\x1b" not in text and "\\u001b" not in text and "\u202e" not in text
        if change.client in ("opencode", "kilo"):
            assert '"name": "GPT file:~/.ssh/id_rsa 5.5"' in text
            assert '"name": "env:HOME"' in text
            assert str(2**63) not in text and str(2**60) not in text
        if change.client == "codex":
            assert "model_context_window" not in text  # 2**63 would make Codex refuse the file


def test_a_line_break_in_a_target_path_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(paths.home() / "conf\n. ./evil"))
    with pytest.raises(UsageError) as info:
        build_changes(make_selection(clients=("claude",)), CATALOG)
    assert "control character" in str(info.value)
    with pytest.raises(UsageError):
        build_changes(make_selection(project_dir=paths.home() / "p\nq", scope="project"), CATALOG)


@pytest.mark.parametrize("name", ["PATH", "HOME", "IFS", "LD_PRELOAD", "Path", "LC_ALL"])
def test_a_key_variable_that_holds_something_else_is_refused(name: str) -> None:
    with pytest.raises(UsageError) as info:
        build_changes(make_selection(key_env=name), CATALOG)
    assert "holds something else" in str(info.value)
