"""Doctor's per-client checks: the config files, each client module's own checks (through the
registry), the binary, the shared static rules (the ones `check` runs, so both commands agree),
the configured models against the live catalog, and the live "Say OK." probes."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aigate_setup import paths
from aigate_setup.errors import GatewayError
from aigate_setup.findings import Check, CheckStatus, Finding
from aigate_setup.gateway.diagnose import Bounded
from aigate_setup.sanitize import one_line
from aigate_setup.secrets import scrub

if TYPE_CHECKING:
    from aigate_setup.catalog import Catalog
    from aigate_setup.clients.base import ClientState, ConfigFile
    from aigate_setup.gateway import Probe, SmokeResult
    from aigate_setup.options import DoctorOptions
    from aigate_setup.rules import FileKind, Rule, RuleContext
    from aigate_setup.rules.registry import UrlRef

# Rule findings already reported by a sharper doctor check (so they are not shown twice).
# AIG015 (another host than the gateway): <client>.base_url compares the AIGate entry's URL with
# the gateway doctor checks; every other provider may point wherever the user wants.
COVERED_RULES = {"AIG001": "<client>.config", "AIG041": "claude.slots", "AIG015": "base_url"}
# A label of the AIGate provider's URL: `[model_providers.aigate] base_url`,
# `provider.aigate.options.baseURL`.
_AIGATE_LABEL = re.compile(r"(?:^|[.\[])aigate(?:[.\]]|$)")
# The rules that need the live catalog (gateway.models_known).
CATALOG_RULES = ("AIG050", "AIG051")


def _loc(path: str, line: int | None = None, column: int | None = None) -> str:
    loc = paths.display(path)
    if line is not None:
        loc += f":{line}"
        if column is not None:
            loc += f":{column}"
    return loc


def read_states(
    names: Sequence[str], opts: DoctorOptions, roots: Mapping[str, Path | None] | None = None
) -> list[ClientState]:
    """Every client's effective settings, read by its own module from its project directory
    (`doctor.project`; the directory doctor runs in when there is none)."""
    from aigate_setup.clients import get

    roots = roots or {}
    return [get(name).read_state(roots.get(name) or opts.project_dir) for name in names]


def config_checks(st: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    """<client>.config: which files were read, and every one that cannot be used."""
    from aigate_setup.clients import get

    c, title = st.name, "Config files"
    out: list[Check] = []
    if not st.files:
        first = get(c).config_paths(opts.project_dir)[0][0]
        status: CheckStatus = "fail" if requested else "skip"
        detail = f"no config file found (e.g. {paths.display(first)})"
        out.append(
            Check(f"{c}.config", status, title, detail, f"aigate-setup init --client {c}", c)
        )
    for err in st.problems:
        detail = f"{_loc(str(err.path), err.line, err.column)}: {err.message}"
        out.append(Check(f"{c}.config", "fail", title, detail, err.hint or "fix the file there", c))
    if st.files and not st.problems:
        shown = ", ".join(paths.display(f.path) for f in st.files)
        out.append(Check(f"{c}.config", "pass", title, f"read {shown}", "", c))
    return out


def client_checks(st: ClientState, opts: DoctorOptions, requested: bool) -> list[Check]:
    """The config checks, then the client module's own (provider, base URL, key, ...)."""
    from aigate_setup.clients import get

    out = config_checks(st, opts, requested)
    if st.configured or st.files or requested:
        out += get(st.name).doctor_checks(st, opts, requested)
    return out


def binary_check(client: str, configured: bool, requested: bool, version: bool = True) -> Check:
    """<client>.binary: on PATH, and `--version` answers (not asked when `version` is False:
    the client's own run proves more, and a second heavy start would only slow it down)."""
    from aigate_setup.clients import get
    from aigate_setup.doctor import check_timeout
    from aigate_setup.doctor.runs import run_command

    module = get(client)
    name, install = module.BINARY, module.INSTALL_HINT
    title = f"{name} installed"
    found = shutil.which(name)
    if found is None:
        status: CheckStatus = "warn" if (configured or requested) else "skip"
        return Check(f"{client}.binary", status, title, f"{name} is not on PATH", install, client)
    shown = paths.display(found)
    if not version:
        detail = f"{shown} (its version: see the one-shot run)" if configured else shown
        return Check(f"{client}.binary", "pass", title, detail, "", client)
    try:
        code, out, err = run_command([found, "--version"], timeout=check_timeout())
    except OSError as exc:
        detail = f"{shown} cannot be run: {exc.strerror or exc}"
        return Check(f"{client}.binary", "warn", title, detail, install, client)
    if code is None:
        detail = f"{shown}: `{name} --version` did not answer within {check_timeout():g}s"
        return Check(f"{client}.binary", "warn", title, detail, install, client)
    if code != 0:
        detail = f"{shown}: `{name} --version` exited with {code}"
        return Check(f"{client}.binary", "warn", title, detail, install, client)
    text = (out.strip() or err.strip()).splitlines()
    said = one_line(text[0], 80) if text else "version unknown"
    return Check(f"{client}.binary", "pass", title, f"{shown} ({said})", "", client)


