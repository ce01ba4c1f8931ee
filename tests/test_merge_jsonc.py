"""The JSONC parser and editor: syntax, error positions, in-place edits, and property tests."""

from __future__ import annotations

import copy
import importlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_merge_text import assert_only_spans_changed, merged

from aigate_setup.errors import ParseError
from aigate_setup.merge import jsonc
from aigate_setup.merge.jsonc import dumps, find, line_col, loads, parse
from aigate_setup.merge.jsonc.parse import patterns
from aigate_setup.merge.text import decode, encode

BASE = "https://api.aigate.shop/v1"


def owned(model: str = "openai/gpt-5.5", base: str = BASE) -> dict[tuple[str, ...], Any]:
    """What the OpenCode/Kilo writers own, as leaf paths."""
    return {
        ("provider", "aigate", "npm"): "@ai-sdk/openai-compatible",
        ("provider", "aigate", "name"): "AIGate",
        ("provider", "aigate", "options", "baseURL"): base,
        ("provider", "aigate", "options", "apiKey"): "{env:AIGATE_API_KEY}",
        ("provider", "aigate", "models", model, "name"): model.split("/")[-1],
        ("model",): f"aigate/{model}",
    }


# --- parsing --------------------------------------------------------------------------------


def test_parse_everything_jsonc_allows() -> None:
    text = """// leading
{
  /* block */ "a": 1, // after
  "b": [1, 2.5, -3e2, true, false, null,],
  "c": {"d": "e\\"f\\\\g\\u00fc\\n", "url": "http://x//y/*z*/"},
  "ü": "日本",
  "empty": {}, "list": [],
}
/* trailing */
"""
    assert loads(text) == {
        "a": 1,
        "b": [1, 2.5, -300.0, True, False, None],
        "c": {"d": 'e"f\\gü\n', "url": "http://x//y/*z*/"},
        "ü": "日本",
        "empty": {},
        "list": [],
    }


def test_node_offsets() -> None:
    text = '{"a": {"b": "x"}}'
    root = parse(text)
    node = find(root, ["a", "b"])
    assert node is not None
    assert text[node.start : node.end] == '"x"'
    member = root.members[0]
    assert text[member.key_start : member.key_end] == '"a"'
    assert find(root, ["a", "missing"]) is None
    assert find(root, ["a", "b", "deeper"]) is None


def test_duplicate_keys_last_wins() -> None:
    root = parse('{"a": 1, "a": 2}')
    assert root.value == {"a": 2}
    assert len(root.members) == 2


