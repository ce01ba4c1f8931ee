"""Check builders the client modules share: each client module composes its own doctor checks
(`doctor_checks`) from these, so the wording of a check is the same for every client."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup import secrets
from aigate_setup.findings import Check, CheckStatus

if TYPE_CHECKING:
    from aigate_setup.clients.base import ClientState
    from aigate_setup.options import DoctorOptions

FIX = "`aigate-setup doctor --fix`"
# A URL inside a message; it ends at whitespace or a quote (rules quote values with repr()).
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>`]+")


def setup_hint(client: str) -> str:
    return f"aigate-setup init --client {client}"


def check(
    client: str, part: str, status: CheckStatus, title: str, detail: str = "", hint: str = ""
) -> Check:
    """The check `<client>.<part>`."""
    return Check(f"{client}.{part}", status, title, detail, hint, client)


def mask_urls(text: str) -> str:
    """`text` with every URL in it masked (user:password, `?key=`, tokens)."""
    return _URL.sub(lambda m: secrets.mask_url(m.group(0)), text)


def masked(chk: Check, *keys: str | None) -> Check:
    """The check with every URL masked and the keys scrubbed from its detail and hint."""
    detail = secrets.scrub(mask_urls(chk.detail), *keys)
    hint = secrets.scrub(mask_urls(chk.hint), *keys)
    if detail == chk.detail and hint == chk.hint:
        return chk
    return chk._replace(detail=detail, hint=hint)


def provider_missing(
    st: ClientState,
    requested: bool,
    *,
    part: str,
    title: str,
    detail: str,
    broken: bool = False,
) -> Check:
    """No usable AIGate entry: a failure when something expects one, else a warning."""
    broken = broken or requested or st.referenced or bool(st.problem)
    hint = setup_hint(st.name)
    if broken:
        hint += f" (or {FIX})"
    return check(st.name, part, "fail" if broken else "warn", title, detail, hint)


def base_url_check(st: ClientState, *, want: str, what: str) -> Check:
    """`<client>.base_url`: the AIGate entry's URL against the gateway doctor checks."""
    title = "Base URL"
    c = st.name
    if st.base_url is None:
        if st.base_url_computed:
            return check(c, "base_url", "skip", title, f"{what} is computed when the script runs")
        return check(
            c,
            "base_url",
            "fail",
            title,
            f"no {what} in {st.where}",
            f"set {what} to {want} ({FIX})",
        )
    url = st.base_url.value
    if url.strip().rstrip("/") == want.rstrip("/"):
        return check(c, "base_url", "pass", title, f"{secrets.mask_url(url)} ({st.where})")
    return check(
        c,
        "base_url",
        "fail",
        title,
        f"{secrets.mask_url(url)} in {st.where}, expected {want}",
        f"set it to {want} ({FIX}), or pass --base-url if doctor checks the wrong gateway",
    )


def key_check(
    st: ClientState,
    opts: DoctorOptions,
    *,
    binary: str,
    how: str,
    missing: Check,
    check_file: bool = True,
) -> Check:
    """`<client>.key`: how the AIGate entry gets the key, and whether that works here.

    `how` is the reference to write instead of a literal key; `missing` is the check when the
    entry names no key at all; `check_file` whether a `{file:...}` key must exist."""
    from aigate_setup import paths

    c, title, ref = st.name, "Key reference", st.key
    if ref.literal:
        return check(
            c,
            "key",
            "fail",
            title,
            f"a literal key is written in {st.where}",
            f"reference the variable instead: {how}; then rotate the key",
        )
    if ref.var:
        value = os.environ.get(ref.var, "").strip()
        if value:
            return check(
                c, "key", "pass", title, f"reads ${ref.var} (set, {secrets.mask_key(value)})"
            )
        if ref.file and Path(ref.file).is_file():
            kept = paths.display(ref.file)
            detail = f"reads ${ref.var} (not set here), else the kept key file {kept}"
            return check(c, "key", "pass", title, detail)
        return check(
            c,
            "key",
            "fail",
            title,
            f"reads ${ref.var}, which is not set in this shell",
            f"export {ref.var}=sk-... before starting {binary}",
        )
    if ref.file:
        if check_file and not Path(os.path.expanduser(ref.file)).is_file():
            return check(
                c,
                "key",
                "fail",
                title,
                f"reads {{file:{ref.file}}}, which does not exist",
                f'create it, or use "apiKey": "{{env:{opts.common.key_env}}}"',
            )
        return check(c, "key", "pass", title, f"reads {ref.file}")
    return missing
