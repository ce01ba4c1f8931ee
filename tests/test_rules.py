"""rules.validate_text: one clean and one broken file per rule, asserting id, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from aigate_setup import rules
from aigate_setup.catalog import Catalog, Model
from aigate_setup.merge import jsonc
from aigate_setup.rules import FileKind, RuleContext, validate_text
from aigate_setup.rules.docs import markdown
from aigate_setup.rules.engine import readers

ROOT = Path(__file__).resolve().parent.parent

KEY = "sk-test-0123456789abcdefWXYZ"
ALL = ("codex", "opencode", "kilo", "claude", "qwen", "continue", "aider")

CATALOG = Catalog(
    models=(
        Model("openai/gpt-5.5", "chat", ALL),
        Model("openai/gpt-5.5-mini", "chat", ALL),
        Model("anthropic/claude-opus-4.7", "chat", ALL),
        Model("anthropic/claude-sonnet-4.6", "chat", ALL),
        Model("anthropic/claude-haiku-4.5", "chat", ALL),
        Model(
            "deepseek/deepseek-v3.2",
            "chat",
            ("opencode", "kilo", "qwen", "continue", "aider"),
            unusable={"codex": "chat completions only", "claude": "chat completions only"},
        ),
        Model("openai/text-embedding-3-small", "embedding"),
    ),
    source="test",
)

OPENCODE = """\
{
  "$schema": "https://opencode.ai/config.json",
  // AIGate, written by aigate-setup
  "provider": {
    "aigate": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "AIGate",
      "options": {
        "baseURL": "https://api.aigate.shop/v1",
        "apiKey": "{env:AIGATE_API_KEY}"
      },
      "models": {
        "openai/gpt-5.5": {"name": "GPT 5.5", "limit": {"context": 400000, "output": 128000}},
      }
    }
  },
  "model": "aigate/openai/gpt-5.5"
}
"""
KILO_USER = OPENCODE.replace(
    '"$schema": "https://opencode.ai/config.json",',
    '"$schema": "https://app.kilo.ai/config.json",\n  "enabled_providers": ["aigate"],',
)
KILO_PROJECT = """\
{
  "$schema": "https://app.kilo.ai/config.json",
  "model": "aigate/openai/gpt-5.5"
}
"""
CODEX_USER = """\
model = "openai/gpt-5.5"
model_provider = "aigate"

[model_providers.aigate]
name = "AIGate"
base_url = "https://api.aigate.shop/v1"
env_key = "AIGATE_API_KEY"
wire_api = "responses"
"""
CODEX_PROJECT = """\
model = "openai/gpt-5.5"
approval_policy = "on-request"
"""
CLAUDE_SETTINGS = """\
{
  "permissions": {"allow": ["Bash(ls)"]},
  "env": {
    "ANTHROPIC_BASE_URL": "https://api.aigate.shop",
    "ANTHROPIC_MODEL": "anthropic/claude-sonnet-4.6"
  }
}
"""
CLAUDE_SH = """\
#!/bin/sh
# >>> aigate-setup >>>
if [ -z "${AIGATE_API_KEY:-}" ]; then
  echo "aigate-claude: AIGATE_API_KEY is empty" >&2
  return 1 2>/dev/null || exit 1
