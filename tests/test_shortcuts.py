"""Shortcuts that skip a regex for text it cannot match, so that `status` compiles fewer of them:
`sanitize.clean` (printable text), `secrets.scrub` / `mask_url` (no `sk-`, `bearer` or `=`),
PowerShell assignments (no `=`, no `able(`). These properties show a shortcut never changes a
result: every output equals the regexes applied unconditionally."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from aigate_setup import sanitize, secrets
from aigate_setup.rules import scripts

# Text close to the interesting cases: escapes, controls, bidi and zero-width characters,
# surrogates, key-shaped runs, bearer tokens and secret-looking query strings.
_PIECES = st.sampled_from(
    [
        "\x1b[31m", "\x1b]8;;http://x\x07", "\x1bM", "\x00", "\t", "\n", "\x7f", "\x85",
        "\u200b", "\u202e", "\u2066", "\ufeff", "\ud800", "é", "ok", " ", "sk-", "SK-",
        "sk-abcdefghijklmnopqrstu", "Bearer ", "bEaReR ", "abcdefgh1234", "?api_key=",
        "&token=", "=", "https://u:p@h/x?", "K",
    ]
)  # fmt: skip
_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(_PIECES, st.text(max_size=4)), max_size=12).map("".join),
)


def _clean_always(text: str) -> str:
    return re.sub(sanitize._UNSAFE, "", re.sub(sanitize._ANSI, "", text))


def _scrub_always(text: str) -> str:
    text = re.sub(secrets.KEY_RE, lambda m: secrets.mask_key(m[0]), text)
    return re.sub(secrets._BEARER, lambda m: m[1] + "***", text)


@given(_TEXT)
def test_clean_equals_the_regexes_applied_always(text: str) -> None:
    assert sanitize.clean(text) == _clean_always(text)


@given(_TEXT)
def test_scrub_equals_the_regexes_applied_always(text: str) -> None:
    assert secrets.scrub(text) == _scrub_always(text)
    keys = [m for m in re.finditer(secrets.KEY_RE, text) if len(m[0]) >= secrets.MIN_KEY_LENGTH]
    assert [m.span() for m in secrets.find_keys(text)] == [m.span() for m in keys]
    assert secrets.looks_like_key(text) == bool(keys)


@given(_TEXT)
def test_mask_url_skips_the_query_regex_only_where_it_cannot_match(text: str) -> None:
    if "=" not in text:
        assert re.search(secrets._SECRET_QUERY, text) is None
    masked = secrets.mask_url("https://gw.example/v1?" + text)
    assert all(m[0].endswith(("=", "***")) for m in re.finditer(secrets._SECRET_QUERY, masked))


def test_the_shortcuts_are_taken() -> None:
    """Printable text comes back as the same object; the cleaning is not done at all."""
    text = "model openai/gpt-5.5 at http://127.0.0.1:8080/v1"
    assert sanitize.clean(text) is text
    assert secrets.scrub(text) is text
    assert sanitize.clean("a\x1b[31mb\u202ec") == "abc"
    assert secrets.scrub("Authorization: bearer abcdefghijkl") == "Authorization: bearer ***"
    assert secrets.mask_url("https://h/v1?api_key=abc&x=1") == "https://h/v1?api_key=***&x=1"


_PS_LINES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "$env:ANTHROPIC_MODEL = 'x'",
                "  $ENV:name=$key",
                "$env:A",
                "$env:1X = 2",
                "[Environment]::SetEnvironmentVariable('ANTHROPIC_MODEL', 'x', 'User')",
                '[environment]::setenvironmentvariable( "K" , $v)',
                "SETENVIRONMENTVARIABLE('K',1)",
                "# $env:X = 1",
                "if (-not $k) {",
                "Remove-Item Env:X",
                "",
            ]
        ),
        st.text(alphabet="$env:=()'\"SsEeTtAaBbLl ,#x", max_size=30),
    ),
    max_size=8,
).map("\n".join)


def _ps_always(text: str) -> list[tuple[str, str, int, int]]:
    found = []
    for i, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        m = re.match(scripts._PS_ASSIGN, line) or re.search(scripts._PS_SETENV, line)
        if m:
            found.append((m[1].upper(), m[2].strip(), i, m.start(2)))
    return found


@given(_PS_LINES)
def test_powershell_assignments_equal_the_regexes_applied_always(text: str) -> None:
    got = scripts.script_assignments(text, ps1=True)
    want = _ps_always(text)
    assert [(a.name, a.line) for a in got] == [(n, i) for n, _, i, _ in want]
