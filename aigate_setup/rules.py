"""Static rules for checked-in agent configs, shared by `check` and `doctor`.

`validate_text` is pure: text in, findings out. Rule ids are stable (README lists them).
Secrets are never echoed in full: every message that mentions one goes through `mask_key`.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from aigate_setup.catalog import Catalog
from aigate_setup.errors import ParseError
from aigate_setup.findings import Finding, Severity
from aigate_setup.merge import jsonc
from aigate_setup.merge.tomlread import parse_toml
from aigate_setup.options import is_loopback
from aigate_setup.secrets import mask_key

FileKind = Literal[
    "codex-user",
    "codex-project",
    "opencode",
    "kilo-user",
    "kilo-project",
    "claude-settings",
    "claude-sh",
    "claude-ps1",
]
FILE_KINDS: tuple[FileKind, ...] = get_args(FileKind)

# The managed block markers of merge/block.py (fixed in INTERFACES.md).
BLOCK_BEGIN = "# >>> aigate-setup >>>"
BLOCK_END = "# <<< aigate-setup <<<"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    hint: str
    name: str = ""  # a short kebab-case name (SARIF `name`)


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


RULES: dict[str, Rule] = _rules(
    Rule("AIG001", "error", "File cannot be parsed",
         "fix the syntax at the reported line and column", "parse-error"),
    Rule("AIG002", "error", "Literal API key in a file",
         "remove the key and reference the variable instead ($AIGATE_API_KEY, {env:AIGATE_API_KEY}, env_key); rotate the key", "literal-secret"),
    Rule("AIG003", "error", "Provider apiKey is not an {env:...} reference",
         'set "apiKey": "{env:AIGATE_API_KEY}"', "literal-api-key"),
    Rule("AIG004", "error", "Codex experimental_bearer_token holds a literal token",
         'remove experimental_bearer_token and set env_key = "AIGATE_API_KEY"', "codex-bearer-token"),
    Rule("AIG005", "error", "Anthropic credential in a Claude settings file",
         "remove it from settings.json env; export ANTHROPIC_AUTH_TOKEN from $AIGATE_API_KEY (source .aigate/aigate-claude.sh)", "claude-settings-token"),
    Rule("AIG006", "error", "Claude script exports a literal token",
         'export ANTHROPIC_AUTH_TOKEN="$AIGATE_API_KEY" (rerun `aigate-setup init --client claude`)', "script-literal-token"),
    Rule("AIG010", "error", "Base URL is a full endpoint URL",
         "use the base URL, e.g. https://api.aigate.shop/v1; clients append the route themselves", "endpoint-url"),
    Rule("AIG011", "error", "Base URL contains /v1/v1",
         "use https://api.aigate.shop/v1 (once)", "double-v1"),
    Rule("AIG012", "warning", "OpenAI-style base URL without /v1",
         "end the base URL in /v1, e.g. https://api.aigate.shop/v1", "missing-v1"),
    Rule("AIG013", "error", "Claude ANTHROPIC_BASE_URL ends in /v1",
         "use the gateway root, e.g. https://api.aigate.shop (Claude Code appends /v1/messages)", "claude-base-v1"),
    Rule("AIG014", "error", "Plain http to a non-loopback host",
         "use https:// (http is only fine for 127.0.0.1/localhost)", "insecure-http"),
    Rule("AIG015", "error", "Base URL points at another host than the gateway",
         "use the gateway host given with --gateway-host", "foreign-host"),
    Rule("AIG016", "error", "Base URL is not an http(s) URL",
         "use a full URL such as https://api.aigate.shop/v1", "invalid-url"),
    Rule("AIG020", "error", "Codex wire_api is not \"responses\"",
         'set wire_api = "responses" (Codex 0.169 refuses "chat")', "codex-wire-api"),
    Rule("AIG021", "error", "Codex legacy profile / [profiles.*]",
         "move each profile to $CODEX_HOME/<name>.config.toml and delete the root `profile` key (errors since Codex 0.134)", "codex-profiles"),
    Rule("AIG022", "error", "Codex reserved provider id redefined",
         "rename the provider, e.g. [model_providers.aigate] (openai, ollama, lmstudio are built in)", "codex-reserved-provider"),
    Rule("AIG023", "warning", "Provider keys in a project .codex/config.toml",
         "move model_provider/model_providers to ~/.codex/config.toml (`aigate-setup init --client codex`); Codex ignores them in a project file", "codex-project-provider"),
    Rule("AIG024", "error", "Codex provider without env_key",
         'add env_key = "AIGATE_API_KEY" to the provider', "codex-env-key-missing"),
    Rule("AIG025", "warning", "Codex model_provider names an undefined provider",
         "define [model_providers.<id>] or fix model_provider", "codex-undefined-provider"),
    Rule("AIG030", "error", "Root model is not declared under its provider",
         'declare it under provider.<id>.models, e.g. "models": {"openai/gpt-5.5": {}}', "model-not-declared"),
    Rule("AIG031", "error", "Model reference is not provider/model",
         'write it as "<provider>/<model id>", e.g. "aigate/openai/gpt-5.5"', "model-ref-format"),
    Rule("AIG032", "error", "limit sets only one of context/output",
         'set both, e.g. "limit": {"context": 200000, "output": 32000}', "limit-incomplete"),
    Rule("AIG033", "error", "Misspelled root key (silently ignored)",
         "rename the key as suggested", "misspelled-root-key"),
    Rule("AIG034", "warning", "Unknown root key",
         "check the spelling against the client's config schema", "unknown-root-key"),
    Rule("AIG035", "error", "{env:}/{file:} in a Kilo project file",
         "keep the provider (with {env:...}) in ~/.config/kilo/kilo.jsonc; Kilo refuses substitutions in project files (`aigate-setup init --client kilo --scope project`)", "kilo-project-substitution"),
    Rule("AIG036", "warning", "Built-in kilo provider still enabled",
         'remove "kilo" from enabled_providers, e.g. "enabled_providers": ["aigate"]', "kilo-builtin-enabled"),
    Rule("AIG040", "error", "Both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN are set",
         "keep only ANTHROPIC_AUTH_TOKEN (Bearer; no approval prompt)", "claude-both-credentials"),
    Rule("AIG041", "warning", "Claude model slots not set",
         "set ANTHROPIC_MODEL and ANTHROPIC_DEFAULT_{OPUS,SONNET,HAIKU}_MODEL (`aigate-setup init --client claude`)", "claude-missing-slots"),
    Rule("AIG050", "error", "Model id unknown to the catalog",
         "use an exact id from `aigate-setup models`", "unknown-model"),
    Rule("AIG051", "warning", "Model not usable by this client",
         "pick a model listed by `aigate-setup models --client <client>`", "model-not-usable"),
)  # fmt: skip


@dataclass(frozen=True)
class RuleContext:
    gateway_host: str | None = None
    catalog: Catalog | None = None
    key_env: str = "AIGATE_API_KEY"


# --- known keys --------------------------------------------------------------------------

# Top-level keys of the OpenCode config schema (packages/opencode/src/config/config.ts, `Info`).
OPENCODE_ROOT_KEYS = frozenset(
    {
        "$schema", "theme", "keybinds", "logLevel", "tui", "server", "command", "skills",
        "watcher", "plugin", "snapshot", "share", "autoshare", "autoupdate",
        "disabled_providers", "enabled_providers", "model", "small_model", "default_agent",
        "username", "mode", "agent", "provider", "mcp", "formatter", "lsp", "instructions",
        "layout", "permission", "tools", "enterprise", "compaction", "experimental",
    }
)  # fmt: skip
# Kilo (an OpenCode fork) accepts the same keys; these are Kilo's own additions we know of.
KILO_ROOT_KEYS = OPENCODE_ROOT_KEYS | frozenset({"fallbacks", "indexing", "remote_control"})
# Keys people write that the clients silently ignore, with the key they meant.
ROOT_KEY_TYPOS: dict[str, str] = {
    "providers": "provider",
    "models": "provider.<id>.models",
    "mcpServers": "mcp",
    "mcp_servers": "mcp",
    "mcpservers": "mcp",
    "agents": "agent",
    "commands": "command",
    "plugins": "plugin",
    "permissions": "permission",
    "instruction": "instructions",
    "smallModel": "small_model",
    "small-model": "small_model",
    "defaultModel": "model",
    "default_model": "model",
    "baseURL": "provider.<id>.options.baseURL",
    "apiKey": "provider.<id>.options.apiKey",
    "enabledProviders": "enabled_providers",
    "disabledProviders": "disabled_providers",
}
CODEX_RESERVED_PROVIDERS = frozenset({"openai", "ollama", "lmstudio"})
CODEX_BUILTIN_PROVIDERS = CODEX_RESERVED_PROVIDERS | {"oss"}
CLAUDE_SLOTS = (
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
)
CLAUDE_MODEL_VARS = (*CLAUDE_SLOTS, "ANTHROPIC_SMALL_FAST_MODEL")
CLAUDE_CREDENTIALS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")

_SECRET_RE = re.compile(r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9][A-Za-z0-9_-]{15,}")
_SUBST_RE = re.compile(r"\{(env|file):[^}]*\}")
_REF_RE = re.compile(r"^\{(env|file):[^}]+\}$")
_IGNORE_RE = re.compile(r"(?:#|//)[^\n]*?aigate:\s*ignore(?:\[([^\]]*)\])?")
_ENDPOINTS = ("/chat/completions", "/completions", "/responses", "/messages", "/embeddings")


def looks_like_secret(value: str) -> bool:
    """An `sk-`-style key (placeholders without digits such as sk-xxxxxxxx... don't count)."""
    m = _SECRET_RE.search(value)
    return bool(m and any(ch.isdigit() for ch in m.group(0)))


def client_for(kind: FileKind) -> str:
    return kind.split("-")[0]


# --- the collector -----------------------------------------------------------------------


@dataclass
class _Ctx:
    path: str
    text: str
    kind: FileKind
    rc: RuleContext
    findings: list[Finding] = field(default_factory=list)
    secret_lines: set[int] = field(default_factory=set)

    def add(
        self,
        rule_id: str,
        line: int | None,
        column: int | None,
        message: str,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        rule = RULES[rule_id]
        self.findings.append(
            Finding(
                path=self.path,
                line=line,
                column=column,
                rule=rule_id,
                severity=severity or rule.severity,
                message=message,
                hint=rule.hint if hint is None else hint,
            )
        )
        if rule_id in ("AIG002", "AIG003", "AIG004", "AIG005", "AIG006") and line is not None:
            self.secret_lines.add(line)


def validate_text(path: Path, text: str, kind: FileKind, ctx: RuleContext) -> list[Finding]:
    """Every finding for one file's text. Pure: no I/O, no network."""
    c = _Ctx(path=str(path), text=text.lstrip("\ufeff"), kind=kind, rc=ctx)
    if kind in ("codex-user", "codex-project"):
        _check_codex(c)
    elif kind in ("opencode", "kilo-user", "kilo-project"):
        _check_opencode(c)
    elif kind == "claude-settings":
        _check_claude_settings(c)
    else:
        _check_claude_script(c)
    _scan_secrets(c)
    findings = _apply_inline_ignores(c.text, c.findings)
    return sorted(findings, key=lambda f: (f.line or 0, f.column or 0, f.rule, f.message))


def _apply_inline_ignores(text: str, findings: list[Finding]) -> list[Finding]:
    if "aigate:" not in text:
        return findings
    lines = text.splitlines()
    ignored: dict[int, set[str] | None] = {}
    for i, line in enumerate(lines, 1):
        m = _IGNORE_RE.search(line)
        if m:
            ids = m.group(1)
            ignored[i] = None if ids is None else {x.strip().upper() for x in ids.split(",")}
    if not ignored:
        return findings
    kept = []
    for f in findings:
        if f.line is not None and f.line in ignored:
            ids = ignored[f.line]
            if ids is None or f.rule in ids:
                continue
        kept.append(f)
    return kept


def _scan_secrets(c: _Ctx) -> None:
    """AIG002: an sk-style key anywhere (comments included), unless a sharper rule said so."""
    if "sk-" not in c.text:
        return
    for i, line in enumerate(c.text.splitlines(), 1):
        if "sk-" not in line or i in c.secret_lines:
            continue
        for m in _SECRET_RE.finditer(line):
            if any(ch.isdigit() for ch in m.group(0)):
                c.add("AIG002", i, m.start() + 1, f"literal API key {mask_key(m.group(0))}")
                break


# --- URLs and models ---------------------------------------------------------------------


def _is_aigate_url(url: str, rc: RuleContext) -> bool:
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return False
    if rc.gateway_host and host == _host_only(rc.gateway_host):
        return True
    return host == "aigate.shop" or host.endswith(".aigate.shop")


def _host_only(gateway_host: str) -> str:
    value = gateway_host.strip().lower()
    if "://" in value:
        value = urlsplit(value).hostname or value
    return value.split("/")[0].rsplit(":", 1)[0] if value.count(":") == 1 else value


def _check_url(
    c: _Ctx, url: str, line: int | None, col: int | None, label: str, style: str
) -> None:
    """Base URL mistakes. style: "openai" (wants the /v1 base) or "claude" (wants the root)."""
    url = url.strip()
    if not url or "{env:" in url or "{file:" in url or "$" in url:
        return
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("http", "https") or not host:
        c.add("AIG016", line, col, f"{label} {url!r} is not an http(s) URL")
        return
    path = parts.path.rstrip("/")
    lowered = path.lower()
    endpoint = next((e for e in _ENDPOINTS if lowered.endswith(e)), None)
    if re.search(r"/v1/v1(/|$)", lowered):
        fixed = re.sub(r"(/v1)+(?=/|$)", "/v1", path, flags=re.IGNORECASE)
        c.add("AIG011", line, col, f"{label} {url} repeats /v1", _fix_hint(parts, fixed, style))
    elif endpoint:
        base = path[: -len(endpoint)]
        if style == "claude" and base.lower().endswith("/v1"):
            base = base[:-3]
        c.add(
            "AIG010",
            line,
            col,
            f"{label} {url} is a full endpoint URL (the client appends {endpoint} itself)",
            _fix_hint(parts, base, style),
        )
    elif style == "claude" and lowered.endswith("/v1"):
        c.add(
            "AIG013",
            line,
            col,
            f"{label} {url} ends in /v1; Claude Code would call /v1/v1/messages",
            _fix_hint(parts, path[:-3], style),
        )
    elif style == "openai" and not re.search(r"/v\d", lowered):
        c.add(
            "AIG012",
            line,
            col,
            f"{label} {url} has no /v1; OpenAI-style clients append /chat/completions or /responses to it",
            _fix_hint(parts, path + "/v1", style),
        )
    if parts.scheme == "http" and not is_loopback(host):
        c.add(
            "AIG014",
            line,
            col,
            f"{label} {url} uses plain http to {host}; the key would travel unencrypted",
        )
    if c.rc.gateway_host:
        want = _host_only(c.rc.gateway_host)
        if host.lower() != want:
            c.add(
                "AIG015",
                line,
                col,
                f"{label} {url} points at {host}, not the gateway {want}",
                f"use the {want} base URL",
            )


def _fix_hint(parts: Any, path: str, style: str) -> str:
    fixed = f"{parts.scheme}://{parts.netloc}{path}"
    what = "the gateway root" if style == "claude" else "the base URL"
    return f"use {what} {fixed}"


def _check_model(c: _Ctx, model_id: str, line: int | None, col: int | None, label: str) -> None:
    catalog = c.rc.catalog
    if catalog is None or not model_id or "$" in model_id or "{" in model_id:
        return
    client = client_for(c.kind)
    model = catalog.get(model_id)
    if model is None:
        from aigate_setup.catalog import suggest

        close = suggest(catalog, model_id, 3)
        hint = RULES["AIG050"].hint
        if close:
            hint = "did you mean " + ", ".join(close) + "? (`aigate-setup models` lists every id)"
        c.add("AIG050", line, col, f"{label} {model_id!r} is not in the gateway catalog", hint)
    elif model.kind != "chat":
        c.add(
            "AIG051",
            line,
            col,
            f"{label} {model_id!r} is an {model.kind} model, not a chat model",
            f"pick a chat model from `aigate-setup models --client {client}`",
        )
    elif model.clients and client not in model.clients:
        reason = model.unusable.get(client)
        c.add(
            "AIG051",
            line,
            col,
            f"{label} {model_id!r} cannot be used by {client}" + (f": {reason}" if reason else ""),
            f"pick a model listed by `aigate-setup models --client {client}`",
        )


# --- Codex (TOML) ------------------------------------------------------------------------

_TOML_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_TOML_DOTTED = re.compile(rf"\s*({_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*)\s*")
_TOML_PART = re.compile(_TOML_KEY)


def _toml_split(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _TOML_PART.findall(dotted))


class _TomlIndex:
    """Where each key and table starts: tomlkit gives no positions, so scan the lines once."""

    def __init__(self, text: str) -> None:
        self.pos: dict[
            tuple[str, ...], tuple[int, int, int]
        ] = {}  # path -> line, key col, value col
        table: tuple[str, ...] = ()
        in_multiline: str | None = None
        for i, line in enumerate(text.splitlines(), 1):
            if in_multiline:
                if in_multiline in line:
                    in_multiline = None
                continue
            stripped = line.lstrip()
            indent = len(line) - len(stripped)
            if not stripped or stripped.startswith("#"):
                continue
            if stripped.startswith("["):
                m = re.match(r"\[\[?\s*(.*?)\s*\]\]?", stripped)
                if m:
                    table = _toml_split(m.group(1))
                    self.pos.setdefault(table, (i, indent + 1, indent + 1))
                continue
            m = _TOML_DOTTED.match(line)
            if not m or line[m.end() : m.end() + 1] != "=":
                continue
            key_path = table + _toml_split(m.group(1))
            value_col = m.end() + 1
            while value_col < len(line) and line[value_col] in " \t":
                value_col += 1
            self.pos.setdefault(key_path, (i, m.start(1) + 1, value_col + 1))
            rest = line[value_col:]
            for quote in ('"""', "'''"):
                if rest.startswith(quote) and rest.count(quote) == 1:
                    in_multiline = quote
            if rest.startswith("{"):  # an inline table: index its direct keys on this line
                for km in re.finditer(rf"[{{,]\s*({_TOML_KEY})\s*=\s*", rest):
                    sub = key_path + _toml_split(km.group(1))
                    self.pos.setdefault(
                        sub, (i, value_col + km.start(1) + 1, value_col + km.end() + 1)
                    )

    def key(self, path: tuple[str, ...]) -> tuple[int | None, int | None]:
        found = self._find(path)
        return (found[0], found[1]) if found else (None, None)

    def value(self, path: tuple[str, ...]) -> tuple[int | None, int | None]:
        found = self._find(path)
        return (found[0], found[2]) if found else (None, None)

    def _find(self, path: tuple[str, ...]) -> tuple[int, int, int] | None:
        if path in self.pos:
            return self.pos[path]
        # a table only written as [path.child] headers or dotted keys: its first child
        n = len(path)
        children = [v for k, v in self.pos.items() if k[:n] == path]
        if children:
            return min(children)
        for n in range(len(path) - 1, 0, -1):
            if path[:n] in self.pos:
                return self.pos[path[:n]]
        return None


def _check_codex(c: _Ctx) -> None:
    try:
        data = parse_toml(c.text)
    except ParseError as exc:
        c.add("AIG001", exc.line, exc.column, f"invalid TOML: {exc.message}")
        return
    idx = _TomlIndex(c.text)
    project = c.kind == "codex-project"

    if "profile" in data:
        line, col = idx.key(("profile",))
        c.add("AIG021", line, col, "root `profile` key is an error since Codex 0.134")
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        if profiles:
            for name in profiles:
                line, col = idx.key(("profiles", name))
                c.add("AIG021", line, col, f"[profiles.{name}] is an error since Codex 0.134")
        else:
            line, col = idx.key(("profiles",))
            c.add("AIG021", line, col, "[profiles] is an error since Codex 0.134")

    if project:
        for key in ("model_provider", "model_providers"):
            if key in data:
                line, col = idx.key((key,))
                c.add(
                    "AIG023",
                    line,
                    col,
                    f"`{key}` in a project .codex/config.toml is ignored by Codex",
                )

    providers = data.get("model_providers")
    providers = providers if isinstance(providers, dict) else {}
    for pid, prov in providers.items():
        if not isinstance(prov, dict):
            continue
        base = ("model_providers", pid)
        if pid in CODEX_RESERVED_PROVIDERS:
            line, col = idx.key(base)
            c.add(
                "AIG022",
                line,
                col,
                f"provider id {pid!r} is reserved by Codex and cannot be redefined",
            )
        wire = prov.get("wire_api")
        if wire is not None and wire != "responses":
            line, col = idx.value((*base, "wire_api"))
            c.add(
                "AIG020",
                line,
                col,
                f'[model_providers.{pid}] wire_api = {wire!r}; Codex 0.169 only loads "responses"',
            )
        token = prov.get("experimental_bearer_token")
        if isinstance(token, str) and token:
            line, col = idx.value((*base, "experimental_bearer_token"))
            c.add(
                "AIG004",
                line,
                col,
                f"[model_providers.{pid}] experimental_bearer_token holds a literal token {mask_key(token)}",
            )
        url = prov.get("base_url")
        if isinstance(url, str):
            line, col = idx.value((*base, "base_url"))
            _check_url(c, url, line, col, f"[model_providers.{pid}] base_url", "openai")
        loopback = isinstance(url, str) and is_loopback(urlsplit(url).hostname or "")
        if (
            not prov.get("env_key")
            and not token
            and not loopback
            and not prov.get("requires_openai_auth")
        ):
            line, col = idx.key(base)
            c.add(
                "AIG024",
                line,
                col,
                f"[model_providers.{pid}] has no env_key, so Codex sends no key",
            )

    chosen = data.get("model_provider")
    if (
        not project
        and isinstance(chosen, str)
        and chosen not in providers
        and chosen not in CODEX_BUILTIN_PROVIDERS
    ):
        line, col = idx.value(("model_provider",))
        c.add(
            "AIG025",
            line,
            col,
            f"model_provider = {chosen!r} but [model_providers.{chosen}] is not defined here",
        )

    model = data.get("model")
    if isinstance(model, str):
        prov = providers.get(chosen) if isinstance(chosen, str) else None
        ours = chosen == "aigate" or (
            isinstance(prov, dict)
            and isinstance(prov.get("base_url"), str)
            and _is_aigate_url(prov["base_url"], c.rc)
        )
        if ours or (project and chosen is None and "/" in model):
            line, col = idx.value(("model",))
            _check_model(c, model, line, col, "model")


# --- OpenCode / Kilo (JSONC) -------------------------------------------------------------


def _parse_json_object(c: _Ctx) -> jsonc.Node | None:
    try:
        root = jsonc.parse(c.text)
    except ParseError as exc:
        c.add("AIG001", exc.line, exc.column, f"invalid JSON: {exc.message}")
        return None
    if root.kind != "object":
        line, col = jsonc.line_col(c.text, root.start)
        c.add("AIG001", line, col, f"the top level must be a JSON object, not {root.kind}")
        return None
    return root


def _members(node: jsonc.Node | None) -> Iterator[jsonc.Member]:
    if node is not None and node.kind == "object":
        yield from node.members


def _member(node: jsonc.Node | None, key: str) -> jsonc.Member | None:
    found = None
    for m in _members(node):
        if m.key == key:
            found = m  # the last duplicate wins, as in JSON.parse
    return found


def _get(node: jsonc.Node | None, *keys: str) -> jsonc.Node | None:
    for key in keys:
        m = _member(node, key)
        if m is None:
            return None
        node = m.value
    return node


def _pos(c: _Ctx, offset: int) -> tuple[int, int]:
    return jsonc.line_col(c.text, offset)


def _string(node: jsonc.Node | None) -> str | None:
    return (
        node.value
        if node is not None and node.kind == "string" and isinstance(node.value, str)
        else None
    )


def _check_opencode(c: _Ctx) -> None:
    kilo = c.kind.startswith("kilo")
    if c.kind == "kilo-project":
        _check_kilo_project_substitutions(c)
    root = _parse_json_object(c)
    if root is None:
        return
    known = KILO_ROOT_KEYS if kilo else OPENCODE_ROOT_KEYS
    client = "Kilo" if kilo else "OpenCode"
    for m in root.members:
        if m.key in known:
            continue
        line, col = _pos(c, m.key_start)
        if m.key in ROOT_KEY_TYPOS:
            meant = ROOT_KEY_TYPOS[m.key]
            c.add(
                "AIG033",
                line,
                col,
                f"root key {m.key!r} is not a setting {client} knows, so it is silently ignored; did you mean {meant!r}?",
                f"rename {m.key!r} to {meant!r}",
            )
        else:
            close = difflib.get_close_matches(m.key, sorted(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else RULES["AIG034"].hint
            c.add("AIG034", line, col, f"unknown root key {m.key!r} for {client}", hint)

    providers = _get(root, "provider")
    ours: set[str] = set()
    for pm in _members(providers):
        pid, prov = pm.key, pm.value
        options = _get(prov, "options")
        key_node = _get(options, "apiKey")
        api_key = _string(key_node)
        if key_node is not None and api_key and not _REF_RE.match(api_key.strip()):
            line, col = _pos(c, key_node.start)
            c.add(
                "AIG003",
                line,
                col,
                f"provider.{pid}.options.apiKey is a literal value {mask_key(api_key)}",
            )
        url_node = _get(options, "baseURL")
        url = _string(url_node)
        if url_node is not None and url is not None:
            line, col = _pos(c, url_node.start)
            _check_url(c, url, line, col, f"provider.{pid}.options.baseURL", "openai")
            if _is_aigate_url(url, c.rc):
                ours.add(pid)
        if pid == "aigate":
            ours.add(pid)
        for mm in _members(_get(prov, "models")):
            limit = _get(mm.value, "limit")
            if limit is not None and limit.kind == "object":
                have = {m.key for m in limit.members}
                if ("context" in have) != ("output" in have):
                    line, col = _pos(c, limit.start)
                    missing = "output" if "context" in have else "context"
                    c.add(
                        "AIG032",
                        line,
                        col,
                        f"provider.{pid}.models[{mm.key!r}].limit has no {missing!r}; {client} rejects the config",
                    )
            if pid in ours:
                line, col = _pos(c, mm.key_start)
                _check_model(c, mm.key, line, col, f"provider.{pid}.models key")

    for key in ("model", "small_model"):
        node = _get(root, key)
        ref = _string(node)
        if node is None or ref is None:
            continue
        line, col = _pos(c, node.start)
        if "/" not in ref or ref.startswith("/") or ref.endswith("/"):
            c.add("AIG031", line, col, f'{key} {ref!r} is not "<provider>/<model>"')
            continue
        pid, model_id = ref.split("/", 1)
        prov_member = _member(providers, pid)
        if prov_member is not None:
            models = _get(prov_member.value, "models")
            custom = _get(prov_member.value, "npm") is not None
            declared = {m.key for m in _members(models)}
            if (models is not None or custom) and model_id not in declared:
                hint = f'add "{model_id}": {{}} under provider.{pid}.models'
                close = difflib.get_close_matches(model_id, sorted(declared), n=1)
                if close:
                    hint += f" (or did you mean {pid}/{close[0]}?)"
                c.add(
                    "AIG030",
                    line,
                    col,
                    f"{key} {ref!r}: {model_id!r} is not declared under provider.{pid}.models",
                    hint,
                )
        if pid in ours or (pid == "aigate" and prov_member is None):
            _check_model(c, model_id, line, col, key)

    enabled = _get(root, "enabled_providers")
    if kilo and enabled is not None and enabled.kind == "array":
        for item in enabled.items:
            if _string(item) == "kilo":
                line, col = _pos(c, item.start)
                c.add(
                    "AIG036",
                    line,
                    col,
                    "the built-in kilo provider is in enabled_providers; it calls Kilo's own service",
                )


def _check_kilo_project_substitutions(c: _Ctx) -> None:
    """Kilo refuses {env:}/{file:} in project files (text-based, like Kilo itself)."""
    if "{env:" not in c.text and "{file:" not in c.text:
        return
    # Kilo also reads a project's opencode.json(c). There the substitution is OpenCode's and
    # legitimate (aigate-setup writes one in project scope): Kilo skips that file, which only
    # matters for other settings in it, so it is a warning. In Kilo's own files it is an error.
    shared = Path(c.path).name.startswith("opencode.")
    for i, line in enumerate(c.text.splitlines(), 1):
        if line.lstrip().startswith("//"):
            continue
        for m in _SUBST_RE.finditer(line):
            if shared:
                c.add(
                    "AIG035",
                    i,
                    m.start() + 1,
                    f"{m.group(0)} in an OpenCode project file that Kilo also reads:"
                    " Kilo skips this file, so its other settings do not apply to Kilo",
                    "keep settings Kilo needs in kilo.jsonc (the provider in"
                    " ~/.config/kilo/kilo.jsonc)",
                    severity="warning",
                )
            else:
                c.add(
                    "AIG035",
                    i,
                    m.start() + 1,
                    f"{m.group(0)} in a Kilo project file: Kilo skips the whole file",
                )


# --- Claude Code -------------------------------------------------------------------------


def _check_claude_settings(c: _Ctx) -> None:
    root = _parse_json_object(c)
    if root is None:
        return
    env = _get(root, "env")
    values: dict[str, tuple[str, int, int]] = {}
    for m in _members(env):
        value = _string(m.value)
        if value is not None:
            line, col = _pos(c, m.value.start)
            values[m.key] = (value, line, col)
    for name in CLAUDE_CREDENTIALS:
        if name in values and values[name][0]:
            value, line, col = values[name]
            c.add(
                "AIG005",
                line,
                col,
                f"env.{name} holds a literal credential {mask_key(value)} in a settings file",
            )
    if all(values.get(n, ("",))[0] for n in CLAUDE_CREDENTIALS):
        _, line, col = values["ANTHROPIC_AUTH_TOKEN"]
        c.add("AIG040", line, col, "env sets both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN")
    base = values.get("ANTHROPIC_BASE_URL")
    if base:
        _check_url(c, base[0], base[1], base[2], "env.ANTHROPIC_BASE_URL", "claude")
        if _is_aigate_url(base[0], c.rc):
            for name in CLAUDE_MODEL_VARS:
                if name in values:
                    _check_model(
                        c, values[name][0], values[name][1], values[name][2], f"env.{name}"
                    )
            model = _get(root, "model")
            model_id = _string(model)
            if model is not None and model_id:
                line, col = _pos(c, model.start)
                _check_model(c, model_id, line, col, "model")


_SH_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_PS_ASSIGN = re.compile(r"^\s*\$env:([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", re.IGNORECASE)
_PS_SETENV = re.compile(
    r"SetEnvironmentVariable\(\s*['\"]([A-Za-z_][A-Za-z0-9_]*)['\"]\s*,\s*(.*)$", re.IGNORECASE
)


@dataclass(frozen=True)
class _Assign:
    name: str
    value: str  # unquoted
    literal: bool  # no variable, command or expression in it
    line: int
    column: int


def script_assignments(text: str, ps1: bool) -> list[_Assign]:
    out: list[_Assign] = []
    for i, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        m = (_PS_ASSIGN.match(line) or _PS_SETENV.search(line)) if ps1 else _SH_ASSIGN.match(line)
        if not m:
            continue
        raw = m.group(2).strip()
        col = m.start(2) + 1 + (len(m.group(2)) - len(m.group(2).lstrip()))
        value, literal = _script_value(raw, ps1)
        out.append(_Assign(m.group(1).upper() if ps1 else m.group(1), value, literal, i, col))
    return out


def _script_value(raw: str, ps1: bool) -> tuple[str, bool]:
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = raw.find(quote, 1)
        value = raw[1:end] if end > 0 else raw[1:]
        if quote == "'" and not ps1:
            return value, True
        return value, "$" not in value and "`" not in value
    if ps1:
        # an unquoted PowerShell value is an expression (a variable, Get-Content ...)
        return raw.split("#")[0].strip().rstrip(",)").strip(), False
    value = re.split(r"[\s;#]", raw, maxsplit=1)[0]
    return value, "$" not in value and "`" not in value


def _check_claude_script(c: _Ctx) -> None:
    ps1 = c.kind == "claude-ps1"
    begins = [i for i, line in enumerate(c.text.splitlines(), 1) if line.strip() == BLOCK_BEGIN]
    ends = [i for i, line in enumerate(c.text.splitlines(), 1) if line.strip() == BLOCK_END]
    if len(begins) != len(ends) or len(begins) > 1 or (begins and ends[0] < begins[0]):
        line = begins[-1] if begins else ends[0]
        c.add(
            "AIG001",
            line,
            1,
            "the aigate-setup managed block is not a single # >>> ... # <<< pair",
            "restore the markers, or rerun `aigate-setup init --client claude`",
        )
    assigns = script_assignments(c.text, ps1)
    last: dict[str, _Assign] = {}
    for a in assigns:
        if a.name in CLAUDE_CREDENTIALS and a.value and a.literal:
            c.add(
                "AIG006",
                a.line,
                a.column,
                f"{a.name} is set to a literal token {mask_key(a.value)}",
            )
        if a.name == "ANTHROPIC_BASE_URL" and a.literal:
            _check_url(c, a.value, a.line, a.column, "ANTHROPIC_BASE_URL", "claude")
        if a.value:
            last[a.name] = a
        else:
            last.pop(a.name, None)
    if all(n in last for n in CLAUDE_CREDENTIALS):
        second = max((last[n] for n in CLAUDE_CREDENTIALS), key=lambda a: a.line)
        c.add(
            "AIG040",
            second.line,
            second.column,
            "the script sets both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN",
        )
    missing = [n for n in CLAUDE_SLOTS if n not in last]
    if missing:
        anchor = last.get("ANTHROPIC_BASE_URL")
        c.add(
            "AIG041",
            anchor.line if anchor else 1,
            anchor.column if anchor else 1,
            "not set: " + ", ".join(missing),
        )
    for name in CLAUDE_MODEL_VARS:
        slot = last.get(name)
        if slot is not None and slot.literal:
            _check_model(c, slot.value, slot.line, slot.column, name)


def unknown_rule_ids(values: Sequence[str]) -> list[str]:
    """The ids among `values` that are not rules (for --select/--ignore validation)."""
    return [v for v in values if v not in RULES]


# --- which file is which -----------------------------------------------------------------

OPENCODE_NAMES = ("opencode.json", "opencode.jsonc")
KILO_NAMES = ("kilo.json", "kilo.jsonc")
KILO_DIRS = (".kilo", ".kilocode")
CLAUDE_SETTINGS_NAMES = ("settings.json", "settings.local.json")


def kind_for(path: Path, *, project_root: Path | None) -> FileKind | None:
    """The kind of a file by its name and place, or None when agents don't read it.

    The user's own files ($CODEX_HOME/config.toml, ~/.config/kilo/) are user files wherever
    they are found (a project at $HOME holds them too); `project_root` is accepted for callers
    that know the project, and does not change that.
    """
    from aigate_setup import paths

    name, parent = path.name, path.parent.name
    if name == "config.toml":
        if _same(path.parent, paths.codex_home()):
            return "codex-user"
        return "codex-project" if parent == ".codex" else None
    user_kilo = name in (*KILO_NAMES, *OPENCODE_NAMES) and _same(
        path.parent, paths.xdg_config_home() / "kilo"
    )
    if user_kilo:
        return "kilo-user"
    if name in KILO_NAMES or (name in OPENCODE_NAMES and parent in KILO_DIRS):
        return "kilo-project"
    if name in OPENCODE_NAMES:
        return "opencode"
    if name in CLAUDE_SETTINGS_NAMES and parent == ".claude":
        return "claude-settings"
    if name == "aigate-claude.sh":
        return "claude-sh"
    if name == "aigate-claude.ps1":
        return "claude-ps1"
    return None


def _same(a: Path, b: Path) -> bool:
    # Two stats, not two realpaths: kind_for runs once per discovered file. Paths that do not
    # exist (yet) are compared as resolved names.
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        try:
            return a.resolve() == b.resolve()
        except OSError:
            return False


def infer_kind(path: Path, text: str, *, project_root: Path | None = None) -> FileKind:
    """For a file named explicitly: its kind by name, else by extension and content."""
    kind = kind_for(path, project_root=project_root)
    if kind is not None:
        return kind
    suffix = path.suffix.lower()
    head = text.lstrip("\ufeff \t\r\n")
    if suffix == ".ps1":
        return "claude-ps1"
    if suffix in (".sh", ".bash", ".zsh") or head.startswith("#!"):
        return "claude-sh"
    if suffix == ".toml":
        return "codex-project"
    if suffix in (".json", ".jsonc") or head.startswith(("{", "//", "/*")):
        if '"env"' in text and "ANTHROPIC_" in text:
            return "claude-settings"
        if "app.kilo.ai" in text or "kilo" in path.name.lower():
            return "kilo-project"
        return "opencode"
    if "$env:" in text.lower():
        return "claude-ps1"
    if "export " in text or re.search(r"^[A-Z_]+=", text, re.MULTILINE):
        return "claude-sh"
    return "codex-project"