fi
export ANTHROPIC_BASE_URL="https://api.aigate.shop"
export ANTHROPIC_AUTH_TOKEN="$AIGATE_API_KEY"
unset ANTHROPIC_API_KEY
export ANTHROPIC_MODEL="anthropic/claude-sonnet-4.6"
export ANTHROPIC_DEFAULT_OPUS_MODEL="anthropic/claude-opus-4.7"
export ANTHROPIC_DEFAULT_SONNET_MODEL="anthropic/claude-sonnet-4.6"
export ANTHROPIC_DEFAULT_HAIKU_MODEL="anthropic/claude-haiku-4.5"
# <<< aigate-setup <<<
"""
CLAUDE_PS1 = """\
# >>> aigate-setup >>>
if (-not $env:AIGATE_API_KEY) { Write-Error "AIGATE_API_KEY is empty"; return }
$env:ANTHROPIC_BASE_URL = "https://api.aigate.shop"
$env:ANTHROPIC_AUTH_TOKEN = $env:AIGATE_API_KEY
Remove-Item Env:ANTHROPIC_API_KEY -ErrorAction SilentlyContinue
$env:ANTHROPIC_MODEL = "anthropic/claude-sonnet-4.6"
$env:ANTHROPIC_DEFAULT_OPUS_MODEL = "anthropic/claude-opus-4.7"
$env:ANTHROPIC_DEFAULT_SONNET_MODEL = "anthropic/claude-sonnet-4.6"
$env:ANTHROPIC_DEFAULT_HAIKU_MODEL = "anthropic/claude-haiku-4.5"
# <<< aigate-setup <<<
"""
QWEN = """\
{
  // mine
  "$version": 4,
  "modelProviders": {
    "aigate": [
      {"id": "openai/gpt-5.5", "envKey": "AIGATE_API_KEY", "baseUrl": "https://api.aigate.shop/v1"}
    ]
  },
  "providerProtocol": {"aigate": "openai"},
  "model": {"name": "openai/gpt-5.5"}
}
"""
CONTINUE = """\
name: Mine  # mine
version: 1.0.0
models:
  - name: aigate/openai/gpt-5.5
    provider: openai
    model: openai/gpt-5.5
    apiBase: https://api.aigate.shop/v1
    apiKey: ${{ secrets.AIGATE_API_KEY }}
"""
AIDER = """\
model: openai/openai/gpt-5.5
openai-api-base: https://api.aigate.shop/v1
env-file: /home/me/.config/aigate/aider.env
"""
CLEAN: dict[FileKind, str] = {
    "qwen-settings": QWEN,
    "continue-config": CONTINUE,
    "aider-conf": AIDER,
    "opencode": OPENCODE,
    "kilo-user": KILO_USER,
    "kilo-project": KILO_PROJECT,
    "codex-user": CODEX_USER,
    "codex-project": CODEX_PROJECT,
    "claude-settings": CLAUDE_SETTINGS,
    "claude-sh": CLAUDE_SH,
    "claude-ps1": CLAUDE_PS1,
}


def run(text: str, kind: FileKind, **ctx: object) -> list[rules.Finding]:
    return validate_text(Path("f"), text, kind, RuleContext(**ctx))  # type: ignore[arg-type]


def where(text: str, marker: str, nth: int = 0) -> tuple[int, int]:
    """1-based line/column of the nth occurrence of marker."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(marker, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize("kind", list(CLEAN))
def test_clean_files_have_no_findings(kind: FileKind) -> None:
    assert run(CLEAN[kind], kind, catalog=CATALOG, gateway_host="api.aigate.shop") == []


@dataclass(frozen=True)
class Case:
    rule: str
    kind: FileKind
    old: str  # replaced in the clean file of `kind` ...
    new: str  # ... by this
    at: str  # the finding points at the first occurrence of this in the broken text
    ctx: tuple[tuple[str, object], ...] = ()
    nth: int = 0
    severity: str | None = None  # when the hit overrides the rule's own severity


