"""Managed blocks in the Claude Code scripts: lines outside the markers are the user's."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigate_setup.errors import ParseError
from aigate_setup.merge.block import BEGIN, END, extract_block, merge_block
from aigate_setup.merge.text import decode, encode

BODY = 'export ANTHROPIC_BASE_URL="https://api.aigate.shop"\nexport ANTHROPIC_MODEL="m"\n'


def test_new_file_gets_just_the_block() -> None:
    assert merge_block("", BODY) == f"{BEGIN}\n{BODY}{END}\n"


def test_block_is_appended_after_a_blank_line() -> None:
    assert merge_block("alias ll='ls -l'\n", BODY) == f"alias ll='ls -l'\n\n{BEGIN}\n{BODY}{END}\n"
    assert merge_block("x\n\n", BODY) == f"x\n\n{BEGIN}\n{BODY}{END}\n"
    # no final newline before: none after
    assert merge_block("x", BODY) == f"x\n\n{BEGIN}\n{BODY}{END}"


def test_body_is_replaced_and_outside_kept() -> None:
    text = f"# mine\r\nA=1\r\n{BEGIN}\r\nold stuff\r\n{END}\r\n# after\r\nB=2"
    out = merge_block(text, BODY)
    assert out == (
        f"# mine\r\nA=1\r\n{BEGIN}\r\n" + BODY.replace("\n", "\r\n") + f"{END}\r\n# after\r\nB=2"
    )
    assert extract_block(out) == BODY.replace("\n", "\r\n")
    assert merge_block(out, BODY) is out


def test_indented_markers_and_empty_body() -> None:
    text = f"  {BEGIN}\n{END}  \n"
    assert extract_block(text) == ""
    assert merge_block(text, "x=1") == f"  {BEGIN}\nx=1\n{END}  \n"
    assert merge_block(f"{BEGIN}\nx\n{END}\n", "") == f"{BEGIN}\n{END}\n"


def test_no_block() -> None:
    assert extract_block("echo hi\n") is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (f"a\n{BEGIN}\nx\n", 2, "has no"),
        (f"a\nb\n{END}\n", 3, "without"),
        (f"{BEGIN}\n{END}\n\n{BEGIN}\n{END}\n", 4, "second aigate-setup block"),
        (f"{BEGIN}\n{BEGIN}\n{END}\n", 2, "again on line 2"),
    ],
)
def test_broken_markers(text: str, line: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        merge_block(text, BODY)
    assert message in info.value.message
    assert (info.value.line, info.value.column) == (line, 1)
    with pytest.raises(ParseError):
        extract_block(text)


USER_LINES = st.lists(
    st.sampled_from(
        [
            "",
            "# comment",
            "export PATH=$HOME/bin:$PATH",
            "alias g=git",
            "  indented  ",
            "# >>> conda initialize >>>",
            "echo '# <<< aigate-setup' # not a marker",
            "$env:FOO = 'bar'",
            "ünïcode € line",
        ]
    ),
    max_size=6,
)
BODIES = st.lists(
    st.sampled_from(['export A="1"', "unset ANTHROPIC_API_KEY", "$env:X = 'y'", ""]),
    max_size=4,
).map(lambda lines: "".join(line + "\n" for line in lines))


@settings(max_examples=150, deadline=None)
@given(
    above=USER_LINES,
    below=USER_LINES,
    old_body=BODIES,
    body=BODIES,
    has_block=st.booleans(),
    nl=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
    bom=st.booleans(),
)
def test_outside_lines_are_byte_exact(
    above: list[str],
    below: list[str],
    old_body: str,
    body: str,
    has_block: bool,
    nl: str,
    final: bool,
    bom: bool,
) -> None:
    lines = list(above)
    if has_block:
        lines += [BEGIN, *old_body.splitlines(), END]
    lines += below if has_block else []
    text = nl.join(lines) + (nl if final and lines else "")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    decoded = decode(data)

    out = merge_block(decoded.text, body)
    assert extract_block(out) == body.replace("\n", nl if "\n" in text else "\n")
    head, _, rest = out.partition(BEGIN)
    _, _, tail = rest.partition(END)
    if has_block:
        assert text.startswith(head)
        assert text.endswith(tail)
    else:
        assert out.startswith(text)
        assert head[len(text) :].strip("\r\n") == ""
        assert tail in ("", nl, "\n")
    assert out.endswith("\n") == (text.endswith("\n") or not text)
    if "\r\n" in text:
        assert out.count("\n") == out.count("\r\n")
    written = encode(decoded, out)
    assert written.startswith(b"\xef\xbb\xbf") == bom
    assert merge_block(decode(written).text, body) == out
