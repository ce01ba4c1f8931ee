"""What the clients added later (Qwen Code, Continue CLI, Aider) share: display names of the
AIGate model entries, their doctor checks (provider, base URL, key reference, default), and
the pieces of their resolvers (`resolve_from_state`, `.env` files, `judge`)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup.clients import common
from aigate_setup.clients.base import Where

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.base import ClientState, Origin, Override, Resolution, Value
    from aigate_setup.findings import Check
    from aigate_setup.options import DoctorOptions
    from aigate_setup.plan import Selection


def model_names(sel: Selection, catalog: Catalog | None) -> list[tuple[str, str]]:
    """(id, display name) of the main model then the extra ones; ids checked (UsageError)."""
    return [(e.id, e.name or e.id) for e in common.model_entries(sel, catalog)]


def doctor_checks(
    state: ClientState,
    opts: DoctorOptions,
    requested: bool,
    *,
    binary: str,
    how: str,
    url_field: str,
    entry: str,
) -> list[Check]:
    """<client>.provider, .base_url, .key, .default. `how` is the key reference to write,
    `url_field` the base URL's setting, `entry` what the AIGate entry is called."""
    from aigate_setup.doctor import parts

    c, title = state.name, "AIGate provider"
    if not state.configured:
        detail = state.problem or f"no {entry} in the config"
        return [
            parts.provider_missing(state, requested, part="provider", title=title, detail=detail)
        ]
    missing = parts.check(
        c, "key", "fail", "Key reference", f"no key reference in {state.where}",
        f"set {how} ({parts.FIX})",
    )  # fmt: skip
    checks = [
        parts.check(c, "provider", "pass", title, f"{entry} in {state.where}"),
        parts.base_url_check(state, want=opts.common.base_url.rstrip("/"), what=url_field),
        parts.key_check(state, opts, binary=binary, how=how, missing=missing),
    ]
    model = state.default_model
    if state.aigate_default and model is not None:
        checks.append(parts.check(c, "default", "pass", "Default model", model.value))
    else:
        detail = (
            f"the default model is {model.value!r} ({model.origin}), not an AIGate one"
            if model is not None
            else "no default model is set"
        )
        hint = f"{parts.setup_hint(c)} (makes AIGate the default)"
        checks.append(parts.check(c, "default", "warn", "Default model", detail, hint))
    return checks


def resolve_from_state(
    name: str, st: ClientState, env: Mapping[str, str], gateway: str | None
) -> Resolution:
    """The effective settings of a client whose layers `read_state` already merges in load
    order (later wins): the default provider and model, the AIGate entry's URL and key.
    The starting point of the resolvers of Qwen Code, Continue and Aider, which then add the
    layers each client reads (variables, `.env` files, later files) and `judge` again."""
    from aigate_setup.clients import layers
    from aigate_setup.clients.base import Resolution, Value

    def where(origin: Origin | None) -> Where:
        return Where(origin.path, origin.line) if origin is not None else Where()

    gateway = gateway or layers.gateway_url(env)
    provider = (
        Value(st.default_provider.value, where(st.default_provider.origin))
        if st.default_provider is not None
        else Value("aigate" if st.aigate_default else None, where(st.provider))
    )
    model = (
        Value(st.default_model.value, where(st.default_model.origin))
        if st.default_model is not None
        else Value(st.model)
    )
    base = (
        Value(st.base_url.value, where(st.base_url.origin)) if st.base_url is not None else Value()
    )
    if st.key.var:
        credential = Value(f"${st.key.var}", where(st.key.origin))
    elif st.key.file:
        credential = Value(st.key.file, where(st.key.origin))
    else:
        credential = Value("literal key" if st.key.literal else None, where(st.key.origin))
    reaches = st.configured and st.aigate_default and layers.same_gateway(base.value, gateway)
    why = ""
    if not st.configured:
        why = "no AIGate entry"
    elif not st.aigate_default:
        why = f"the default is {provider.value or 'another provider'}, not AIGate"
    elif not reaches:
        why = f"the AIGate entry points at {layers.shown_url(base.value)}, not {gateway}"
    return Resolution(
        name, provider, model, base, credential, (), st.configured, bool(reaches), why
    )