OPENAI_URL = '"baseURL": "https://api.aigate.shop/v1"'
CASES = [
    # AIG001 parse errors
    Case("AIG001", "opencode", '"model": "aigate', '"model" "aigate', '"aigate/openai'),
    Case("AIG001", "codex-user", 'wire_api = "responses"', "wire_api = @", "@"),
    Case("AIG001", "claude-settings", '"env": {', '"env": {,', ',\n    "ANTHROPIC_BASE'),
    Case("AIG001", "claude-sh", "# <<< aigate-setup <<<\n", "", "# >>>"),
    # secrets
    Case("AIG002", "codex-project", 'approval_policy = "on-request"', f"# key: {KEY}", KEY),
    Case("AIG002", "claude-sh", "#!/bin/sh", f"#!/bin/sh\n# old key {KEY}", KEY),
    Case("AIG003", "opencode", "{env:AIGATE_API_KEY}", KEY, f'"{KEY}'),
    Case("AIG003", "opencode", "{env:AIGATE_API_KEY}", "plain-secret-value", '"plain-secret'),
    Case(
        "AIG004",
        "codex-user",
        'env_key = "AIGATE_API_KEY"',
        f'experimental_bearer_token = "{KEY}"',
        f'"{KEY}',
    ),
    Case(
        "AIG005",
        "claude-settings",
        '"ANTHROPIC_MODEL"',
        f'"ANTHROPIC_AUTH_TOKEN": "{KEY}",\n    "ANTHROPIC_MODEL"',
        f'"{KEY}',
    ),
    Case(
        "AIG006",
        "claude-sh",
        '"$AIGATE_API_KEY"',
        f'"{KEY}"',
        f'"{KEY}',
    ),
    Case("AIG006", "claude-ps1", "$env:AIGATE_API_KEY\n", f"'{KEY}'\n", f"'{KEY}"),
    # base URLs
    Case(
        "AIG010",
        "opencode",
        OPENAI_URL,
        '"baseURL": "https://api.aigate.shop/v1/chat/completions"',
        '"https://api.aigate.shop/v1/chat',
    ),
    Case("AIG010", "codex-user", "shop/v1", "shop/v1/responses", '"https://'),
    Case("AIG010", "claude-sh", '.shop"', '.shop/v1/messages"', '"https://'),
    Case("AIG011", "codex-user", "shop/v1", "shop/v1/v1", '"https://'),
    Case("AIG012", "opencode", OPENAI_URL, '"baseURL": "https://api.aigate.shop"', '"https://api.aigate.shop"'),
    Case("AIG013", "claude-settings", '.shop"', '.shop/v1"', '"https://'),
    Case("AIG013", "claude-sh", '.shop"', '.shop/v1"', '"https://'),
    Case("AIG013", "claude-ps1", '.shop"', '.shop/v1/"', '"https://'),
    Case("AIG014", "codex-user", "https://", "http://", '"http://'),
    Case(
        "AIG015",
        "opencode",
        "api.aigate.shop",
        "evil.example.com",
        '"https://evil',
        (("gateway_host", "api.aigate.shop"),),
    ),
    Case("AIG016", "codex-user", "https://api.aigate.shop/v1", "api.aigate.shop/v1", '"api.'),
    # Codex
    Case("AIG020", "codex-user", '"responses"', '"chat"', '"chat"'),
    Case("AIG021", "codex-user", 'model_provider = "aigate"', 'model_provider = "aigate"\nprofile = "fast"', "profile ="),
    Case("AIG021", "codex-user", "[model_providers", '[profiles.fast]\nmodel = "x"\n\n[model_providers', "[profiles", severity="warning"),
    Case("AIG027", "codex-user", 'wire_api = "responses"', 'wire_api = "responses"\nmodel = "openai/gpt-5.5"', "model = ", nth=1, severity="warning"),
    Case("AIG028", "codex-user", 'model = "openai/gpt-5.5"\n', "", '"aigate"'),
    Case("AIG029", "codex-user", 'model_provider = "aigate"', 'model_provider = "aigate"\nmodel_context_window = 9223372036854775808', "9223"),
    Case("AIG022", "codex-user", "model_providers.aigate", "model_providers.openai", "[model_providers"),
    Case("AIG023", "codex-project", 'approval_policy = "on-request"', 'model_provider = "aigate"', "model_provider"),
    Case("AIG023", "codex-project", 'approval_policy = "on-request"', '[model_providers.aigate]\nenv_key = "AIGATE_API_KEY"\nbase_url = "https://api.aigate.shop/v1"', "[model_providers"),
    Case("AIG024", "codex-user", 'env_key = "AIGATE_API_KEY"\n', "", "[model_providers"),
    Case("AIG025", "codex-user", 'model_provider = "aigate"', 'model_provider = "aigte"', '"aigte"'),
    Case("AIG026", "codex-user", 'model_provider = "aigate"', 'model_catalog_json = "gone.json"\nmodel_provider = "aigate"', '"gone.json"'),
    # OpenCode / Kilo
    Case("AIG030", "opencode", '"model": "aigate/openai/gpt-5.5"', '"model": "aigate/openai/gpt-5.6"', '"aigate/openai/gpt-5.6"'),
    Case("AIG031", "opencode", '"model": "aigate/openai/gpt-5.5"', '"model": "gpt-5.5"', '"gpt-5.5"'),
    Case("AIG031", "kilo-project", '"model": "aigate/openai/gpt-5.5"', '"small_model": "aigate/"', '"aigate/"'),
    Case("AIG032", "opencode", ', "output": 128000', "", '{"context"'),
    Case("AIG032", "kilo-user", '"context": 400000, ', "", '{"output"'),
    Case("AIG033", "opencode", '"provider": {', '"providers": {},\n  "provider": {', '"providers"'),
    Case("AIG033", "kilo-user", '"provider": {', '"mcpServers": {},\n  "provider": {', '"mcpServers"'),
    Case("AIG034", "opencode", '"provider": {', '"themes": "x",\n  "provider": {', '"themes"'),
    Case("AIG035", "kilo-project", '"model"', '"instructions": ["{file:./RULES.md}"],\n  "model"', "{file:"),
    Case("AIG035", "kilo-project", '"model"', '"provider": {"aigate": {"options": {"apiKey": "{env:AIGATE_API_KEY}"}}},\n  "model"', "{env:"),
    Case("AIG036", "kilo-user", '["aigate"]', '["aigate", "kilo"]', '"kilo"]'),
    # Qwen Code, Continue CLI, Aider
    Case("AIG001", "continue-config", "models:", "models: [", "- name: aigate"),
    Case("AIG070", "qwen-settings", '"envKey": "AIGATE_API_KEY"', f'"apiKey": "{KEY}"', f'"{KEY}'),
    Case("AIG071", "qwen-settings", '"openai/gpt-5.5"}\n}', '"openai/gpt-5.5"},\n}', ',\n}'),
    Case("AIG072", "continue-config", "${{ secrets.AIGATE_API_KEY }}", KEY, "apiKey"),
    Case("AIG073", "aider-conf", "env-file", f"openai-api-key: {KEY}\nenv-file", "openai-api-key"),
    Case("AIG074", "aider-conf", "/home/me/", "~/", "env-file"),
    Case("AIG050", "aider-conf", "openai/gpt-5.5", "openai/gpt-5.55", "model", (("catalog", CATALOG),)),
    Case("AIG010", "continue-config", "shop/v1", "shop/v1/chat/completions", "apiBase"),
    # Claude
    Case("AIG040", "claude-sh", "unset ANTHROPIC_API_KEY", 'export ANTHROPIC_API_KEY="$AIGATE_API_KEY"', '"$AIGATE_API_KEY"', nth=1),
    Case("AIG040", "claude-ps1", "Remove-Item Env:ANTHROPIC_API_KEY -ErrorAction SilentlyContinue", "$env:ANTHROPIC_API_KEY = $env:AIGATE_API_KEY", "$env:AIGATE_API_KEY", nth=2),
    Case("AIG041", "claude-sh", 'export ANTHROPIC_DEFAULT_HAIKU_MODEL="anthropic/claude-haiku-4.5"\n', "", '"https://'),
    # catalog
    Case("AIG050", "opencode", '"openai/gpt-5.5": {"name"', '"openai/gpt-5.55": {"name"', '"openai/gpt-5.55"', (("catalog", CATALOG),)),
    Case("AIG050", "codex-user", 'model = "openai/gpt-5.5"', 'model = "openai/gpt-5.55"', '"openai/gpt-5.55"', (("catalog", CATALOG),)),
    Case("AIG050", "claude-sh", 'DEFAULT_OPUS_MODEL="anthropic/claude-opus-4.7"', 'DEFAULT_OPUS_MODEL="anthropic/claude-opus-4.8"', '"anthropic/claude-opus-4.8', (("catalog", CATALOG),)),
    Case("AIG050", "claude-settings", "claude-sonnet-4.6", "claude-sonet-4.6", '"anthropic/', (("catalog", CATALOG),)),
    Case("AIG051", "codex-user", 'model = "openai/gpt-5.5"', 'model = "deepseek/deepseek-v3.2"', '"deepseek', (("catalog", CATALOG),)),
    Case("AIG051", "opencode", '"model": "aigate/openai/gpt-5.5"', '"small_model": "aigate/openai/text-embedding-3-small"', '"aigate/openai/text', (("catalog", CATALOG),)),
    # model ids are data: {file:}/{env:}, braces, control characters, whitespace, length
    Case("AIG052", "opencode", '"model": "aigate/openai/gpt-5.5"', '"model": "aigate/openai/gpt-5{file:~/.ssh/id_rsa}"', '"aigate/openai/gpt-5{file'),
    Case("AIG052", "opencode", '"model": "aigate/openai/gpt-5.5"', '"small_model": "aigate/a\\u0007b"', '"aigate/a'),
    Case("AIG052", "opencode", '"openai/gpt-5.5": {"name"', '"openai/gpt-5.5{env:HOME}": {"name"', '"openai/gpt-5.5{env'),
    Case("AIG052", "opencode", '"name": "GPT 5.5"', '"name": "GPT {file:/etc/passwd}"', '"GPT {file'),
    Case("AIG052", "opencode", '"name": "GPT 5.5"', '"name": "GPT 5.5", "id": "gpt 5.5"', '"gpt 5.5"'),
    Case("AIG052", "opencode", '"provider": {', '"agent": {"build": {"model": "aigate/{env:AIGATE_API_KEY}"}},\n  "provider": {', '"aigate/{env'),
    Case("AIG052", "kilo-user", '"model": "aigate/openai/gpt-5.5"', '"model": "aigate/' + "x" * 201 + '"', '"aigate/xx'),
    Case("AIG052", "kilo-project", '"model": "aigate/openai/gpt-5.5"', '"model": "aigate/{file:./id}"', '"aigate/{file'),
    Case("AIG052", "codex-user", 'model = "openai/gpt-5.5"', 'model = "openai/gpt 5.5"', '"openai/gpt 5.5"'),
    Case("AIG052", "codex-project", 'approval_policy = "on-request"', 'review_model = "o3{env:HOME}"', '"o3{env'),
    Case("AIG052", "claude-settings", "claude-sonnet-4.6", "claude-sonnet-4.6{file:~/.aws/credentials}", '"anthropic/'),
    Case("AIG052", "claude-sh", '"anthropic/claude-haiku-4.5"', '"anthropic/claude haiku"', '"anthropic/claude haiku'),
    Case("AIG052", "claude-ps1", '"anthropic/claude-opus-4.7"', '"anthropic/{env:HOME}"', '"anthropic/{env'),
]  # fmt: skip


