"""TOML merges (Codex config.toml): in-place edits through tomlkit, verified byte by byte."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_merge_text import assert_lines_kept, assert_only_spans_changed, merged

from aigate_setup.errors import ParseError
from aigate_setup.merge import toml
from aigate_setup.merge.text import decode, encode
from aigate_setup.merge.toml import parse_toml, set_values

BASE = "https://api.aigate.shop/v1"


def owned(model: str = "openai/gpt-5.5", base: str = BASE) -> dict[tuple[str, ...], Any]:
    """What the Codex writer owns."""
    return {
        ("model_provider",): "aigate",
        ("model",): model,
        ("model_providers", "aigate", "name"): "AIGate",
        ("model_providers", "aigate", "base_url"): base,
        ("model_providers", "aigate", "env_key"): "AIGATE_API_KEY",
        ("model_providers", "aigate", "wire_api"): "responses",
    }


# --- examples -------------------------------------------------------------------------------


def test_parse_errors_have_positions() -> None:
    with pytest.raises(ParseError) as info:
        parse_toml("a = 1\nb = \n")
    assert (info.value.line, info.value.column) == (2, 5)
    assert info.value.message == "Invalid value"
    with pytest.raises(ParseError) as info:
        parse_toml("[x]\na = 1\n[x]\n")
    assert info.value.line == 3
    with pytest.raises(ParseError):
        set_values('model = "a"\nmodel = "b"\n', owned())


def test_root_keys_go_before_the_first_table() -> None:
    text = '# my codex config\napproval_policy = "never"\n\n[tui]\nnotifications = true\n'
    out = set_values(text, owned())
    assert out == (
        "# my codex config\n"
        'approval_policy = "never"\n'
        'model_provider = "aigate"\n'
        'model = "openai/gpt-5.5"\n'
        "\n[tui]\nnotifications = true\n"
        "\n[model_providers.aigate]\n"
        'name = "AIGate"\n'
        f'base_url = "{BASE}"\n'
        'env_key = "AIGATE_API_KEY"\n'
        'wire_api = "responses"\n'
    )
    data = parse_toml(out)
    assert data["model"] == "openai/gpt-5.5"
    assert "model" not in data["tui"]


def test_file_starting_with_a_table() -> None:
    out = set_values("[tui]\nx = 1\n", {("model",): "m"})
    assert parse_toml(out) == {"model": "m", "tui": {"x": 1}}
    assert out.endswith("[tui]\nx = 1\n")


def test_existing_keys_edited_in_place_with_comments() -> None:
    text = (
        'model = "gpt-4o"   # my favourite\n'
        'model_provider = "openai"\n\n'
        "[model_providers.aigate]\n"
        'name = "AIGate"\n'
        'base_url = "https://old.example/v1" # wrong\n'
        'env_key = "AIGATE_API_KEY"\n'
        'wire_api = "responses"\n'
        "request_max_retries = 4\n"
        "\n# the next table\n[tui]\nx = 1\n"
    )
    out = set_values(text, owned())
    assert out == text.replace('"gpt-4o"', '"openai/gpt-5.5"').replace(
        '"openai"', '"aigate"'
    ).replace("https://old.example/v1", BASE)


def test_missing_key_goes_after_the_tables_last_key() -> None:
    text = '[model_providers.aigate]\nname = "AIGate"\n\n# about tui\n[tui]\nx = 1\n'
    out = set_values(text, {("model_providers", "aigate", "wire_api"): "responses"})
    assert out == (
        '[model_providers.aigate]\nname = "AIGate"\nwire_api = "responses"\n\n'
        "# about tui\n[tui]\nx = 1\n"
    )


def test_crlf_stays_crlf() -> None:
    text = '# c\r\nmodel = "x" # keep\r\n\r\n[tui]\r\nx = 1\r\n'
    out = set_values(text, owned())
    assert "\n" not in out.replace("\r\n", "")
    assert out.startswith('# c\r\nmodel = "openai/gpt-5.5" # keep\r\nmodel_provider = "aigate"\r\n')
    assert set_values(out, owned()) == out


def test_no_final_newline_is_kept() -> None:
    out = set_values("[tui]\nx = 1", owned())
    assert not out.endswith("\n")
    assert "x = 1\n\n[model_providers.aigate]\n" in out
    assert set_values(out, owned()) == out


def test_empty_and_comment_only() -> None:
    assert set_values("", {("model",): "m"}) == 'model = "m"\n'
    out = set_values("# only a comment\n", owned())
    assert out.startswith("# only a comment\n")
    assert parse_toml(out) == merged({}, owned())


@pytest.mark.parametrize(
    "text",
    [
        '[model_providers]\n# providers\n\n[model_providers.other]\nname = "Other"\n',
        '[model_providers]\naigate.name = "Old"\nother.name = "O"\n',
        'model_providers.other.name = "O"\n\n[tui]\nx = 1\n',
        'model_providers = { aigate = { name = "Old", headers = "x" } }\n',
        'model_providers.aigate.name = "Old"\n',
    ],
)
def test_other_shapes_of_model_providers(text: str) -> None:
    before = parse_toml(text)
    out = set_values(text, owned())
    assert parse_toml(out) == merged(before, owned())
    assert set_values(out, owned()) == out


def test_shape_errors() -> None:
    with pytest.raises(ParseError, match="model_providers is not a table") as info:
        set_values('a = 1\nmodel_providers = "x"\n', owned())
    assert info.value.line == 2
    with pytest.raises(ParseError, match="not a table"):
        set_values('[[model_providers.aigate]]\nname = "x"\n', owned())


def test_no_change_returns_the_same_text() -> None:
    text = set_values("x = 1\n", owned())
    assert set_values(text, owned()) is text


def test_remove_value() -> None:
    text = set_values("x = 1 # one\n", owned())
    out = toml.remove_value(text, ("model_providers", "aigate"))
    out = toml.remove_value(out, ("model",))
    out = toml.remove_value(out, ("model_provider",))
    assert out == "x = 1 # one\n\n"
    other = '[model_providers.other]\nname = "O"\n\n[model_providers.aigate]\nname = "A"\n'
    assert toml.remove_value(other, ("model_providers", "aigate")) == (
        '[model_providers.other]\nname = "O"\n\n'
    )
    assert toml.remove_value(out, ("nope", "x")) == out


# --- property tests -------------------------------------------------------------------------

ROOT_LINES = st.sampled_from(
    [
        ("# a comment", False),
        ("", False),
        ('approval_policy = "never"', False),
        ('sandbox_mode   =   "workspace-write"   # odd spacing', False),
        ("model_reasoning_effort = 'high'", False),
        ('notify = ["notify-send", "Codex"] # array', False),
        ("hide_agent_reasoning=true", False),
        ('  file_opener = "vscode"', False),
        ('# model = "commented-out"', False),
        ('"quoted key" = 1', False),
    ]
)
TABLES = st.sampled_from(
    [
        ["[tui]", "notifications = true"],
        ["# projects I trust", '[projects."/home/u/p"]', 'trust_level = "trusted"'],
        ["[mcp_servers.docs]", 'command = "npx"', 'args = ["-y", "docs-mcp"]', "# end"],
        ["[shell_environment_policy]", 'inherit = "core"', "  # indented comment"],
        ["[history]", 'persistence = "none"', "", ""],
        ["[features]", "web_search = false", "[features.extra]", "x = [", "  1, # one", "]"],
    ]
)
PROVIDER_SHAPES = st.sampled_from(
    ["none", "other", "super", "aigate", "dotted-root", "both", "dotted-aigate", "inline"]
)


@st.composite
def toml_documents(draw: st.DrawFn) -> tuple[str, set[int]]:
    """A user's config.toml as text, and the indexes of the lines that hold owned keys."""
    lines: list[tuple[str, bool]] = draw(st.lists(ROOT_LINES, max_size=5, unique=True))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, ('model = "gpt-4o"  # mine', True))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), ('model_provider="openai"', True))
    shape = draw(PROVIDER_SHAPES)
    if shape == "dotted-root":
        lines.append(('model_providers.other.name = "Other"', False))
    if shape == "dotted-aigate":
        lines.append(('model_providers.aigate.name = "Mine"  # dotted', True))
        lines.append(("model_providers.aigate.request_max_retries = 2", False))
    tables: list[list[tuple[str, bool]]] = [
        [(line, False) for line in table]
        for table in draw(st.lists(TABLES, max_size=3, unique_by=str))
    ]
    other = [
        ("[model_providers.other]", False),
        ('name = "Other"', False),
        ('base_url = "http://other/v1" # theirs', False),
    ]
    aigate = [("[model_providers.aigate]", False), ("request_max_retries = 4", False)]
    if draw(st.booleans()):
        aigate.insert(1, ('base_url = "https://old.example/v1" # stale', True))
    if draw(st.booleans()):
        aigate.append(('  name  =  "Mine"', True))
    if draw(st.booleans()):
        aigate.append(("# user notes", False))
    if shape == "other":
        tables.append(other)
    elif shape == "super":
        tables.insert(0, [("[model_providers]", False), ("# providers below", False)])
        tables.append(other)
    elif shape == "aigate":
        tables.append(aigate)
    elif shape == "inline":
        inline = 'aigate = { name = "Old", query_params = { v = "1" } }'
        tables.append([("[model_providers]", False), (inline, True)])
    elif shape == "both":
        tables.append(other)
        tables.insert(draw(st.integers(0, len(tables))), aigate)
    for table in tables:
        if draw(st.booleans()):
            lines.append(("", False))
        lines.extend(table)
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    final = draw(st.booleans())
    text = nl.join(line for line, _ in lines) + (nl if final and lines else "")
    return text, {i for i, (_, is_owned) in enumerate(lines) if is_owned}


