"""Is this key good? One `GET /v1/balance` (it needs a key), right after the key is entered.

The wizard asks again on `rejected`, offers to fix the base URL on `unreachable`, and goes on
(with a note) on `no_funds` and `unknown`: the smoke test still checks the key before any write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aigate_setup.constants import DEFAULT_KEY_ENV
from aigate_setup.errors import GatewayError
from aigate_setup.gateway.http import get_balance
from aigate_setup.secrets import scrub

KeyStatus = Literal["ok", "rejected", "no_funds", "unknown", "unreachable"]


@dataclass(frozen=True)
class KeyCheck:
    status: KeyStatus
    detail: str  # "balance $12.34" when ok; the explained error otherwise (never the key)
    hint: str = ""
    url: str = ""  # what was tried

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def amount(value: object) -> float | None:
    """A balance field as a number (numbers and numeric strings; not booleans), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def money(value: float) -> str:
    """`$12.34` (the gateway reports USD)."""
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def check_key(
    base_url: str, key: str, *, timeout: float | None = None, key_env: str = DEFAULT_KEY_ENV
) -> KeyCheck:
    """Ask the gateway about `key`; never raises for a gateway answer."""
    url = base_url.rstrip("/") + "/balance"
    try:
        data = get_balance(base_url, key, timeout=timeout, key_env=key_env)
    except GatewayError as exc:
        return _failed(exc, key, url)
    balance = amount(data.get("balance"))
    token = data.get("token")
    token = token if isinstance(token, dict) else {}
    remaining = amount(token.get("remaining"))
    if balance is not None and balance <= 0:
        return KeyCheck(
            "no_funds", f"balance {money(balance)}", "top up your AIGate account", url=url
        )
    if not token.get("unlimited_quota") and remaining is not None and remaining <= 0:
        return KeyCheck(
            "no_funds",
            "this key's quota is used up",
            "raise the key's quota in the AIGate dashboard, or use another key",
            url=url,
        )
    return KeyCheck("ok", f"balance {money(balance)}" if balance is not None else "", url=url)


def _failed(exc: GatewayError, key: str, url: str) -> KeyCheck:
    message = scrub(exc.message, key)
    hint = scrub(exc.hint or "", key)
    if exc.status in (401, 403):
        return KeyCheck(
            "rejected",
            f"the gateway rejected this key ({exc.status})",
            "copy the key again from the AIGate dashboard (it starts with sk-)",
            url=url,
        )
    if exc.status == 402:
        return KeyCheck(
            "no_funds",
            "402 Payment Required: not enough balance or key quota",
            "top up your AIGate account",
            url=url,
        )
    if exc.status == 404 and _answered_json(exc):
        return KeyCheck("unknown", "this gateway has no /v1/balance", url=url)
    return KeyCheck("unreachable", message, hint, url=url)


def _answered_json(exc: GatewayError) -> bool:
    """A 404 from the gateway itself (JSON error) means "no balance route"; an HTML 404 or a
    404 from a wrong path means the base URL is wrong. Only the gateway's JSON shape is
    trusted, so an unknown 404 counts as a URL problem."""
    return (
        "html" not in exc.message.lower() and "/v1/balance" in exc.url and "/v1/v1" not in exc.url
    )