def test_deep_nesting() -> None:
    text = '{"a": ' * 200 + "1" + "}" * 200
    assert find(parse(text), ["a"] * 200) is not None
    with pytest.raises(ParseError, match="nesting deeper"):
        parse("[" * 1000 + "]" * 1000)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ('{"a": 1 "b": 2}', "expected ',' or '}'", 1, 9),
        ('{\n  "a": [1 2]\n}', "expected ',' or ']'", 2, 11),
        ('{"a": "abc}', "unterminated string", 1, 7),
        ('{"a": "ab\nc"}', "unterminated string", 1, 7),
        ('{"a": "\\x"}', "invalid escape", 1, 8),
        ('{"a": "\\u12"}', "invalid escape", 1, 8),
        ('{"a": 1 /* open', "unterminated comment", 1, 9),
        ('{"a": }', "expected a value", 1, 7),
        ("{'a': 1}", "double quotes", 1, 2),
        ('{"a" 1}', "expected ':'", 1, 6),
        ('{"a": 01}', "invalid number", 1, 7),
        ('{"a": tru}', "expected a value", 1, 7),
        ('{"a": 1', "unclosed object", 1, 1),
        ("[1, 2", "unclosed array", 1, 1),
        ('{"a": 1} x', "after the top-level value", 1, 10),
        ("", "empty document", 1, 1),
        ("// nothing\n", "empty document", 2, 1),
        ('{"a": "tab\there"}', "control character", 1, 11),
    ],
)
def test_errors_have_positions(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert message in info.value.message
    assert (info.value.line, info.value.column) == (line, column)
    assert str(info.value).startswith(f"{line}:{column}: ")


# --- the plain JSON fast path gives _Parser's tree exactly ---------------------------------

_parse_module = importlib.import_module("aigate_setup.merge.jsonc.parse")

SPACE = st.sampled_from(["", " ", "\n", "\r\n", "\t", "  \n  "])
PLAIN_STRINGS = st.one_of(
    st.text(max_size=6).map(json.dumps),
    st.text(max_size=6).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.sampled_from(['"\\u00e9\\/"', '"a\\"b"', '"\\\\"', '"\\ud83d\\ude00"', '"\\ud800"']),
)
PLAIN_SCALARS = st.one_of(
    PLAIN_STRINGS,
    st.sampled_from(["0", "-0", "-1", "12", "1.5", "-0.25e3", "1E+2", "1e400", "-1e-400"]),
    st.sampled_from(["true", "false", "null", str(10**30)]),
)


@st.composite
def plain_json(draw: st.DrawFn, depth: int = 0) -> str:
    """Plain JSON (no comments or trailing commas), duplicate keys and odd spacing included."""
    kind = draw(st.sampled_from(["scalar", "object", "array"] if depth < 4 else ["scalar"]))
    if kind == "scalar":
        return draw(PLAIN_SCALARS)
    n = draw(st.integers(0, 4))
    sep = [draw(SPACE) for _ in range(4)]
    if kind == "object":
        keys = st.one_of(st.sampled_from(['"a"', '"b"', '"a"', '""', '"\\u0061"']), PLAIN_STRINGS)
        parts = [
            f"{sep[0]}{draw(keys)}{sep[1]}:{sep[2]}{draw(plain_json(depth + 1))}{sep[3]}"
            for _ in range(n)
        ]
        return "{" + ",".join(parts) + (sep[0] if not n else "") + "}"
    items = [f"{sep[0]}{draw(plain_json(depth + 1))}{sep[1]}" for _ in range(n)]
    return "[" + ",".join(items) + (sep[2] if not n else "") + "]"


@settings(max_examples=400, deadline=None)
@given(text=st.tuples(SPACE, plain_json(), SPACE).map("".join))
def test_plain_json_fast_path_builds_the_same_tree(text: str) -> None:
    fast = _parse_module._plain(text)
    assert fast is not None, "plain JSON takes the fast path"
    full = _parse_module._parse_jsonc(text)
    # Dataclass equality covers kind, offsets, value (and its key order), members with their
    # key offsets and commas, and items; repr catches a dict or list of another type.
    assert fast == full
    assert repr(fast) == repr(full)
    assert json.dumps(fast.value) == json.dumps(full.value)
    # The key index the fast path builds answers as Node.member's own would: the last one.
    todo = [fast]
    while todo:
        node = todo.pop()
        todo += [m.value for m in node.members] + node.items
        for m in node.members:
            assert node.member(m.key) is [x for x in node.members if x.key == m.key][-1]


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1 // c\n}',
        '{"a": 1,}',
        "[1,]",
        "[NaN]",
        '{"a": Infinity}',
        "-Infinity",
        "\ufeff{}",
        "",
        " ",
        "[" * 401 + "]" * 401,  # near MAX_DEPTH, _Parser decides (and words the error)
        "[" * 401 + "1" + "]" * 401,
        '{"a": 1} x',
    ],
)
def test_everything_else_takes_the_full_parser(text: str) -> None:
    assert _parse_module._plain(text) is None


def test_plain_json_at_the_depth_limit() -> None:
    text = "[" * 400 + "1" + "]" * 400  # the 1 is 400 levels deep: allowed
    fast, full = _parse_module._plain(text), _parse_module._parse_jsonc(text)
    while fast is not None and full is not None:  # (== on 400 levels would recurse too deep)
        assert (fast.kind, fast.start, fast.end) == (full.kind, full.start, full.end)
        fast, full = (fast.items or [None])[0], (full.items or [None])[0]
    assert fast is None and full is None
    assert parse("[" * 401 + "]" * 401).kind == "array"
    with pytest.raises(ParseError, match="nesting deeper"):
        parse("[" * 401 + "1" + "]" * 401)


def test_line_col() -> None:
    assert line_col("ab\ncd\r\nef", 0) == (1, 1)
    assert line_col("ab\ncd\r\nef", 4) == (2, 2)
    assert line_col("ab\ncd\r\nef", 8) == (3, 2)