MODELS = st.sampled_from(["openai/gpt-5.5", "anthropic/claude-sonnet-4.6"])


def _line_spans(text: str, indexes: set[int]) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for i, line in enumerate(text.splitlines(keepends=True)):
        if i in indexes:
            spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=toml_documents(), model=MODELS, bom=st.booleans())
def test_merge_keeps_user_bytes_and_is_idempotent(
    doc: tuple[str, set[int]], model: str, bom: bool
) -> None:
    text, owned_lines = doc
    before = parse_toml(text)
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    decoded = decode(data)
    updates = owned(model)

    out = set_values(decoded.text, updates)
    # (a) + (b): valid TOML with the owned values; everything else unchanged
    assert parse_toml(out) == merged(before, updates)
    # (c): every line that held no owned key is still there, in order, with its line ending
    assert_lines_kept(text, out, owned_lines)
    assert_only_spans_changed(text, out, _line_spans(text, owned_lines))
    if "\r\n" in text:
        assert out.count("\n") == out.count("\r\n")
    else:
        assert "\r" not in out
    assert out.endswith("\n") == (text.endswith("\n") or not text)
    written = encode(decoded, out)
    assert written.startswith(b"\xef\xbb\xbf") == bom
    # (d): idempotent
    assert set_values(decode(written).text, updates) == out