def _ctx(case: Case) -> dict[str, object]:
    return dict(case.ctx)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}-{c.kind}")
def test_rule_fires_at_the_right_place(case: Case) -> None:
    clean = CLEAN[case.kind]
    assert case.old in clean, case.old
    broken = clean.replace(case.old, case.new, 1)
    got = run(broken, case.kind, **_ctx(case))
    hits = [f for f in got if f.rule == case.rule]
    assert hits, f"{case.rule} not reported; got {[(f.rule, f.message) for f in got]}"
    assert (hits[0].line, hits[0].column) == where(broken, case.at, case.nth), hits[0]
    assert hits[0].severity == (case.severity or rules.RULES[case.rule].severity)
    assert hits[0].hint
    # the clean file under the same context never reports it
    assert [f for f in run(clean, case.kind, **_ctx(case)) if f.rule == case.rule] == []


def test_every_rule_has_a_broken_case_and_stable_ids() -> None:
    assert {c.rule for c in CASES} == set(rules.RULES)
    assert list(rules.RULES) == sorted(rules.RULES)
    for rule_id, rule in rules.RULES.items():
        assert rule.id == rule_id and rule.title and rule.hint and rule.name
        assert rule.severity in ("error", "warning")


def test_parse_error_has_line_and_column() -> None:
    text = '{\n  "model": "a/b",\n  "x": [1, 2\n}\n'
    [f] = run(text, "opencode")
    assert (f.rule, f.line, f.column) == ("AIG001", 4, 1)
    assert f.message.startswith("invalid JSON")


