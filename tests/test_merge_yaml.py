"""merge/yaml.py: round-trip edits keep comments and unknown keys; top-level keys are spliced
byte-exactly; property tests over generated documents."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigate_setup.errors import ParseError
from aigate_setup.merge import yaml

KEYS = st.text(string.ascii_lowercase + "-_", min_size=1, max_size=8).filter(
    lambda k: (
        k[0].isalpha()
        and k.lower() not in ("model", "y", "n", "yes", "no", "on", "off", "null", "true", "false")
    )
)
SCALARS = st.one_of(
    st.integers(-1000, 1000),
    st.booleans(),
    st.text(string.ascii_letters + string.digits + " ./:-_${}", min_size=1, max_size=20),
)
COMMENTS = st.text(string.ascii_letters + string.digits + " .", max_size=20)
OWNED_VALUES = st.text(string.ascii_letters + string.digits + "./:-", min_size=1, max_size=30)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A block-style YAML mapping with comments, nested maps and lists, and its values."""
    keys = draw(st.lists(KEYS, min_size=0, max_size=6, unique=True))
    lines: list[str] = []
    values: dict[str, Any] = {}
    for key in keys:
        if draw(st.booleans()):
            lines.append(f"# {draw(COMMENTS)}".rstrip())
        shape = draw(st.sampled_from(["scalar", "map", "list"]))
        if shape == "scalar":
            value = draw(SCALARS)
            lines.append(f"{key}: {yaml.scalar(value)}  # c-{key}")
            values[key] = value
        elif shape == "map":
            inner = draw(st.dictionaries(KEYS, SCALARS, min_size=1, max_size=3))
            lines.append(f"{key}:")
            lines += [f"  {k}: {yaml.scalar(v)}" for k, v in inner.items()]
            values[key] = inner
        else:
            items = draw(st.lists(SCALARS, min_size=1, max_size=3))
            lines.append(f"{key}:")
            lines += [f"  - {yaml.scalar(v)}" for v in items]
            values[key] = items
        if draw(st.booleans()):
            lines.append("")
    return "".join(line + "\n" for line in lines), values


def comment_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@settings(max_examples=30, deadline=None)
@given(documents(), OWNED_VALUES, st.sampled_from(["\n", "\r\n"]))
def test_set_top_keeps_every_other_byte(
    doc: tuple[str, dict[str, Any]], value: str, newline: str
) -> None:
    text, values = doc
    text = text.replace("\n", newline)
    out = yaml.set_top(text, "model", value)
    assert out.startswith(text)  # appended: nothing before it moved
    assert yaml.plain(yaml.load(out)) == {**values, "model": value}
    assert yaml.set_top(out, "model", value) == out  # idempotent, byte-identical
    changed = yaml.set_top(out, "model", value + "x")
    assert yaml.plain(yaml.load(changed))["model"] == value + "x"
    assert comment_lines(changed) == comment_lines(out)
    assert yaml.remove_top(out, "model") == text  # removal gives back the original bytes


@settings(max_examples=25, deadline=None)
@given(documents(), st.lists(OWNED_VALUES, min_size=1, max_size=3))
def test_round_trip_edit_keeps_comments_and_unknown_keys(
    doc: tuple[str, dict[str, Any]], names: list[str]
) -> None:
    text, values = doc
    text = "models:\n  # keep me\n  - name: local\n" + text

    def add(tree: Any) -> None:
        for name in names:
            tree["models"].insert(0, yaml.CommentedMap([("name", "aigate/" + name)]))

    out = yaml.edit(text, add)
    data = yaml.plain(yaml.load(out))
    assert {k: v for k, v in data.items() if k != "models"} == values
    assert data["models"][-1] == {"name": "local"}
    assert set(comment_lines(text)) <= set(comment_lines(out))
    assert yaml.edit(out, lambda tree: None) == out


def test_edit_without_a_change_returns_the_text() -> None:
    text = "a:   1   # odd spacing\nb: [1,2]\n"
    assert yaml.edit(text, lambda tree: tree.__setitem__("a", 1)) == text


def test_user_template_strings_untouched() -> None:
    text = "models:\n  - apiKey: ${{ secrets.MINE }}\n    x: '${{ inputs.y }}'\n"
    out = yaml.edit(text, lambda tree: tree.__setitem__("new", "v"))
    assert "apiKey: ${{ secrets.MINE }}" in out and "x: '${{ inputs.y }}'" in out


def test_set_top_keeps_a_line_comment_and_replaces_a_block_value() -> None:
    text = "# top\nmodel: gpt-4 # mine\nlist:\n  - a\n\n# next\nz: 1\n"
    assert yaml.set_top(text, "model", "openai/x") == text.replace("gpt-4", "openai/x")
    assert (
        yaml.set_top(text, "list", True)
        == "# top\nmodel: gpt-4 # mine\nlist: true\n\n# next\nz: 1\n"
    )


def test_set_top_without_final_newline_and_crlf() -> None:
    assert yaml.set_top("a: 1", "b", "x/y") == "a: 1\nb: x/y\n"
    assert yaml.set_top("a: 1\r\n", "b", "x/y") == "a: 1\r\nb: x/y\r\n"


@pytest.mark.parametrize("value", ["yes", "on", "1.0", "null", "a: b", "#x", "~", "x y"])
def test_scalar_quotes_what_yaml_would_change(value: str) -> None:
    assert yaml.load(f"k: {yaml.scalar(value)}")["k"] == value
    assert yaml.scalar(value).startswith('"')


def test_errors_have_a_position() -> None:
    with pytest.raises(ParseError) as err:
        yaml.load("a: 1\nb: [1, 2\n")
    assert err.value.line >= 2
    with pytest.raises(ParseError):
        yaml.load("a: 1\n---\nb: 2\n")
    with pytest.raises(ParseError):
        yaml.set_top("- a\n- b\n", "k", "v")


def test_blank_documents() -> None:
    assert yaml.is_blank("# only\n\n---\n")
    assert yaml.load("# only\n") is None
    out = yaml.edit("# mine\n", lambda tree: yaml.CommentedMap([("a", "b")]))
    assert out == "# mine\na: b\n"


def test_alias_bombs_and_deep_nesting_are_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    with pytest.raises(ParseError):
        yaml.load("\n".join(lines) + "\n")
    with pytest.raises(ParseError):
        yaml.load("k: " + "[" * 150 + "]" * 150 + "\n")