# --- editing: examples ----------------------------------------------------------------------


def test_replace_keeps_everything_else() -> None:
    text = '{\n  // my settings\n  "theme": "dark", /* keep */\n  "model": "x/y", // old\n}\n'
    out = jsonc.set_value(text, ["model"], "aigate/openai/gpt-5.5")
    assert out == (
        '{\n  // my settings\n  "theme": "dark", /* keep */\n'
        '  "model": "aigate/openai/gpt-5.5", // old\n}\n'
    )


def test_equal_value_is_a_no_op() -> None:
    text = '{ "a" :1 , "b": {"c": [1, 2]} }'
    assert jsonc.set_value(text, ["a"], 1) is text
    assert jsonc.set_value(text, ["b", "c"], [1, 2]) is text
    assert jsonc.set_value(text, ["a"], True) != text  # true is not 1


def test_insert_after_last_member_and_its_comments() -> None:
    text = '{\n    "a": 1 // one\n    // "b": 2,\n}\n'
    out = jsonc.set_value(text, ["c"], {"d": True})
    assert out == '{\n    "a": 1, // one\n    // "b": 2,\n    "c": {\n        "d": true\n    }\n}\n'


def test_insert_respects_trailing_comma_tabs_and_crlf() -> None:
    text = '{\r\n\t"a": 1,\r\n}\r\n'
    out = jsonc.set_value(text, ["b"], {"c": "d"})
    assert out == '{\r\n\t"a": 1,\r\n\t"b": {\r\n\t\t"c": "d"\r\n\t},\r\n}\r\n'


def test_insert_into_empty_objects() -> None:
    assert jsonc.set_value("{}", ["a"], 1) == '{\n  "a": 1\n}'
    assert jsonc.set_value("{}\n", ["a", "b"], 1) == '{\n  "a": {\n    "b": 1\n  }\n}\n'
    nested = '{\n    "provider": {}\n}\n'
    assert jsonc.set_value(nested, ["provider", "x"], 1) == (
        '{\n    "provider": {\n        "x": 1\n    }\n}\n'
    )
    with_comment = "{\n  // nothing yet\n}\n"
    assert jsonc.set_value(with_comment, ["a"], 1) == '{\n  // nothing yet\n  "a": 1\n}\n'


def test_single_line_objects_stay_single_line() -> None:
    assert jsonc.set_value('{"a": 1}', ["b"], {"c": 2}) == '{"a": 1, "b": {"c": 2}}'
    assert jsonc.set_value('{"a": 1,}', ["b"], 2) == '{"a": 1, "b": 2,}'
    text = '{\n  "p": {"x": 1}\n}'
    assert jsonc.set_value(text, ["p", "y"], 2) == '{\n  "p": {"x": 1, "y": 2}\n}'


def test_closing_brace_on_the_last_member_line() -> None:
    text = '{\n  "a": 1 }'
    out = jsonc.set_value(text, ["b"], 2)
    assert out == '{\n  "a": 1,\n  "b": 2 }'
    assert loads(out) == {"a": 1, "b": 2}


def test_comment_looking_text_inside_strings() -> None:
    text = '{\n  "url": "http://example.com//x", // real comment\n  "glob": "/* not a comment",\n  "end": "*/"\n}\n'
    out = jsonc.set_value(text, ["model"], "aigate/m")
    assert out == text.replace('"*/"\n', '"*/",\n  "model": "aigate/m"\n')
    assert loads(out)["glob"] == "/* not a comment"


def test_empty_and_comment_only_files() -> None:
    assert jsonc.set_value("", ["model"], "m") == '{\n  "model": "m"\n}\n'
    assert jsonc.set_value("// my config\n", ["model"], "m") == (
        '// my config\n{\n  "model": "m"\n}\n'
    )
    assert jsonc.set_value("// x", ["a"], 1) == '// x\n{\n  "a": 1\n}'
    assert jsonc.set_value("\r\n", ["a"], 1) == '\r\n{\r\n  "a": 1\r\n}\r\n'