def test_toml_parse_error_position() -> None:
    [f] = run('model = "a"\n[model_providers.aigate\n', "codex-user")
    assert f.rule == "AIG001" and f.line == 2


@pytest.mark.parametrize("kind", list(CLEAN))
def test_secret_is_masked_in_every_message(kind: FileKind) -> None:
    text = CLEAN[kind] + ("\n// " if kind in ("opencode",) else "\n# ") + KEY + "\n"
    if kind.startswith(("opencode", "kilo", "claude-settings")):
        text = CLEAN[kind].replace("{\n", "{\n  // " + KEY + "\n", 1)
    found = run(text, kind)
    assert any(f.rule == "AIG002" for f in found)
    for f in found:
        assert KEY not in f.message and KEY not in f.hint
        assert KEY[6:] not in f.message


def test_placeholder_keys_are_not_secrets() -> None:
    text = CODEX_PROJECT + '# e.g. "sk-your-api-key-here" or sk-xxxxxxxxxxxxxxxxxxxx\n'
    assert run(text, "codex-project") == []


def test_one_finding_per_secret_line() -> None:
    broken = OPENCODE.replace("{env:AIGATE_API_KEY}", KEY)
    assert [f.rule for f in run(broken, "opencode")] == ["AIG003"]


def test_inline_ignore_suppresses_only_that_rule_on_that_line() -> None:
    broken = CODEX_USER.replace('"responses"', '"chat"  # aigate: ignore[AIG020]')
    assert run(broken, "codex-user") == []
    other = CODEX_USER.replace('"responses"', '"chat"  # aigate: ignore[AIG014]')
    assert [f.rule for f in run(other, "codex-user")] == ["AIG020"]
    json_text = OPENCODE.replace(
        '"https://api.aigate.shop/v1",', '"http://10.0.0.5/v1", // aigate: ignore[AIG014, AIG012]'
    )
    assert run(json_text, "opencode") == []
    every = CODEX_USER.replace('"responses"', '"chat"  # aigate: ignore')
    assert run(every, "codex-user") == []