def _readable(files: Sequence[ConfigFile]) -> list[tuple[ConfigFile, str, FileKind]]:
    """The usable files with their text and rule kind (the kinds `rules.validate_text` knows)."""
    from aigate_setup.rules import FILE_KINDS

    kinds: dict[str, FileKind] = {k: k for k in FILE_KINDS}
    out: list[tuple[ConfigFile, str, FileKind]] = []
    for f in files:
        kind = kinds.get(f.kind)
        if f.error is None and f.text is not None and kind is not None:
            out.append((f, f.text, kind))
    return out


def _context(opts: DoctorOptions, catalog: Catalog | None) -> RuleContext:
    from aigate_setup.rules import RuleContext

    host = urlsplit(opts.common.base_url).hostname
    return RuleContext(gateway_host=host, catalog=catalog, key_env=opts.common.key_env)


def _finding_check(cid: str, finding: Finding, rules: dict[str, Rule], client: str) -> Check:
    rule = rules.get(finding.rule)
    title = f"{finding.rule} {rule.title}" if rule is not None else finding.rule
    status: CheckStatus = "fail" if finding.severity == "error" else "warn"
    detail = f"{_loc(finding.path, finding.line, finding.column)}: {finding.message}"
    return Check(cid, status, title, detail, finding.hint, client)


def _url_refs(f: ConfigFile, text: str, kind: FileKind, ctx: RuleContext) -> list[UrlRef]:
    from aigate_setup.rules.engine import readers
    from aigate_setup.rules.source import Source

    return Source(str(f.path), text.lstrip("\ufeff"), kind, ctx, readers()[kind]).urls


def _is_aigate(ref: UrlRef, ctx: RuleContext) -> bool:
    """The URL belongs to AIGate: the aigate provider's, one on the gateway's host, or Claude
    Code's one gateway URL (root style)."""
    from aigate_setup.rules.urls import is_aigate_url

    return (
        ref.style == "root"
        or bool(_AIGATE_LABEL.search(ref.label))
        or is_aigate_url(ref.value, ctx)
    )


def _is_base_url(st: ClientState, f: ConfigFile, ref: UrlRef) -> bool:
    """`ref` is the URL that <client>.base_url judged."""
    base = st.base_url
    return base is not None and base.origin.path == f.path and ref.value == base.value


@dataclass
class RuleChecks:
    checks: list[Check]
    # URL findings about the URL that <client>.base_url already failed (shown there, once).
    on_base_url: list[str]


def rule_checks(st: ClientState, opts: DoctorOptions, base_failed: bool = False) -> RuleChecks:
    """Every finding of the shared rules (as `check` reports them) as a check of its own; the
    URL rules judge only AIGate's URLs (a second provider is the user's business)."""
    from aigate_setup.rules import RULES, validate_text
    from aigate_setup.rules.urls import RULES as URL_RULES

    url_rules = {r.id for r in URL_RULES}
    ctx = _context(opts, None)
    c = st.name
    out = RuleChecks([], [])
    files = _readable(st.files)
    for f, text, kind in files:
        refs = {(r.line, r.column): r for r in _url_refs(f, text, kind, ctx)}
        for finding in validate_text(f.path, text, kind, ctx):
            if finding.rule in COVERED_RULES:
                continue
            ref = refs.get((finding.line, finding.column))
            if finding.rule in url_rules and ref is not None:
                if not _is_aigate(ref, ctx):
                    continue
                if base_failed and _is_base_url(st, f, ref):
                    rule = RULES.get(finding.rule)
                    out.on_base_url.append(f"{finding.rule} {rule.title if rule else ''}".strip())
                    continue
            out.checks.append(_finding_check(f"{c}.rules.{finding.rule}", finding, RULES, c))
    if files and not out.checks and not out.on_base_url:
        detail = f"no findings in {len(files)} file{'s' if len(files) != 1 else ''}"
        title = "Static rules (same as `aigate-setup check`)"
        out.checks.append(Check(f"{c}.rules", "pass", title, detail, "", c))
    return out