def test_existing_provider_keeps_user_fields_and_fixes_owned_ones() -> None:
    text = """{
  "$schema": "https://opencode.ai/config.json",
  "provider": {
    "openai": { "options": { "apiKey": "{env:OPENAI_API_KEY}" } },
    "aigate": {
      "npm": "@ai-sdk/openai-compatible",
      "options": {
        "baseURL": "https://wrong.example/v1", // typo
        "headers": { "X-Team": "blue" },
      },
      "models": { "anthropic/claude-opus-4.7": {} },
    },
  },
}
"""
    out = text
    for path, value in owned().items():
        out = jsonc.set_value(out, path, value)
    data = loads(out)
    assert data["provider"]["aigate"]["options"] == {
        "baseURL": BASE,
        "headers": {"X-Team": "blue"},
        "apiKey": "{env:AIGATE_API_KEY}",
    }
    assert data["provider"]["aigate"]["models"] == {
        "anthropic/claude-opus-4.7": {},
        "openai/gpt-5.5": {"name": "gpt-5.5"},
    }
    assert data["provider"]["openai"] == {"options": {"apiKey": "{env:OPENAI_API_KEY}"}}
    assert f'"baseURL": "{BASE}", // typo' in out
    assert '"headers": { "X-Team": "blue" },\n' in out
    assert jsonc.set_values(out, owned()) == out


def test_dict_values_merge_instead_of_replacing() -> None:
    text = '{"p": {"keep": 1, "x": 0}}'
    assert jsonc.set_value(text, ["p"], {"x": 2}) == '{"p": {"keep": 1, "x": 2}}'


def test_shape_errors() -> None:
    with pytest.raises(ParseError, match=r"provider is a string, expected an object") as info:
        jsonc.set_value('{\n  "provider": "x"\n}', ["provider", "aigate", "npm"], "y")
    assert (info.value.line, info.value.column) == (2, 15)
    with pytest.raises(ParseError, match="top level"):
        jsonc.set_value("[1]", ["a"], 1)
    with pytest.raises(ParseError, match="expected ',' or '}'"):
        jsonc.set_value('{"a": 1 "b": 2}', ["c"], 1)
    with pytest.raises(ValueError):
        jsonc.set_value("{}", ["a"], float("nan"))


def test_remove_value() -> None:
    text = '{\n  "a": 1,\n  "b": 2, // two\n  "c": 3\n}\n'
    assert jsonc.remove_value(text, ["c"]) == '{\n  "a": 1,\n  "b": 2 // two\n}\n'
    assert jsonc.remove_value(text, ["a"]) == '{\n  "b": 2, // two\n  "c": 3\n}\n'
    assert jsonc.remove_value('{"a": 1, "b": 2}', ["b"]) == '{"a": 1}'
    assert jsonc.remove_value('{"a": 1, "b": 2}', ["a"]) == '{"b": 2}'
    assert jsonc.remove_value('{"a": 1,}', ["a"]) == "{}"
    assert jsonc.remove_value('{"a": 1, "a": 2}', ["a"]) == "{}"
    assert jsonc.remove_value(text, ["zzz"]) is text
    assert jsonc.remove_value(text, ["a", "b"]) is text
    assert jsonc.remove_value("", ["a"]) == ""


def test_append_to_array() -> None:
    text = '{\n  "enabled_providers": [\n    "kilo", // built-in\n    "openai"\n  ]\n}\n'
    out = jsonc.append_to_array(text, ["enabled_providers"], "aigate")
    assert out == text.replace('"openai"\n', '"openai",\n    "aigate"\n')
    assert jsonc.append_to_array(out, ["enabled_providers"], "aigate") is out
    assert jsonc.append_to_array('{"e": ["a",]}', ["e"], "b") == '{"e": ["a", "b",]}'
    assert jsonc.append_to_array('{"e": []}', ["e"], "b") == '{"e": [\n  "b"\n]}'
    assert jsonc.append_to_array("{}", ["e"], "b") == '{\n  "e": [\n    "b"\n  ]\n}'
    with pytest.raises(ParseError, match="e is a string, expected an array"):
        jsonc.append_to_array('{"e": "x"}', ["e"], "b")


