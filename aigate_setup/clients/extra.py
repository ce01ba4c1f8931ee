"""What the clients added later (Qwen Code, Continue CLI, Aider) share: display names of the
AIGate model entries and their doctor checks (provider, base URL, key reference, default)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from aigate_setup.clients import common

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.base import ClientState, Origin, Resolution
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
    Less than the four main clients' resolvers: no agent-level or variable overrides."""
    from aigate_setup.clients import layers
    from aigate_setup.clients.base import Resolution, Value, Where

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
