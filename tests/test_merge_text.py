"""Bytes <-> text: BOM, newline detection; plus the shared "only owned spans changed" checker."""

from __future__ import annotations

import copy
from collections.abc import Sequence, Set
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aigate_setup.merge.text import decode, encode, new_document, newline_of


def merged(value: dict[str, Any], updates: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    """`value` with each path of `updates` set (missing objects created): what a merge must
    produce, computed on plain data."""
    out = copy.deepcopy(value)
    for path, v in updates.items():
        node = out
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = v
    return out


def assert_only_spans_changed(old: str, new: str, owned: Sequence[tuple[int, int]]) -> None:
    """Every character of `old` outside the `owned` spans is still in `new`, in order.

    Insertions anywhere are allowed; changes are allowed only inside an owned span. (A greedy
    subsequence test: it cannot be fooled by an unlucky diff alignment.)
    """
    kept = []
    pos = 0
    for start, end in sorted(owned):
        kept.append((pos, old[pos:start]))
        pos = max(pos, end)
    kept.append((pos, old[pos:]))
    j = 0
    for base, segment in kept:
        for k, ch in enumerate(segment):
            found = new.find(ch, j)
            if found < 0:
                at = base + k
                context = old[max(0, at - 30) : at + 30]
                raise AssertionError(f"user text lost at {at} ({ch!r}) in {context!r}")
            j = found + 1


def assert_lines_kept(old: str, new: str, owned_lines: Set[int] = frozenset()) -> None:
    """Every line of `old` (with its line ending) not in `owned_lines` is in `new`, in order.

    The last line of a file without a final newline may gain one when text is appended after it.
    """
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    j = 0
    for i, line in enumerate(old_lines):
        if i in owned_lines:
            continue
        last = i == len(old_lines) - 1 and not line.endswith(("\n", "\r"))
        while j < len(new_lines) and not (
            new_lines[j] == line or (last and new_lines[j].rstrip("\r\n") == line)
        ):
            j += 1
        if j == len(new_lines):
            raise AssertionError(f"line {i + 1} lost or changed: {line!r}")
        j += 1


def test_decode_plain_utf8() -> None:
    doc = decode(b'{"a": "\xc3\xbc"}\n')
    assert doc.text == '{"a": "ü"}\n'
    assert not doc.bom
    assert doc.newline == "\n"


def test_decode_bom_and_crlf() -> None:
    doc = decode(b"\xef\xbb\xbfa = 1\r\nb = 2\r\n")
    assert doc.bom
    assert doc.text == "a = 1\r\nb = 2\r\n"
    assert doc.newline == "\r\n"
    assert encode(doc, doc.text + "c = 3\r\n") == b"\xef\xbb\xbfa = 1\r\nb = 2\r\nc = 3\r\n"


def test_decode_rejects_other_encodings() -> None:
    with pytest.raises(ValueError, match="not valid UTF-8"):
        decode(b"a = '\xff'\n")


def test_mixed_newlines_pick_dominant_and_keep_bytes() -> None:
    data = b"a\r\nb\r\nc\nd\r\n"
    doc = decode(data)
    assert doc.newline == "\r\n"
    assert encode(doc, doc.text) == data
    assert newline_of("a\nb\r\nc\n") == "\n"
    assert newline_of("no newline") == "\n"
    assert newline_of("x\r\n") == "\r\n"


def test_new_document() -> None:
    doc = new_document()
    assert doc.text == ""
    assert encode(doc, "x\n") == b"x\n"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from([*'ab {}"/*\t', "\n", "\r\n", "ü", "€"]), max_size=60).map("".join),
    st.booleans(),
)
def test_roundtrip_is_byte_exact(text: str, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    doc = decode(data)
    assert doc.bom is bom
    assert encode(doc, doc.text) == data


def test_checker_catches_lost_bytes() -> None:
    old = "a // keep\nb\n"
    assert_only_spans_changed(old, "a // keep\nINSERTED\nb\n", [])
    with pytest.raises(AssertionError):
        assert_only_spans_changed(old, "a\nb\n", [])
    assert_only_spans_changed("x = 1\n", "x = 22\n", [(4, 5)])
    with pytest.raises(AssertionError):
        assert_only_spans_changed("x = 1\n", "x = 22\n", [])
    assert_lines_kept("a\nb", "a\nnew\nb\nc")
    assert_lines_kept("a\nb\n", "A\nb\n", {0})
    with pytest.raises(AssertionError):
        assert_lines_kept("a\r\nb\r\n", "a\nb\r\n")
