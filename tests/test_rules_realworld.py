"""What real configs showed (issue 15): rules that failed working files, problems they missed,
and reading files exactly as the clients do (last duplicate key, a lone CR, odd whitespace)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigate_setup import rules
from aigate_setup.merge import jsonc
from aigate_setup.rules import FileKind, RuleContext, validate_text


def run(text: str, kind: FileKind, **ctx: object) -> list[rules.Finding]:
    return validate_text(Path("f"), text, kind, RuleContext(**ctx))  # type: ignore[arg-type]


def ids(text: str, kind: FileKind) -> list[str]:
    return [f.rule for f in run(text, kind)]


def _provider(pid: str, options: str, models: str = '{"m": {}}', npm: bool = True) -> str:
    pkg = '"npm": "@ai-sdk/openai-compatible", ' if npm else ""
    return f'{{\n  "provider": {{"{pid}": {{{pkg}"options": {options}, "models": {models}}}}},\n'


# --- AIG030: only custom providers list every model -----------------------------------------


@pytest.mark.parametrize("pid", ["openrouter", "github-copilot"])
def test_builtin_provider_with_some_models_listed_is_fine(pid: str) -> None:
    text = f'{{\n  "provider": {{"{pid}": {{"models": {{"a/b": {{}}}}}}}},\n  "model": "{pid}/c/d"\n}}\n'
    assert "AIG030" not in ids(text, "opencode")


def test_builtin_id_with_its_own_base_url_is_custom() -> None:
    text = (
        '{\n  "provider": {"openrouter": {"options": {"baseURL": "https://proxy.example.com/v1"},'
        ' "models": {"a/b": {}}}},\n  "model": "openrouter/c/d"\n}\n'
    )
    assert "AIG030" in ids(text, "opencode")


def test_unknown_provider_without_npm_lists_every_model() -> None:
    text = '{\n  "provider": {"mine": {"models": {"a": {}}}},\n  "model": "mine/b"\n}\n'
    assert "AIG030" in ids(text, "opencode")


# --- AIG003: local dummy keys, and hints per provider --------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://localhost:11434/v1", "ollama"),
        ("http://127.0.0.1:8080/v1", "sk_live_dummy"),
        ("http://192.168.1.20:11434/v1", "ollama"),
        ("http://10.1.2.3:8000/v1", "token"),
        ("http://ollama:11434/v1", "ollama"),  # a container on the same network
        ("http://nas.local:11434/v1", "x"),
    ],
)
def test_dummy_keys_of_local_servers_are_fine(url: str, key: str) -> None:
    text = (
        _provider("ollama", f'{{"baseURL": "{url}", "apiKey": "{key}"}}')
        + '  "model": "ollama/m"\n}\n'
    )
    assert [f for f in run(text, "opencode") if f.rule in ("AIG002", "AIG003")] == []


def test_hint_for_someone_elses_provider_never_names_the_aigate_key() -> None:
    options = '{"baseURL": "https://ollama.example.com/v1", "apiKey": "ollama-remote"}'
    [f] = [f for f in run(_provider("ollama", options) + '  "model": "ollama/m"\n}\n', "opencode")
           if f.rule == "AIG003"]  # fmt: skip
    assert "AIGATE" not in f.hint and "{env:OLLAMA_API_KEY}" in f.hint


def test_hint_for_the_aigate_provider_names_the_key_variable() -> None:
    options = '{"baseURL": "https://api.aigate.shop/v1", "apiKey": "literal-value"}'
    found = run(_provider("gw", options) + '  "model": "gw/m"\n}\n', "opencode", key_env="MY_KEY")
    [f] = [f for f in found if f.rule == "AIG003"]
    assert "{env:MY_KEY}" in f.hint


# --- AIG014, AIG012, AIG016 -------------------------------------------------------------------


def _codex(url: str, key: str = 'env_key = "K"\n') -> str:
    return f'model = "m"\nmodel_provider = "p"\n\n[model_providers.p]\nbase_url = "{url}"\n{key}'


def test_plain_http_severity() -> None:
    def sev(text: str) -> list[str]:
        return [f.severity for f in run(text, "codex-user") if f.rule == "AIG014"]

    assert sev(_codex("http://api.example.com/v1")) == ["error"]
    assert sev(_codex("http://192.168.1.20:11434/v1")) == ["warning"]
    assert sev(_codex("http://api.example.com/v1", key="")) == ["warning"]
    assert sev(_codex("http://localhost:11434/v1", key="")) == []
    [lan] = [f for f in run(_codex("http://192.168.1.20:11434/v1", ""), "codex-user")]
    assert "no key is configured" in lan.message and "the key would travel" not in lan.message


@pytest.mark.parametrize(
    "url", ["https://api.deepseek.com", "https://api.kilo.ai/api/gateway", "https://x.ai/api"]
)
def test_other_services_keep_their_own_paths(url: str) -> None:
    assert "AIG012" not in ids(_codex(url), "codex-user")


def test_aigate_host_without_v1_is_still_reported() -> None:
    assert "AIG012" in ids(_codex("https://api.aigate.shop"), "codex-user")
    own = run(_codex("https://gw.corp.example/"), "codex-user", gateway_host="gw.corp.example")
    assert "AIG012" in [f.rule for f in own]


def test_invalid_url_hint_per_client() -> None:
    claude = '{\n  "env": {"ANTHROPIC_BASE_URL": "api.aigate.shop"}\n}\n'
    [f] = [f for f in run(claude, "claude-settings") if f.rule == "AIG016"]
    assert "https://api.aigate.shop " in f.hint + " " and "/v1" not in f.hint.split("(")[0]
    [g] = [g for g in run(_codex("api.aigate.shop/v1"), "codex-user") if g.rule == "AIG016"]
    assert "https://api.aigate.shop/v1" in g.hint


# --- Codex: profiles, model inside the provider table, huge integers ----------------------------


def test_profile_tables_warn_and_root_profile_fails() -> None:
    tables = 'model = "m"\n\n[profiles.fast]\nmodel = "x"\n'
    assert [(f.rule, f.severity) for f in run(tables, "codex-user")] == [("AIG021", "warning")]
    root = 'profile = "fast"\n' + tables
    assert ("AIG021", "error") in [(f.rule, f.severity) for f in run(root, "codex-user")]


_INNER = (
    'model_provider = "aigate"\n\n[model_providers.aigate]\nname = "AIGate"\n'
    'base_url = "https://api.aigate.shop/v1"\nenv_key = "AIGATE_API_KEY"\n'
    'wire_api = "responses"\nmodel = "openai/gpt-5.5"\n'
)


def test_model_inside_the_provider_table_without_root_model_fails() -> None:
    found = run(_INNER, "codex-user")
    assert [(f.rule, f.severity, f.line) for f in found] == [("AIG027", "error", 8)]
    assert 'model = "openai/gpt-5.5"' in found[0].hint


def test_model_inside_the_provider_table_with_a_root_model_warns() -> None:
    found = run('model = "openai/gpt-5.5"\n' + _INNER, "codex-user")
    assert [(f.rule, f.severity) for f in found] == [("AIG027", "warning")]


def test_inner_model_ids_are_checked_too() -> None:
    text = _INNER.replace('"openai/gpt-5.5"', '"a{env:HOME}"')
    assert "AIG052" in ids(text, "codex-user")


@pytest.mark.parametrize(
    ("value", "bad"), [(2**63 - 1, False), (2**63, True), (-(2**63), False), (-(2**63) - 1, True)]
)
def test_integers_beyond_64_bits(value: int, bad: bool) -> None:
    text = f'model = "m"\nmodel_context_window = {value}\n\n[profiles.x]\nmodel_auto_compact_token_limit = 1\n'
    assert ("AIG029" in ids(text, "codex-user")) is bad


# --- model references everywhere --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{\n  "command": {"t": {"template": "x", "model": "a/{env:HOME}"}}\n}\n', "opencode"),
        ('{\n  "subagent_model": "a/{file:~/.netrc}"\n}\n', "kilo-user"),
        ('{\n  "provider": {"p": {"name": "P {file:/etc/passwd}"}}\n}\n', "opencode"),
        ('model = "m"\n\n[profiles.x]\nreview_model = "{env:HOME}"\n', "codex-user"),
    ],
)
def test_substitutions_in_any_model_reference(text: str, kind: FileKind) -> None:
    assert "AIG052" in ids(text, kind)


# --- reading files as the clients do ------------------------------------------------------------


def test_rules_read_the_last_duplicate_key() -> None:
    good_last = '{\n  "model": "broken",\n  "model": "aigate/openai/gpt-5.5"\n}\n'
    assert "AIG031" not in ids(good_last, "opencode")
    bad_last = '{\n  "model": "aigate/openai/gpt-5.5",\n  "model": "broken"\n}\n'
    [f] = [f for f in run(bad_last, "opencode") if f.rule == "AIG031"]
    assert f.line == 3


def test_editor_changes_the_last_duplicate_key() -> None:
    text = '{\n  "model": "a/b",\n  "model": "c/d"\n}\n'
    out = jsonc.set_value(text, ["model"], "x/y")
    assert out == '{\n  "model": "a/b",\n  "model": "x/y"\n}\n'
    assert jsonc.loads(out) == {"model": "x/y"}


def test_a_lone_cr_ends_a_line_comment() -> None:
    text = '{"a": 1, //\r"model": "broken"\n}'
    assert jsonc.loads(text) == {"a": 1, "model": "broken"}
    assert "AIG031" in ids(text, "opencode")
    out = jsonc.set_value(text, ["c"], 1)
    assert jsonc.loads(out) == {"a": 1, "model": "broken", "c": 1}


@pytest.mark.parametrize("ws", ["\u00a0", "\f", "\v", "\ufeff"])
def test_only_json_whitespace_between_tokens(ws: str) -> None:
    text = '{\n  "model": "a/b",' + ws + '\n  "small_model": "a/c"\n}\n'
    assert ids(text, "opencode") == ["AIG001"]