# --- the safety net: tomlkit does not round-trip every file -------------------------------------

_OWNED = {
    ("model_provider",): "aigate",
    ("model",): "openai/gpt-5.5",
    ("model_providers", "aigate", "name"): "AIGate",
    ("model_providers", "aigate", "base_url"): "https://api.aigate.shop/v1",
}
_INTERLEAVED = "[[a]]\nx = 1\n[b]\n[[a]]\ny = 2\n"


def test_tomlkit_reorders_this_file_even_without_an_edit() -> None:
    import tomlkit

    # The reason for the line-level edit below: if tomlkit ever round-trips it, this fails
    # and the fallback can be reconsidered.
    assert tomlkit.parse(_INTERLEAVED).as_string() != _INTERLEAVED


def test_interleaved_arrays_of_tables_keep_their_order() -> None:
    from aigate_setup.merge.toml import set_values

    out = set_values(_INTERLEAVED, _OWNED)
    assert out.startswith('model_provider = "aigate"\nmodel = "openai/gpt-5.5"\n' + _INTERLEAVED)
    assert out.endswith(
        '\n[model_providers.aigate]\nname = "AIGate"\nbase_url = "https://api.aigate.shop/v1"\n'
    )
    assert set_values(out, _OWNED) == out  # idempotent


def test_interleaved_file_with_existing_root_keys_is_edited_in_place() -> None:
    from aigate_setup.merge.toml import set_values

    text = 'model = "old"  # mine\n\n' + _INTERLEAVED.rstrip("\n")  # no final newline
    out = set_values(text, _OWNED)
    lines = out.split("\n")
    assert (
        lines[0] == 'model = "openai/gpt-5.5"  # mine' and lines[1] == 'model_provider = "aigate"'
    )
    assert _INTERLEAVED.rstrip("\n") in out and not out.endswith("\n")


