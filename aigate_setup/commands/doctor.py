"""`aigate-setup doctor`: run every check and return them in report order. Prints nothing.

Order: the environment, the gateway (network diagnosis, then the configured models against the
live catalog), then per client its binary, its config checks, the shared static rules, its live
probe and (with --with-clients) its own one-shot run. Slow parts run concurrently, each bounded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from aigate_setup.constants import CLIENTS
from aigate_setup.findings import Check

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.base import ClientState
    from aigate_setup.gateway.diagnose import Bounded, Diagnosis, ProxyInfo
    from aigate_setup.options import DoctorOptions

MODELS_KNOWN = "gateway.models_known", "Configured models in the catalog"


@dataclass(frozen=True)
class DoctorResult:
    checks: list[Check]  # report order
    states: list[ClientState]  # the clients' effective settings, as read
    catalog: Catalog | None  # the live catalog (None offline or when it failed)
    base_url: str  # the gateway doctor checked
    base_url_origin: str = "default"  # flag, env, state, configs or default
    roots: Mapping[str, Path | None] = field(default_factory=dict)  # each client's project

    @property
    def failed(self) -> bool:
        return any(c.status == "fail" for c in self.checks)

    @property
    def status(self) -> str:
        return "fail" if self.failed else "ok"

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def run(opts: DoctorOptions) -> DoctorResult:
    """Every check of the contract, for the clients asked for (all of them by default)."""
    from aigate_setup.doctor import check_timeout, keyshell, parts
    from aigate_setup.doctor.clients import binary_check, probe_checks, read_states
    from aigate_setup.doctor.environment import env_checks
    from aigate_setup.doctor.gateway_url import with_configured_base_url
    from aigate_setup.doctor.project import roots as project_roots
    from aigate_setup.doctor.runs import VERSION_SECONDS, CpuWatch, Pacer, pacer_for, start_runs
    from aigate_setup.doctor.servers import server_checks
    from aigate_setup.gateway.diagnose import Bounded

    watch = CpuWatch()  # how busy the machine is while doctor starts (see pacer_for)
    timeout = check_timeout()
    requested = bool(opts.clients)
    names = opts.clients or CLIENTS
    roots = project_roots(names, opts.project_dir)
    states = [st for st in read_states(names, opts, roots) if requested or _present(st)]
    opts = with_configured_base_url(opts, states)
    opts = keyshell.with_kept_key(opts)  # the kept key file when the variable is unset
    checks, proxy = env_checks(opts)
    checks = keyshell.environment(checks, opts)
    running = opts.with_clients and not opts.offline  # configured clients run themselves
    pacer: Pacer | None = None

    def start_binaries() -> dict[str, Bounded[Check]]:
        """The binary checks (local, but `--version` may be slow): started, collected later."""
        out: dict[str, Bounded[Check]] = {}
        for st in states:
            # `--version` only for a client doctor judges: a configured one whose own run does
            # not prove more, or one asked for with --client. An installed client that is not
            # set up for AIGate is only found on PATH (its version says nothing about AIGate).
            version = (st.configured or requested) and not (running and st.configured)
            check = partial(binary_check, st.name, st.configured, requested, version)
            limit = check_timeout() + 2.0
            if pacer is not None and version:
                out[st.name] = pacer.start(check, limit, VERSION_SECONDS)
            else:
                out[st.name] = Bounded(check, limit)
        return out

    # The client runs start the moment the key and the gateway checks passed (the rest of the
    # report is built while they run), the other clients' `--version` after them. On an
    # otherwise idle machine these heavy starts take turns on the CPU, the slowest first (see
    # Pacer); else, and without --with-clients, they all start at once.
    binaries = None if running else start_binaries()
    diagnosis = _diagnose(opts, proxy, timeout)
    skip = _skip_reason(opts, diagnosis, checks)
    if running:
        pacer = pacer_for(watch)
    runs = start_runs(states, opts, skip, pacer)
    if binaries is None:
        binaries = start_binaries()
    checks += _gateway_checks(states, opts, diagnosis)
    probes = probe_checks(states, opts, skip, max(timeout * 4, timeout))
    for st in states:
        task = runs.get(st.name)
        checks += _client(st, opts, requested, binaries[st.name], probes, task, skip)
    checks += server_checks(states, opts, checks)
    key = opts.common.key()
    checks = [parts.masked(c, key) for c in checks]
    catalog = diagnosis.catalog if diagnosis is not None else None
    common = opts.common
    return DoctorResult(checks, states, catalog, common.base_url, common.base_url_origin, roots)


def _present(st: ClientState) -> bool:
    """The client has a config file or is installed: else doctor has nothing to say about it."""
    import shutil

    from aigate_setup.clients import get

    return bool(st.configured or st.referenced or st.files) or bool(
        shutil.which(get(st.name).BINARY)
    )


def _diagnose(opts: DoctorOptions, proxy: ProxyInfo | None, timeout: float) -> Diagnosis | None:
    """The network diagnosis (None with --offline)."""
    from aigate_setup.gateway.diagnose import diagnose

    if opts.offline:
        return None
    key = (opts.common.key() or "").strip() or None
    return diagnose(opts.common.base_url, key, opts.common.key_env, proxy, timeout)


def _gateway_checks(
    states: Sequence[ClientState], opts: DoctorOptions, diagnosis: Diagnosis | None
) -> list[Check]:
    from aigate_setup.doctor.clients import models_known_checks
    from aigate_setup.gateway.diagnose import offline

    if diagnosis is None:
        return offline()
    if diagnosis.catalog is None:
        cid, title = MODELS_KNOWN
        skipped = Check(cid, "skip", title, "no catalog (see gateway.models)")
        return [*diagnosis.checks, skipped]
    return [*diagnosis.checks, *models_known_checks(states, opts, diagnosis.catalog)]


def _skip_reason(
    opts: DoctorOptions, diagnosis: Diagnosis | None, checks: Sequence[Check]
) -> str | None:
    """Why the live probes and client runs are pointless, or None when they can run."""
    from aigate_setup.gateway.diagnose import OFFLINE

    if opts.offline or diagnosis is None:
        return OFFLINE
    if not opts.common.key():
        return f"no key in {opts.common.key_env} (see env.key)"
    bad = next((c.id for c in checks if c.id.startswith("env.key") and c.status == "fail"), None)
    if bad is not None:
        return f"the key cannot be used as it is (see {bad})"
    if not diagnosis.reachable:
        return "the gateway is not reachable (see the gateway checks)"
    if diagnosis.key_rejected:
        return "the key was rejected (see gateway.key)"
    return None


def _client(
    st: ClientState,
    opts: DoctorOptions,
    requested: bool,
    binary: Bounded[Check],
    probes: Sequence[Check],
    run: Bounded[Check] | None,
    skip: str | None,
) -> list[Check]:
    """One client's checks in report order."""
    from aigate_setup.clients import get
    from aigate_setup.doctor.clients import client_checks, rule_checks
    from aigate_setup.doctor.runs import run_result

    out: list[Check] = []
    try:
        out.append(binary.result())
    except Exception as exc:
        module = get(st.name)
        title, detail = f"{module.BINARY} installed", f"cannot check: {exc}"
        out.append(Check(f"{st.name}.binary", "warn", title, detail, module.INSTALL_HINT, st.name))
    per = client_checks(st, opts, requested)
    if st.files and (st.configured or requested or any(c.status != "skip" for c in per)):
        base_id = f"{st.name}.base_url"
        base_failed = any(c.id == base_id and c.status == "fail" for c in per)
        rules = rule_checks(st, opts, base_failed)
        if rules.on_base_url:  # one URL, one problem: the rule's words go to <client>.base_url
            extra = "; ".join(rules.on_base_url)
            per = [
                c._replace(detail=f"{c.detail} ({extra})") if c.id == base_id else c for c in per
            ]
        per += rules.checks
    out += per
    from aigate_setup.doctor.effective import effective_check

    effective = effective_check(st.name, opts)
    if any(c.id == f"{st.name}.base_url" and c.status == "fail" for c in per):
        # one URL, one problem: the wrong AIGate URL is already <client>.base_url's failure
        effective = [c for c in effective if c.status != "fail"]
    out += effective
    out += [p for p in probes if p.client == st.name]
    out += run_result(st, opts, run, skip)
    return out