# --- environment variables and .env files (the resolvers of Qwen Code, Continue and Aider) ----


class EnvVar:
    """One variable as a client will see it: the text as written (a `.env` file's `${VAR}`
    kept), its value, and where it was set (`Where(env=NAME)` when exported). A plain class:
    status imports this module, and a NamedTuple class costs about 0.1-0.3 ms to create."""

    __slots__ = ("origin", "raw", "value")

    def __init__(self, raw: str, value: str, origin: Where) -> None:
        self.raw = raw
        self.value = value
        self.origin = origin


# Patterns as strings: compiled (and cached by `re`) on first use, not when status starts.
_DOTENV_LINE = r"^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*[=:]\s*(.*?)\s*$"
_REF = r"\$\{([A-Za-z_]\w*)(?::-([^}]*))?\}"


def read_dotenv(path: Path) -> list[tuple[str, str, int]]:
    """(name, raw value, line) of each assignment in a `.env` file (quotes removed, `#`
    comments dropped); [] when it is not a readable regular file (never a FIFO or a device)."""
    if not os.path.isfile(path):
        return []
    try:
        with open(path, "rb") as f:
            text = f.read(262144).decode("utf-8", "replace")
    except OSError:
        return []
    out: list[tuple[str, str, int]] = []
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(_DOTENV_LINE, line)
        if m is None or line.lstrip().startswith("#"):
            continue
        value = m.group(2)
        if value[:1] in ("'", '"') and value.rfind(value[0]) > 0:
            value = value[1 : value.rfind(value[0])]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out.append((m.group(1), value, n))
    return out


def expand(raw: str, found: Mapping[str, EnvVar], env: Mapping[str, str]) -> str:
    """`${VAR}` and `${VAR:-default}` filled in the way python-dotenv does it (`found` first,
    then the exported variables)."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        value = found[name].value if name in found else env.get(name, "")
        return value or m.group(2) or ""

    return re.sub(_REF, one, raw)


def environment(
    env: Mapping[str, str],
    names: Sequence[str],
    dotenvs: Sequence[Path],
    *,
    override: bool,
) -> dict[str, EnvVar]:
    """The variables of `names` a client sees, set and not empty: the exported ones, then
    each `.env` file of `dotenvs` in order, either over them (`override`, python-dotenv's
    `override=True`) or only where still unset (set but empty counts as unset)."""
    found = {k: EnvVar(env[k], env[k], Where(env=k)) for k in names if env.get(k)}
    for path in dotenvs:
        for name, raw, line in read_dotenv(path):
            if name in names and (override or name not in found):
                value = expand(raw, found, env)
                if value:
                    found[name] = EnvVar(raw, value, Where(path, line))
                elif override:
                    found.pop(name, None)
    return found


def ref_var(raw: str) -> str | None:
    """The variable a value only refers to (`${AIGATE_API_KEY}`, `$AIGATE_API_KEY`)."""
    m = re.fullmatch(r"\$\{?([A-Za-z_]\w*)\}?", raw.strip())
    return m.group(1) if m else None


def credential(var: EnvVar) -> Value:
    """A key as shown: a reference as `$NAME`, anything else masked."""
    from aigate_setup.clients import layers
    from aigate_setup.clients.base import Value

    ref = ref_var(var.raw)
    return Value(f"${ref}" if ref else layers.masked(var.value), var.origin)


def unset_fix(var: str, origin: Where) -> str:
    """How to take away a variable that overrides aigate-setup's settings."""
    if origin.env is not None:
        return f"unset {var} (or start the client without it)"
    return f"remove {var} from {origin.show()}"


def judge(res: Resolution, title: str, gateway: str, overrides: Sequence[Override]) -> Resolution:
    """`res` with `overrides`, judged again: the first blocking override is why it does not
    reach AIGate (unless it is not configured at all)."""
    from aigate_setup.clients import layers

    res = res._replace(overrides=tuple(overrides))
    why = res.why
    if res.configured and res.blocking:
        why = res.blocking[0].sentence(title)
    elif res.configured and not why and not layers.same_gateway(res.base_url.value, gateway):
        why = f"requests go to {layers.shown_url(res.base_url.value)}, not to AIGate {gateway}"
    return res._replace(reaches_aigate=not why, why=why)