def test_dumps_for_new_files() -> None:
    assert dumps({"$schema": "s", "a": {"b": [1]}}) == (
        '{\n  "$schema": "s",\n  "a": {\n    "b": [\n      1\n    ]\n  }\n}\n'
    )
    assert loads(dumps({"x": "ü"})) == {"x": "ü"}


def test_big_file_is_fast() -> None:
    members = "".join(f'  "k{i}": {{"v": [{i}, "s{i}"]}}, // c{i}\n' for i in range(3000))
    text = "{\n" + members + '  "last": 0\n}\n'
    out = jsonc.set_values(text, owned())
    assert loads(out)["model"] == "aigate/openai/gpt-5.5"
    assert out.startswith(text[:-3])


# --- property tests -------------------------------------------------------------------------

KEYS = st.sampled_from(
    ["a", "b", "theme", "x//y", "/*k*/", "ünï", "sp ace", 'q"t', "back\\slash", "model2", "n"]
)
STRINGS = st.lists(
    st.sampled_from([*'ab /*"\\\n\t:{},ü€', "//", "/*", "*/", "http://h"]), max_size=6
).map("".join)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    STRINGS,
)
USER_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)
MODELS = st.sampled_from(["openai/gpt-5.5", "anthropic/claude-opus-4.7", "deepseek/deepseek-v3.2"])


@st.composite
def config_values(draw: st.DrawFn) -> dict[str, Any]:
    """A user's OpenCode/Kilo config: unknown keys, other providers, maybe a stale aigate."""
    value: dict[str, Any] = draw(st.dictionaries(KEYS, USER_VALUES, max_size=4))
    if draw(st.booleans()):
        value["$schema"] = "https://opencode.ai/config.json"
    if draw(st.booleans()):
        providers: dict[str, Any] = {}
        if draw(st.booleans()):
            providers["openai"] = {"options": {"apiKey": "{env:OPENAI_API_KEY}"}}
        if draw(st.booleans()):
            aigate: dict[str, Any] = {}
            if draw(st.booleans()):
                aigate["npm"] = "@ai-sdk/openai-compatible"
            if draw(st.booleans()):
                options: dict[str, Any] = {}
                if draw(st.booleans()):
                    options["baseURL"] = "https://old.example/v1"
                if draw(st.booleans()):
                    options["headers"] = {"X-User": "kept"}
                aigate["options"] = options
            if draw(st.booleans()):
                aigate["models"] = {"google/gemini-3-pro": {"name": "mine"}}
            providers["aigate"] = aigate
        value["provider"] = providers
    if draw(st.booleans()):
        value["model"] = "openai/gpt-4o"
    if draw(st.booleans()):
        value["enabled_providers"] = draw(st.lists(st.sampled_from(["kilo", "openai", "aigate"])))
    items = list(value.items())
    order = draw(st.permutations(range(len(items))))
    return dict(items[i] for i in order)


