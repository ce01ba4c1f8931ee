"""The only HTTP client code, one concern per module:

- `http`: the client factory, one bounded request (overall deadline, decoded-size cap), JSON
  GETs, retries' backoff and Retry-After;
- `errors`: an HTTP status or a transport failure -> one explained line plus the action from
  the gateway's error table;
- `probes`: the "Say OK." smoke test each client's route and auth header;
- `keycheck`: is this key good? (GET /v1/balance, right after the wizard's key prompt);
- `diagnose`: doctor's DNS/TCP/TLS/proxy diagnosis.

Every failure is a `GatewayError` whose message is one line naming the URL and whose hint says
what to do; nothing that leaves this package contains the API key or raw control characters.
"""

from __future__ import annotations

from aigate_setup.gateway.errors import (
    GatewayStatusError,
    explain_exception,
    explain_status,
)
from aigate_setup.gateway.http import (
    default_timeout,
    get_balance,
    get_json,
    make_client,
    request_json,
)
from aigate_setup.gateway.keycheck import KeyCheck, check_key
from aigate_setup.gateway.probes import (
    Probe,
    SmokeResult,
    probe_for,
    probe_url,
    reply_text,
    smoke_test,
)

__all__ = [
    "GatewayStatusError",
    "KeyCheck",
    "Probe",
    "SmokeResult",
    "check_key",
    "default_timeout",
    "explain_exception",
    "explain_status",
    "get_balance",
    "get_json",
    "make_client",
    "probe_for",
    "probe_url",
    "reply_text",
    "request_json",
    "smoke_test",
]