def test_interleaved_file_with_the_owned_table_is_refused_clearly() -> None:
    from aigate_setup.merge.toml import set_values

    text = '[model_providers.aigate]\nname = "x"\n\n' + _INTERLEAVED
    with pytest.raises(ParseError, match="without moving or changing other settings"):
        set_values(text, _OWNED)


def test_safety_check_sees_moved_lines_and_changed_values() -> None:
    from aigate_setup.merge.toml import parse_toml, safe

    before = parse_toml(_INTERLEAVED)
    moved = '[[a]]\nx = 1\n[[a]]\ny = 2\n[b]\nmodel = "m"\n'  # same values as tomlkit makes
    assert not safe(_INTERLEAVED, moved, before, {("b", "model"): "m"})
    changed = _INTERLEAVED.replace("x = 1", "x = 3")
    assert not safe(_INTERLEAVED, changed, before, {})
    assert not safe(_INTERLEAVED, "not toml [", before, {})
    kept = 'model = "m"\n' + _INTERLEAVED
    assert safe(_INTERLEAVED, kept, before, {("model",): "m"})


def test_a_reordering_tomlkit_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even when tomlkit claims a faithful round-trip, a merge that moves a line is refused
    (or redone line by line)."""
    from aigate_setup.merge import toml as toml_merge

    text = '# top\nmodel = "a"\n\n[x]\nk = 1\n\n[y]\nj = 2\n'
    real = toml_merge._fix_new_lines

    def swap(old: str, new: str, nl: str) -> str:
        out = real(old, new, nl)
        return out.replace("[x]\nk = 1\n\n[y]\nj = 2\n", "[y]\nj = 2\n\n[x]\nk = 1\n")

    monkeypatch.setattr(toml_merge, "_fix_new_lines", swap)
    out = toml_merge.set_values(text, {("model",): "b"})
    assert out == text.replace('model = "a"', 'model = "b"')  # the line-level edit took over


@settings(max_examples=150, deadline=None)
@given(
    blocks=st.lists(
        st.sampled_from(["[[a]]\nx = 1\n", "[[a]]\ny = 2\n", "[b]\nz = 3\n", "[c.d]\nw = 4\n",
                         "# note\n", "\n", "[[e.f]]\nv = 5\n"]),
        min_size=1,
        max_size=8,
    ),
    root=st.sampled_from(["", 'model = "old"\n', "# head\n", 'model_provider = "x"\n']),
)  # fmt: skip
def test_edits_never_move_user_lines(blocks: list[str], root: str) -> None:
    from aigate_setup.merge import tomltext
    from aigate_setup.merge.toml import parse_toml, set_values

    text = root + "".join(blocks)
    try:
        parse_toml(text)
    except ParseError:
        return  # e.g. [b] twice
    try:
        out = set_values(text, _OWNED)
    except ParseError as exc:
        assert "without moving or changing" in exc.message
        return
    assert tomltext.kept_in_order(text, out, list(_OWNED))
    assert set_values(out, _OWNED) == out


def test_an_integer_too_long_for_python_is_a_parse_error_with_its_place() -> None:
    from aigate_setup.errors import ParseError
    from aigate_setup.merge.tomlread import parse_toml

    with pytest.raises(ParseError) as exc:
        parse_toml('model = "x"\nmodel_context_window = ' + "1" * 5000 + "\n")
    assert (exc.value.line, exc.value.column) == (2, 24)
    assert "too large" in exc.value.message