def test_loopback_http_is_fine_and_needs_no_key() -> None:
    text = CODEX_USER.replace("https://api.aigate.shop/v1", "http://127.0.0.1:8080/v1").replace(
        'env_key = "AIGATE_API_KEY"\n', ""
    )
    assert run(text, "codex-user") == []


def test_model_ref_splits_on_the_first_slash() -> None:
    # "aigate/openai/gpt-5.5" needs models["openai/gpt-5.5"], which is declared
    assert run(OPENCODE, "opencode") == []
    # a provider declared elsewhere (e.g. the user file) is not judged here
    other = OPENCODE.replace('"model": "aigate/', '"model": "anthropic/')
    assert run(other, "opencode") == []


def test_catalog_suggestions_name_the_closest_ids() -> None:
    text = CODEX_USER.replace('"openai/gpt-5.5"', '"openai/gpt5.5"')
    [f] = run(text, "codex-user", catalog=CATALOG)
    assert f.rule == "AIG050" and "openai/gpt-5.5" in f.hint


def test_kilo_project_substitution_in_comment_is_fine() -> None:
    text = KILO_PROJECT.replace('"model"', '// "apiKey": "{env:AIGATE_API_KEY}"\n  "model"')
    assert run(text, "kilo-project") == []


def test_kilo_reading_an_opencode_project_file_is_a_warning() -> None:
    # Kilo also reads <dir>/opencode.json; OpenCode's own {env:} there is legitimate, and
    # Kilo merely skips the file. In Kilo's own project file the same text is an error.
    text = KILO_PROJECT.replace(
        '"model"',
        '"provider": {"aigate": {"options": {"apiKey": "{env:AIGATE_API_KEY}"}}},\n  "model"',
    )
    [shared] = validate_text(Path("proj/opencode.json"), text, "kilo-project", RuleContext())
    assert (shared.rule, shared.severity) == ("AIG035", "warning")
    assert "Kilo skips this file" in shared.message
    [own] = validate_text(Path("proj/kilo.jsonc"), text, "kilo-project", RuleContext())
    assert (own.rule, own.severity) == ("AIG035", "error")