@st.composite
def jsonc_documents(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Render a config as JSONC with random comments, commas, indentation and newlines."""
    value = draw(config_values())
    unit = draw(st.sampled_from(["  ", "    ", "\t", " "]))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    colon = draw(st.sampled_from([": ", ":", " : "]))

    def line_comment() -> str:
        return draw(st.sampled_from(["", "", "", " // note", ' // "quoted" /* not */', " /* c */"]))

    def render(v: Any, depth: int, inline: bool) -> str:
        if isinstance(v, (dict, list)):
            pairs = list(v.items()) if isinstance(v, dict) else [(None, x) for x in v]
            open_, close = ("{", "}") if isinstance(v, dict) else ("[", "]")
            if not pairs:
                return draw(st.sampled_from([open_ + close, open_ + " " + close]))
            inline = inline or draw(st.integers(0, 3)) == 0
            trailing = draw(st.booleans())
            parts: list[str] = []
            for i, (k, x) in enumerate(pairs):
                head = "" if k is None else json.dumps(k, ensure_ascii=False) + colon
                comma = "," if i < len(pairs) - 1 or trailing else ""
                if inline:
                    parts.append(head + render(x, depth + 1, True) + comma)
                else:
                    pad = nl + unit * (depth + 1)
                    before = pad + "// about " + str(k) if draw(st.integers(0, 4)) == 0 else ""
                    parts.append(
                        before + pad + head + render(x, depth + 1, False) + comma + line_comment()
                    )
            if inline:
                return open_ + " ".join(parts) + close
            after = nl + unit * (depth + 1) + "/* the end */" if draw(st.booleans()) else ""
            return open_ + "".join(parts) + after + nl + unit * depth + close
        return json.dumps(v, ensure_ascii=draw(st.booleans()))

    text = render(value, 0, False)
    if draw(st.booleans()):
        text = "// opencode config" + nl + text
    if draw(st.booleans()):
        text += nl
    return text, value


def comments(text: str) -> list[str]:
    """Every comment of a JSONC text, in order (strings are skipped, so "//" in a URL is not one)."""
    found = []
    pos = 0
    while pos < len(text):
        if text[pos] == '"':
            m = patterns().string.match(text, pos)
            assert m is not None
            pos = m.end()
        elif text.startswith("//", pos):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            found.append(text[pos:end])
            pos = end
        elif text.startswith("/*", pos):
            end = text.index("*/", pos + 2) + 2
            found.append(text[pos:end])
            pos = end
        else:
            pos += 1
    return found


def owned_spans(text: str, updates: dict[tuple[str, ...], Any]) -> list[tuple[int, int]]:
    root = parse(text)
    spans = []
    for path in updates:
        node = find(root, path)
        if node is not None:
            spans.append((node.start, node.end))
    return spans


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=jsonc_documents(), model=MODELS, bom=st.booleans())
def test_merge_keeps_user_bytes_and_is_idempotent(
    doc: tuple[str, dict[str, Any]], model: str, bom: bool
) -> None:
    text, value = doc
    assert loads(text) == value
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    decoded = decode(data)
    updates = owned(model)

    out = jsonc.set_values(decoded.text, updates)
    expected = merged(value, updates)
    if "enabled_providers" in value:
        out = jsonc.append_to_array(out, ["enabled_providers"], "aigate")
        if "aigate" not in value["enabled_providers"]:
            expected["enabled_providers"] = [*value["enabled_providers"], "aigate"]
    # (a) + (b): it parses, has the owned values, and every other value is unchanged
    assert loads(out) == expected
    # (c): bytes outside the owned spans survive, in order
    assert_only_spans_changed(text, out, owned_spans(text, updates))
    assert comments(out) == comments(text)
    # newline style, BOM and final newline as before
    if "\r\n" in text:
        assert out.count("\n") == out.count("\r\n")
    elif "\n" in text:
        assert "\r" not in out
    assert out.endswith("\n") == text.endswith("\n")
    written = encode(decoded, out)
    assert written.startswith(b"\xef\xbb\xbf") == bom
    # (d): merging again changes nothing
    again = jsonc.set_values(decode(written).text, updates)
    if "enabled_providers" in value:
        again = jsonc.append_to_array(again, ["enabled_providers"], "aigate")
    assert again == out


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=jsonc_documents(), model=MODELS)
def test_remove_after_merge_gives_back_the_user_values(
    doc: tuple[str, dict[str, Any]], model: str
) -> None:
    text, value = doc
    updates = owned(model)
    out = jsonc.set_values(text, updates)
    for path in updates:
        out = jsonc.remove_value(out, path)
        assert find(parse(out), path) is None
    removed = copy.deepcopy(value)
    for path in updates:
        node: Any = removed
        for key in path[:-1]:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(path[-1], None)
    assert _prune(loads(out), removed) == removed


def _prune(v: Any, original: Any) -> Any:
    """`v` without the (nested) empty objects that `original` did not have."""
    if not isinstance(v, dict):
        return v
    result = {}
    for k, x in v.items():
        if isinstance(original, dict) and k in original:
            result[k] = _prune(x, original[k])
        else:
            pruned = _prune(x, None)
            if pruned != {}:
                result[k] = pruned
    return result


def test_an_integer_too_long_for_int_is_a_javascript_number() -> None:
    # Python's int() refuses more than 4300 digits; jsonc-parser reads a JavaScript Number.
    for text in ('{"a": ' + "1" * 5000 + "}", '{"a": -' + "9" * 5000 + ", // c\n}"):
        value = jsonc.loads(text)["a"]
        assert value in (float("inf"), float("-inf"))
