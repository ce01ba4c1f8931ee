"""Which gateway doctor checks when nobody said: without --base-url, AIGATE_BASE_URL and a
state file, the URL every configured client's AIGate entry already points at (when they all
agree), rather than the public default that a self-hosted setup never used."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from aigate_setup.errors import UsageError
from aigate_setup.options import gateway_root, normalize_base_url

if TYPE_CHECKING:
    from aigate_setup.clients.base import ClientState
    from aigate_setup.options import DoctorOptions


def configured_base_url(states: Sequence[ClientState]) -> str | None:
    """The /v1 base every configured client's AIGate entry points at, or None when there is
    none or they disagree. Claude Code's root URL (no /v1) counts as its /v1 base."""
    roots: dict[str, str] = {}
    for st in states:
        if not st.configured or st.base_url is None:
            continue
        try:
            url = normalize_base_url(st.base_url.value)
        except UsageError:
            continue  # not a URL at all: <client>.base_url fails it whatever doctor checks
        roots.setdefault(gateway_root(url), url)
    if len(roots) != 1:
        return None
    ((root, url),) = roots.items()
    return url if url.endswith("/v1") else root + "/v1"


def with_configured_base_url(opts: DoctorOptions, states: Sequence[ClientState]) -> DoctorOptions:
    """`opts` with the clients' common base URL when the base URL is only the default."""
    if opts.common.base_url_origin != "default":
        return opts
    url = configured_base_url(states)
    if url is None or url == opts.common.base_url:
        return opts
    common = opts.common._replace(base_url=url, base_url_origin="configs")
    return replace(opts, common=common)