def test_crlf_and_bom_positions() -> None:
    text = "\ufeff" + CODEX_USER.replace('"responses"', '"chat"').replace("\n", "\r\n")
    [f] = run(text, "codex-user")
    assert (f.rule, f.line, f.column) == ("AIG020", 8, 12)


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("opencode.json", "opencode"),
        (".opencode/opencode.jsonc", "opencode"),
        ("kilo.jsonc", "kilo-project"),
        (".kilo/kilo.json", "kilo-project"),
        (".kilocode/opencode.json", "kilo-project"),
        (".codex/config.toml", "codex-project"),
        (".claude/settings.json", "claude-settings"),
        (".claude/settings.local.json", "claude-settings"),
        (".aigate/aigate-claude.sh", "claude-sh"),
        (".aigate/aigate-claude.ps1", "claude-ps1"),
        ("config.toml", None),
        ("settings.json", None),
        ("package.json", None),
    ],
)
def test_kind_for(tmp_path: Path, rel: str, kind: str | None) -> None:
    assert rules.kind_for(tmp_path / rel) == kind


def test_kind_for_user_files(sandbox_home: Path) -> None:
    assert rules.kind_for(sandbox_home / ".codex" / "config.toml") == "codex-user"
    kilo = sandbox_home / ".config" / "kilo" / "kilo.jsonc"
    assert rules.kind_for(kilo) == "kilo-user"
    assert rules.kind_for(kilo.with_name("opencode.json")) == "kilo-user"
    opencode = sandbox_home / ".config" / "opencode" / "opencode.json"
    assert rules.kind_for(opencode) == "opencode"


# --- the catalogue is the documentation ---------------------------------------------------------


@pytest.mark.parametrize("rule_id", sorted(rules.RULES))
def test_every_rule_example_breaks_that_rule(rule_id: str) -> None:
    rule = rules.RULES[rule_id]
    assert rule.doc and rule.example and rule.fix and rule.applies_to(rule.example_kind)
    path = Path(readers()[rule.example_kind].shown_as)
    ctx = RuleContext(catalog=CATALOG, gateway_host="api.aigate.shop")
    found = validate_text(path, rule.example, rule.example_kind, ctx)
    assert rule_id in {f.rule for f in found}, [(f.rule, f.message) for f in found]


def test_docs_rules_md_is_generated_from_the_registry() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == markdown(), "docs/rules.md is stale: run python scripts/gen_rules_doc.py"
    for rule_id in rules.RULES:
        assert f"## {rule_id} " in committed


# --- only the chosen rules run, on one parse -----------------------------------------------------


def test_only_selected_rules_run() -> None:
    broken = OPENCODE.replace("{env:AIGATE_API_KEY}", KEY)
    # AIG003 names the field; alone, AIG002 still finds the key (it is not shadowed by a rule
    # that did not run).
    only_catch_all = rules.select_rules(["AIG002"])
    found = validate_text(Path("f"), broken, "opencode", RuleContext(), only_catch_all)
    assert [(f.rule, f.line) for f in found] == [("AIG002", 10)]
    without = rules.select_rules(ignore=["AIG002", "AIG003"])
    assert validate_text(Path("f"), broken, "opencode", RuleContext(), without) == []


def test_unknown_rule_id_is_a_usage_error() -> None:
    from aigate_setup.errors import UsageError

    with pytest.raises(UsageError, match="unknown rule id AIG999"):
        rules.select_rules(["AIG999"])


