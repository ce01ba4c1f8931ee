"""The JSONC parser against Microsoft's jsonc-parser, the parser of OpenCode and Kilo.

Generated documents (comments, CR-only lines, odd whitespace, trailing commas, duplicate keys,
escapes, and random damage) go to one node process as JSON lines; the project's parser must
accept and reject exactly the same documents and read the same values. Needs node and the
jsonc-parser package that scripts/install_clients.sh installs beside the clients (e2e marker).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import ClientsMissing, clients_bin
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aigate_setup.errors import ParseError
from aigate_setup.merge import jsonc

pytestmark = pytest.mark.e2e

ORACLE = Path(__file__).with_name("jsonc_oracle.js")


class Oracle:
    """One node process; one document per line in, one verdict per line out."""

    def __init__(self, package: Path) -> None:
        self.proc = subprocess.Popen(
            ["node", str(ORACLE), str(package)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def verdict(self, text: str) -> tuple[bool, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(text) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the jsonc-parser oracle stopped")
        out = json.loads(line)
        return bool(out["ok"]), json.loads(out["value"]) if out["ok"] else None

    def close(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


def _package() -> Path:
    given_dir = os.environ.get("AIGATE_JSONC_PARSER_DIR")
    if given_dir:
        return Path(given_dir)
    try:
        return clients_bin().parent / "jsonc-parser"
    except ClientsMissing as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def oracle() -> Iterator[Oracle]:
    package = _package()
    if shutil.which("node") is None or not (package / "package.json").is_file():
        pytest.fail(f"node or jsonc-parser missing ({package}); run scripts/install_clients.sh")
    o = Oracle(package)
    yield o
    o.close()


def _plain(value: Any) -> Any:
    """What JSON.stringify makes of a value: Infinity becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def ours(text: str) -> tuple[bool, Any]:
    try:
        return True, _plain(jsonc.loads(text))
    except ParseError:
        return False, None


def agree(oracle: Oracle, text: str) -> None:
    want = oracle.verdict(text)
    got = ours(text)
    assert got[0] == want[0], f"jsonc-parser {'accepts' if want[0] else 'rejects'} {text!r}"
    assert got[1] == want[1], text


# --- generated documents --------------------------------------------------------------------

TRIVIA = st.sampled_from(
    [
        "", " ", "\t", "\n", "\r\n", "\r", "  ", "// note\n", "// note\r", "//\r\n", "/* c */",
        "/* a\nb */", "/**/", "\u00a0", "\f", "\v", "\ufeff", "\u2028", "\x00",
    ]
)  # fmt: skip
KEYS = st.sampled_from(["a", "b", "model", "provider", "", "k\\u0041", "x y", "\\n", "a\\/b"])
STRINGS = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
    st.sampled_from(["\\u00e9", "\\\\", '\\"', "\\t", "\\uD83D\\uDE00", "\\x41", "\\u12"]),
)
NUMBERS = st.sampled_from(
    ["0", "-1", "12", "1.5", "-0.25e3", "1E+2", "01", "1.", ".5", "-", "1e400", "+1", "0x10"]
)
LITERALS = st.sampled_from(["true", "false", "null", "True", "nul", "undefined", "NaN"])


def _string(s: str) -> str:
    # Raw pieces with backslashes are placed as they are (escapes, good and bad); other text
    # is placed raw too, so control characters inside strings get tested.
    return '"' + s.replace('"', "") + '"' if "\\" not in s else f'"{s}"'


@st.composite
def values(draw: st.DrawFn, depth: int = 0) -> str:
    kinds = ["str", "num", "lit"] + (["obj", "arr"] if depth < 3 else [])
    kind = draw(st.sampled_from(kinds))

    def t() -> str:
        return draw(TRIVIA)

    if kind == "str":
        return _string(draw(STRINGS))
    if kind == "num":
        return draw(NUMBERS)
    if kind == "lit":
        return draw(LITERALS)
    n = draw(st.integers(0, 4))
    if kind == "obj":
        parts = [
            f"{t()}{_string(draw(KEYS))}{t()}:{t()}{draw(values(depth + 1))}{t()}" for _ in range(n)
        ]
        close = "," if n and draw(st.booleans()) else ""
        return "{" + ",".join(parts) + close + t() + "}"
    items = [f"{t()}{draw(values(depth + 1))}{t()}" for _ in range(n)]
    close = "," if n and draw(st.booleans()) else ""
    return "[" + ",".join(items) + close + t() + "]"


@st.composite
def documents(draw: st.DrawFn) -> str:
    text = draw(TRIVIA) + draw(values()) + draw(TRIVIA)
    if text and draw(st.integers(0, 4)) == 0:  # random damage
        at = draw(st.integers(0, len(text) - 1))
        bit = draw(st.sampled_from(["", ",", ":", "}", "]", '"', "/", "*", "\r", "\u00a0"]))
        text = text[:at] + bit + text[at + 1 :]
    return text


@settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=documents())
def test_generated_documents_agree_with_jsonc_parser(oracle: Oracle, text: str) -> None:
    agree(oracle, text)


CASES = [
    '{"a": 1, //\r"b": 2\n}',  # J1: a lone CR ends the comment
    '{"a": 1 //\r}',
    '{"a": 1,\u00a0"b": 2}',  # J2: NBSP is not whitespace
    '{"a":\f1}',
    '{"a":\v1}',
    '{"a": 1,\ufeff"b": 2}',
    '\ufeff{"a": 1}',  # a leading BOM is taken off when the file is decoded, not by the parser
    '{"a": 1, "a": 2}',  # duplicate keys: the last one wins
    '{"a": {"x": 1}, "a": {"y": 2},}',
    '{"a": 1e400}',
    '{"a": "\\u00e9\\/"}',
    '{"a": "tab\there"}',
    "{}",
    "",
    "// only a comment\n",
    "[1, 2,]",
    "{,}",
    "[,]",
    '{"a": 01}',
    '{"a": -}',
    '"top"',
    "/* open",
]


@pytest.mark.parametrize("text", CASES)
def test_known_cases_agree_with_jsonc_parser(oracle: Oracle, text: str) -> None:
    agree(oracle, text)