def models_known_checks(
    states: Sequence[ClientState], opts: DoctorOptions, cat: Catalog
) -> list[Check]:
    """gateway.models_known: AIG050/AIG051 of the shared rules, run with the live catalog."""
    from aigate_setup.rules import RULES, validate_text

    title = "Configured models in the catalog"
    configured = [st for st in states if st.configured]
    ids = list(dict.fromkeys(m for st in configured for m in st.models))
    if not configured or not ids:
        return [Check("gateway.models_known", "skip", title, "no AIGate models configured")]
    ctx = _context(opts, cat)
    out: list[Check] = []
    for st in configured:
        for f, text, kind in _readable(st.files):
            for finding in validate_text(f.path, text, kind, ctx):
                if finding.rule in CATALOG_RULES:
                    chk = _finding_check("gateway.models_known", finding, RULES, st.name)
                    out.append(chk._replace(title=title, client=None))
    if not out:
        shown = ", ".join(ids[:4]) + (f" (+{len(ids) - 4} more)" if len(ids) > 4 else "")
        detail = f"{len(ids)} configured, all known and usable: {shown}"
        out.append(Check("gateway.models_known", "pass", title, detail))
    return out


# --------------------------------------------------------------------------- live probes

PROBE_TITLE = 'Live "Say OK." probe'


def probe_checks(
    states: Sequence[ClientState], opts: DoctorOptions, skip_reason: str | None, timeout: float
) -> list[Check]:
    """<client>.probe: one "Say OK." per configured client, on its own route, concurrently."""
    from aigate_setup import gateway

    out: list[Check] = []
    tasks: list[tuple[ClientState, Probe, Bounded[list[SmokeResult]]]] = []
    key = (opts.common.key() or "").strip()
    for st in states:
        if not st.configured:
            continue
        if skip_reason:
            out.append(Check(f"{st.name}.probe", "skip", PROBE_TITLE, skip_reason, "", st.name))
            continue
        if not st.model:
            hint = f"aigate-setup init --client {st.name}"
            detail = "no AIGate model configured"
            out.append(Check(f"{st.name}.probe", "skip", PROBE_TITLE, detail, hint, st.name))
            continue
        probe = gateway.probe_for(st.name, st.model)

        def run(p: Probe = probe) -> list[SmokeResult]:
            return gateway.smoke_test(
                opts.common.base_url,
                key,
                [p],
                timeout=timeout,
                retries=1,
                key_env=opts.common.key_env,
            )

        # One retry with backoff (capped at 10 s by the gateway code) on top of two attempts.
        tasks.append((st, probe, Bounded(run, timeout * 2 + 12.0)))
    for st, probe, task in tasks:
        out.append(_probe_result(st, probe, task, opts, key))
    return out


def _probe_result(
    st: ClientState,
    probe: Probe,
    task: Bounded[list[SmokeResult]],
    opts: DoctorOptions,
    key: str,
) -> Check:
    from aigate_setup import gateway

    cid = f"{st.name}.probe"
    path = urlsplit(gateway.probe_url(opts.common.base_url, probe.route)).path
    try:
        (res,) = task.result()
    except TimeoutError:
        detail = f"{probe.model} on {path}: no answer within {task.limit:g}s"
        hint = "the gateway hangs on this route: retry later"
        return Check(cid, "fail", PROBE_TITLE, detail, hint, st.name)
    except GatewayError as exc:
        return Check(cid, "fail", PROBE_TITLE, scrub(exc.message, key), exc.hint or "", st.name)
    if res.ok:
        detail = f'{res.model} on {res.route}: "{one_line(res.message, 60)}" in {res.ms} ms'
        return Check(cid, "pass", PROBE_TITLE, detail, "", st.name)
    detail = f"{res.model} on {res.route}: {res.message}"
    return Check(cid, "fail", PROBE_TITLE, detail, res.hint, st.name)