def test_each_file_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = jsonc.parse

    def counting(text: str) -> jsonc.Node:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(jsonc, "parse", counting)
    found = run(OPENCODE.replace('"GPT 5.5"', '"GPT {5}"'), "opencode", catalog=CATALOG)
    assert [f.rule for f in found] == ["AIG052"]
    assert len(calls) == 1


# --- hostile values ------------------------------------------------------------------------------


def test_model_id_message_never_carries_raw_control_characters() -> None:
    text = OPENCODE.replace('"model": "aigate/openai/gpt-5.5"', '"model": "aigate/a\\u001b[2Jb"')
    [f] = [f for f in run(text, "opencode") if f.rule == "AIG052"]
    assert "\x1b" not in f.message and "\\x1b" in f.message
    assert "control" in f.message


def test_display_names_may_have_spaces_but_ids_may_not() -> None:
    named = OPENCODE.replace('"GPT 5.5"', '"GPT 5.5 (latest, 400k context)"')
    assert run(named, "opencode") == []
    spaced = OPENCODE.replace('"openai/gpt-5.5": {"name"', '"openai/gpt 5.5": {"name"')
    assert "AIG052" in {f.rule for f in run(spaced, "opencode")}


SECRET_URLS = [
    "https://alice:hunter2secret@api.aigate.shop/v1/v1",
    "http://evil.example.com/v1?key=hunter2secret",
    "https://api.aigate.shop/v1/chat/completions?api_key=hunter2secret",
    "https://x.example/v1?token=hunter2secret&sig=hunter2secret",
    "api.aigate.shop/v1?access_token=hunter2secret",
]


@pytest.mark.parametrize("url", SECRET_URLS)
def test_credentials_in_urls_are_never_echoed(url: str) -> None:
    text = OPENCODE.replace("https://api.aigate.shop/v1", url)
    found = run(text, "opencode", gateway_host="api.aigate.shop")
    assert found, url
    for f in found:
        assert "hunter2secret" not in f.message + f.hint, f
    claude = CLAUDE_SETTINGS.replace("https://api.aigate.shop", url)
    found = run(claude, "claude-settings", gateway_host="api.aigate.shop")
    assert found, url
    for f in found:
        assert "hunter2secret" not in f.message + f.hint, f


def test_clean_urls_are_shown_as_written() -> None:
    text = OPENCODE.replace("https://api.aigate.shop/v1", "http://10.0.0.5:8080/v1/")
    [f] = run(text, "opencode")
    assert f.rule == "AIG014" and "http://10.0.0.5:8080/v1/ uses plain http" in f.message
    masked = OPENCODE.replace("https://api.aigate.shop/v1", "http://u:pw123456@10.0.0.5/v1")
    [g] = run(masked, "opencode")
    assert "http://***@10.0.0.5/v1 uses plain http to 10.0.0.5" in g.message


# --- positions in a large file --------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_positions_in_a_large_file_are_fast() -> None:
    """Every position lookup used to count the newlines before it: quadratic in file size
    (a 12 MB opencode.json took minutes). A 3 MB comment before 20,000 models: bounded."""
    import time

    padding = "// " + "x" * 60 + "\n"
    models = ",\n".join(f'        "openai/m{i}": {{"name": "M {i}"}}' for i in range(20_000))
    text = OPENCODE.replace("{\n", "{\n" + padding * 48_000, 1)
    text = text.replace('"openai/gpt-5.5": {', models + ',\n        "openai/gpt-5.5": {')
    assert len(text) > 3_500_000
    broken = text.replace('"M 19999"', '"M {19999}"')
    start = time.perf_counter()
    found = run(broken, "opencode")
    elapsed = time.perf_counter() - start
    assert [(f.rule, f.line, f.column) for f in found] == [
        ("AIG052", *where(broken, '"M {19999}"'))
    ]
    assert (found[0].line or 0) > 68_000
    assert elapsed < 15, elapsed
    # the JSONC helper itself: 200,000 lookups in a 2 MB text
    big = "x\n" * 1_000_000
    start = time.perf_counter()
    for offset in range(0, len(big), 10):
        assert jsonc.line_col(big, offset) == (offset // 2 + 1, 1)
    assert time.perf_counter() - start < 10
